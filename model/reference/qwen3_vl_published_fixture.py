"""Reference values for Qwen3-VL checkpoints laid out as the published ones, from
Hugging Face transformers.

Writes two tiny random-weight checkpoints in the file layout of the published
Qwen3-VL Instruct snapshots: `config.json` in the layout they ship (`rope_theta` and
`rope_scaling` in `text_config`), bf16 weights in `model.safetensors`, the real chat
template in `chat_template.json`, `preprocessor_config.json` and
`video_preprocessor_config.json` as published, and the small byte-level BPE tokenizer
of the tokenizer fixture (`qwen3_vl_tokenizer/`, special tokens at ids 0 to 6):

- `qwen3_vl_2b/`: Qwen3-VL-2B's proportions scaled down (tied output head, two query
  heads per key/value head, DeepStack at about 1/4, 1/2 and 3/4 of the vision tower's
  depth, 2304 learned vision positions, rotary sections in the ratio 24:20:20);
- `qwen3_vl_4b/`: Qwen3-VL-4B's (four query heads per key/value head and attention
  wider than the hidden size), with an untied head as the 8B has.

Media files beside them: a 1280x720 picture, a 200x150 crop of it, and a 4 s 640x272
25 fps H.264 clip made with the `ffmpeg` program (which must be installed).

For each checkpoint, and prompts run through transformers' own processor as loaded
from the folder (`AutoProcessor`, the default torchvision image and video
processors) and the chat template: text only, one picture, the crop, two pictures,
and the clip sampled at 2 frames per second (frames decoded by the `ffmpeg`
program, as RGB24), the input ids, the last position's logits (weights in f32) and
the greedy continuation. Also prompts given as ids with formula pixel values (the
model alone, no processor).

The video layout: transformers 5's processor keeps the chat template's outer
`<|vision_start|>`/`<|vision_end|>` around the per-frame `<t seconds><|vision_start|>
...<|vision_end|>` runs; transformers 4.57's, the one Qwen3-VL was released with,
replaced the whole span (`qwen3_vl_video_layout.py` records both). The reference
logits are for the released layout; the ids of both are recorded.

Run from the repository root:
    python model/reference/qwen3_vl_published_fixture.py model/tests/fixtures
(needs torch, torchvision, transformers 5.24, safetensors, pillow, and `ffmpeg`).
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
import transformers
from PIL import Image
from transformers import AutoProcessor, Qwen3VLConfig, Qwen3VLForConditionalGeneration
from transformers.video_utils import VideoMetadata

GREEDY_STEPS = 8
START, END, IMAGE, VIDEO = 3, 4, 5, 6

# Qwen3-VL-8B-Instruct's chat template, byte for byte (5,292 bytes, SHA-256
# 3636d0f0bd6bef02654cdffdc447b79cb2cef8ab02cc75267345946291a489e4); the Instruct
# checkpoints ship it in chat_template.json.
TEMPLATE_FILE = Path(__file__).with_name("qwen3_vl_instruct_chat_template.jinja")

# As the Qwen3-VL Instruct checkpoints publish them.
PREPROCESSOR = {
    "size": {"longest_edge": 16777216, "shortest_edge": 65536},
    "patch_size": 16,
    "temporal_patch_size": 2,
    "merge_size": 2,
    "image_mean": [0.5, 0.5, 0.5],
    "image_std": [0.5, 0.5, 0.5],
    "processor_class": "Qwen3VLProcessor",
    "image_processor_type": "Qwen2VLImageProcessorFast",
}
VIDEO_PREPROCESSOR = {
    "size": {"longest_edge": 25165824, "shortest_edge": 4096},
    "patch_size": 16,
    "temporal_patch_size": 2,
    "merge_size": 2,
    "image_mean": [0.5, 0.5, 0.5],
    "image_std": [0.5, 0.5, 0.5],
    "processor_class": "Qwen3VLProcessor",
    "video_processor_type": "Qwen3VLVideoProcessor",
}

VISION = dict(
    depth=4,
    hidden_size=32,
    hidden_act="gelu_pytorch_tanh",
    intermediate_size=128,
    num_heads=2,
    in_channels=3,
    patch_size=16,
    spatial_merge_size=2,
    temporal_patch_size=2,
    num_position_embeddings=2304,
    deepstack_visual_indexes=[1, 2, 3],
)

MODELS = {
    # 2B: hidden 2048, 16 heads of 128, 8 key/value heads, MLP 3x, tied.
    "qwen3_vl_2b": dict(hidden=64, heads=2, kv=1, intermediate=192, tied=True, seed=11),
    # 4B: hidden 2560, 32 heads of 128 (4096 wide), 8 key/value heads, MLP 3.8x.
    "qwen3_vl_4b": dict(hidden=80, heads=4, kv=1, intermediate=304, tied=False, seed=12),
}


def config(m: dict, vocab: int) -> Qwen3VLConfig:
    return Qwen3VLConfig(
        text_config=dict(
            vocab_size=vocab,
            hidden_size=m["hidden"],
            intermediate_size=m["intermediate"],
            num_hidden_layers=4,
            num_attention_heads=m["heads"],
            num_key_value_heads=m["kv"],
            head_dim=32,
            hidden_act="silu",
            rms_norm_eps=1e-6,
            max_position_embeddings=262144,
            rope_parameters=dict(
                rope_type="default", rope_theta=5000000.0, mrope_section=[6, 5, 5], mrope_interleaved=True
            ),
        ),
        vision_config=dict(VISION, out_hidden_size=m["hidden"]),
        image_token_id=IMAGE,
        video_token_id=VIDEO,
        vision_start_token_id=START,
        vision_end_token_id=END,
        tie_word_embeddings=m["tied"],
    )


def randomize(model: torch.nn.Module, seed: int) -> None:
    """Weights large enough that logits spread out and greedy choices are clear,
    rounded to bf16 (what the checkpoint holds)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight") or "norm" in name.split(".")[-2]:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.15 * torch.randn(p.shape, generator=g))
            p.copy_(p.to(torch.bfloat16).float())


def published_layout(path: Path) -> None:
    """config.json as the published checkpoints have it."""
    cfg = json.loads(path.read_text())
    text = cfg["text_config"]
    rope = text.pop("rope_parameters")
    text["rope_theta"] = rope.pop("rope_theta")
    text["rope_scaling"] = rope
    cfg["dtype"] = text["dtype"] = "bfloat16"
    path.write_text(json.dumps(cfg, indent=2) + "\n")


def write_checkpoint(folder: Path, name: str, tokenizer: Path) -> None:
    m = MODELS[name]
    vocab = len(json.loads((tokenizer / "tokenizer.json").read_text())["model"]["vocab"])
    model = Qwen3VLForConditionalGeneration(config(m, vocab)).eval()
    randomize(model, m["seed"])
    model.to(torch.bfloat16).save_pretrained(folder, safe_serialization=True)
    published_layout(folder / "config.json")
    shutil.copy(tokenizer / "tokenizer.json", folder / "tokenizer.json")
    # A class both transformers 4.57 and 5 read from tokenizer.json alone; the vision
    # tokens are the processor's defaults, as in the published files.
    tokenizer_config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>",
        "model_max_length": 262144,
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2) + "\n")
    (folder / "chat_template.json").write_text(json.dumps({"chat_template": TEMPLATE_FILE.read_text()}, indent=2) + "\n")
    (folder / "preprocessor_config.json").write_text(json.dumps(PREPROCESSOR, indent=2) + "\n")
    (folder / "video_preprocessor_config.json").write_text(json.dumps(VIDEO_PREPROCESSOR, indent=2) + "\n")


def write_media(folder: Path) -> None:
    """A smooth picture with a few shapes (it compresses well), its crop, and a clip."""
    y, x = np.mgrid[0:720, 0:1280]
    rgb = np.stack([x * 255 // 1279, y * 255 // 719, (x + y) * 255 // 1998], axis=-1).astype(np.uint8)
    for cx, cy, r, color in [(300, 200, 90, (230, 40, 40)), (900, 450, 140, (40, 200, 60)), (640, 360, 40, (250, 250, 250))]:
        rgb[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = color
    rgb[500:640, 100:420] = (30, 60, 220)
    Image.fromarray(rgb).save(folder / "picture.png", optimize=True)
    Image.fromarray(rgb[130:280, 210:410]).save(folder / "crop.png", optimize=True)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc2=size=640x272:rate=25,format=rgb24",
         "-t", "4", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "medium", "-crf", "32", "-threads", "1",
         "-y", str(folder / "clip.mp4")],
        check=True,
    )


def ffmpeg_frames(video: Path) -> np.ndarray:
    """Every frame as the `ffmpeg` program converts it to RGB24."""
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
         "-of", "csv=p=0", str(video)], check=True, capture_output=True, text=True,
    ).stdout.strip().split(",")
    width, height = int(probe[0]), int(probe[1])
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-i", str(video), "-pix_fmt", "rgb24", "-f", "rawvideo", "-"],
        check=True, capture_output=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)


def released_video_layout(ids: list[int]) -> list[int]:
    """The ids with transformers 5's extra outer vision start/end around a video's frame
    runs removed: the layout of transformers 4.57, which Qwen3-VL was released with."""
    out = []
    i = 0
    while i < len(ids):
        # `<|vision_start|><t seconds>...`: an outer start is followed by a timestamp, not
        # by pads; its end is the `<|vision_end|>` right after a frame's own end.
        if ids[i] == START and i + 1 < len(ids) and ids[i + 1] not in (IMAGE, VIDEO):
            j = i + 1
            while not (ids[j] == END and ids[j - 1] == END):
                j += 1
            out.extend(ids[i + 1 : j])
            i = j + 1
        else:
            out.append(ids[i])
            i += 1
    return out


def digest(values: torch.Tensor) -> dict:
    v = values.float()
    return {"patches": int(v.shape[0]), "sum": float(v.double().sum()), "first": v[0, :8].tolist()}


def run(model, ids, **kwargs):
    types = [1 if t == IMAGE else 2 if t == VIDEO else 0 for t in ids]
    input_ids = torch.tensor([ids])
    with torch.no_grad():
        row = model(input_ids=input_ids, mm_token_type_ids=torch.tensor([types]), **kwargs).logits[0, -1].tolist()
        model.model.rope_deltas = None
        greedy = model.generate(
            input_ids=input_ids, mm_token_type_ids=torch.tensor([types]), max_new_tokens=GREEDY_STEPS,
            min_new_tokens=GREEDY_STEPS, do_sample=False, **kwargs,
        )[0, len(ids):].tolist()
        model.model.rope_deltas = None
    return row, greedy


def file_cases(model, processor, media: Path) -> list[dict]:
    picture = Image.open(media / "picture.png").convert("RGB")
    crop = Image.open(media / "crop.png").convert("RGB")
    frames = ffmpeg_frames(media / "clip.mp4")
    fps = 25.0
    prompts = [
        ("text", [], "Where is the red ball at 3.5 seconds?"),
        ("picture", ["picture.png"], "Describe the picture."),
        ("crop", ["crop.png"], "What is in the box?"),
        ("two_pictures", ["crop.png", "picture.png"], "Which shapes are in both?"),
        ("video", ["clip.mp4"], "When does the pattern move?"),
    ]
    out = []
    for name, files, text in prompts:
        content = [{"type": "video" if f.endswith(".mp4") else "image"} for f in files]
        content.append({"type": "text", "text": text})
        chat = processor.apply_chat_template([{"role": "user", "content": content}], add_generation_prompt=True, tokenize=False)
        kwargs = {}
        if name == "video":
            metadata = VideoMetadata(
                total_num_frames=len(frames), fps=fps, duration=len(frames) / fps, frames_indices=list(range(len(frames)))
            )
            inputs = processor(
                text=[chat], videos=[frames], video_metadata=[metadata], do_sample_frames=True, fps=2,
                return_tensors="pt",
            )
        else:
            images = [picture if f == "picture.png" else crop for f in files]
            inputs = processor(text=[chat], images=images or None, return_tensors="pt")
        ids = inputs["input_ids"][0].tolist()
        case = {"name": name, "files": files, "prompt": text, "chat": chat, "processor_ids": ids}
        if "pixel_values" in inputs:
            kwargs = {"pixel_values": inputs["pixel_values"], "image_grid_thw": inputs["image_grid_thw"]}
            case["image_grid_thw"] = inputs["image_grid_thw"].tolist()
            case["pixels"] = digest(inputs["pixel_values"])
        if "pixel_values_videos" in inputs:
            kwargs = {"pixel_values_videos": inputs["pixel_values_videos"], "video_grid_thw": inputs["video_grid_thw"]}
            case["video_grid_thw"] = inputs["video_grid_thw"].tolist()
            case["pixels"] = digest(inputs["pixel_values_videos"])
            ids = released_video_layout(ids)
        case["input_ids"] = ids
        case["logits"], case["greedy"] = run(model, ids, **kwargs)
        out.append(case)
    return out


def formula_pixels(patches: int, seed: float) -> torch.Tensor:
    """Pixel values for `patches` patches of 3x2x16x16, in [-1, 1]."""
    i = torch.arange(patches, dtype=torch.float64)[:, None]
    j = torch.arange(3 * 2 * 16 * 16, dtype=torch.float64)[None, :]
    return torch.sin(0.37 * i + 0.011 * j + seed).float()


def pixel_cases(model) -> list[dict]:
    """Prompts as ids with formula pixels: the model alone, fed the same pixels."""
    cases = [
        ("pixels_image", [9, 12, START] + [IMAGE] * 6 + [END, 30, 31], [[1, 4, 6]], None),
        ("pixels_two_images", [7, START] + [IMAGE] * 4 + [END, 8, START] + [IMAGE] * 3 + [END, 33], [[1, 4, 4], [1, 2, 6]], None),
        ("pixels_video", [40, 41, START] + [VIDEO] * 4 + [END, 42, 43, START] + [VIDEO] * 4 + [END, 50], None, [[2, 4, 4]]),
    ]
    out = []
    for name, ids, images, videos in cases:
        kwargs = {}
        if images:
            kwargs["pixel_values"] = formula_pixels(sum(t * h * w for t, h, w in images), 0.0)
            kwargs["image_grid_thw"] = torch.tensor(images)
        if videos:
            kwargs["pixel_values_videos"] = formula_pixels(sum(t * h * w for t, h, w in videos), 1.0)
            kwargs["video_grid_thw"] = torch.tensor(videos)
        logits, greedy = run(model, ids, **kwargs)
        out.append({"name": name, "input_ids": ids, "image_grid_thw": images, "video_grid_thw": videos,
                    "logits": logits, "greedy": greedy})
    return out


def main(out: Path) -> None:
    torch.manual_seed(0)
    root = out / "qwen3_vl_published"
    root.mkdir(exist_ok=True)
    write_media(root)
    reference = {"transformers": transformers.__version__, "torch": torch.__version__, "models": {}}
    for name in MODELS:
        folder = root / name
        write_checkpoint(folder, name, out / "qwen3_vl_tokenizer")
        model = Qwen3VLForConditionalGeneration.from_pretrained(folder, dtype=torch.float32).eval()
        processor = AutoProcessor.from_pretrained(folder)
        reference["models"][name] = {
            "image_processor": type(processor.image_processor).__name__,
            "video_processor": type(processor.video_processor).__name__,
            "cases": file_cases(model, processor, root) + pixel_cases(model),
        }
    (out / "qwen3_vl_published.json").write_text(json.dumps(reference, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
