"""Reference input ids for the prompt-building parity test, from Hugging Face
transformers' Qwen3VLProcessor.

Trains a tiny byte-level BPE tokenizer (Qwen's kind) with Qwen3-VL's special tokens,
saves it in the hub's layout (tokenizer.json, tokenizer_config.json with the chat
template), and records the ids the processor gives for chat prompts with text and
images (the image processor decides how many image tokens each picture takes).

The chat template is written here after the published Qwen3-VL one (user turns of
text, images and videos; the assistant prompt); it is what the Rust side follows.

Run from the repository root:
    python model/reference/qwen3_vl_tokenizer_fixture.py model/tests/fixtures
"""

import json
import sys
from pathlib import Path

import numpy as np
import transformers
from PIL import Image
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast, Qwen3VLProcessor
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

SPECIAL = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|image_pad|>",
    "<|video_pad|>",
]

CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{{- '<|im_start|>' + message.role + '\\n' -}}"
    "{%- if message.content is string -%}{{- message.content -}}"
    "{%- else -%}{%- for item in message.content -%}"
    "{%- if item.type == 'image' -%}{{- '<|vision_start|><|image_pad|><|vision_end|>' -}}"
    "{%- elif item.type == 'video' -%}{{- '<|vision_start|><|video_pad|><|vision_end|>' -}}"
    "{%- elif item.type == 'text' -%}{{- item.text -}}{%- endif -%}"
    "{%- endfor -%}{%- endif -%}"
    "{{- '<|im_end|>\\n' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}"
)

CORPUS = [
    "Where is the red ball at 3.5 seconds? Answer with a box.",
    "When does the person open the door? Give the start and end time.",
    "Describe the region in the box. What happens next?",
    "The blue square passes behind the green triangle.",
    'Output JSON: [{"bbox_2d": [12, 40, 300, 512], "label": "car"}]',
] * 20


def picture(width: int, height: int) -> Image.Image:
    y, x, c = np.meshgrid(np.arange(height), np.arange(width), np.arange(3), indexing="ij")
    return Image.fromarray(((x * 7 + y * 13 + c * 50 + (x * y) % 11) % 256).astype(np.uint8))


def main(out: Path) -> None:
    folder = out / "qwen3_vl_tokenizer"
    folder.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300, special_tokens=SPECIAL, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tok.train_from_iterator(CORPUS, trainer)
    tok.save(str(folder / "tokenizer.json"))
    fast = PreTrainedTokenizerFast(
        tokenizer_file=str(folder / "tokenizer.json"),
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        extra_special_tokens={
            "image_token": "<|image_pad|>",
            "video_token": "<|video_pad|>",
            "vision_start_token": "<|vision_start|>",
            "vision_end_token": "<|vision_end|>",
        },
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(folder)
    images = Qwen2VLImageProcessorPil(
        patch_size=16,
        merge_size=2,
        temporal_patch_size=2,
        image_mean=[0.5, 0.5, 0.5],
        image_std=[0.5, 0.5, 0.5],
        size={"shortest_edge": 4096, "longest_edge": 16384},
    )
    # The processor's constructor insists on a video processor, which needs torchvision;
    # text and images do not, so it is put together by hand.
    processor = Qwen3VLProcessor.__new__(Qwen3VLProcessor)
    processor.image_processor = images
    processor.tokenizer = fast
    processor.video_processor = None
    processor.chat_template = CHAT_TEMPLATE
    processor.image_token, processor.video_token = "<|image_pad|>", "<|video_pad|>"
    processor.vision_start_token, processor.vision_end_token = "<|vision_start|>", "<|vision_end|>"
    for name in ["image_token", "video_token", "vision_start_token", "vision_end_token"]:
        setattr(processor, name + "_id", fast.convert_tokens_to_ids(getattr(processor, name)))

    cases = []
    prompts = [
        ("text", [{"type": "text", "text": "Where is the red ball at 3.5 seconds?"}], []),
        ("image", [{"type": "image"}, {"type": "text", "text": "Describe the region in the box."}], [(50, 37)]),
        (
            "two_images",
            [{"type": "image"}, {"type": "text", "text": "and"}, {"type": "image"}, {"type": "text", "text": "What happens next?"}],
            [(50, 37), (300, 200)],
        ),
    ]
    for name, content, sizes in prompts:
        text = fast.apply_chat_template([{"role": "user", "content": content}], add_generation_prompt=True, tokenize=False)
        pictures = [picture(w, h) for w, h in sizes]
        inputs = processor(text=[text], images=pictures or None, return_tensors="np")
        cases.append(
            {
                "name": name,
                "content": content,
                "image_sizes": sizes,
                "text": text,
                "input_ids": inputs["input_ids"][0].tolist(),
                "image_grid_thw": inputs["image_grid_thw"].tolist() if sizes else [],
                "decoded": fast.decode(inputs["input_ids"][0].tolist()),
            }
        )
    doc = {"transformers": transformers.__version__, "special_ids": {t: fast.convert_tokens_to_ids(t) for t in SPECIAL}, "cases": cases}
    (out / "qwen3_vl_tokenizer.json").write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
