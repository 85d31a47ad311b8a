"""Reference values for the Qwen3-VL parity tests, from Hugging Face transformers.

Builds two tiny Qwen3-VL models with random weights (output head tied to the input
embedding, and untied), saves each in the hub's layout (config.json and
model.safetensors), and records, for prompts given as token ids: the logits at the last
position and the greedy continuation. One case passes explicit 3-D (time, height,
width) rotary positions, as image and video tokens get.

The untied model's config.json is rewritten in the older hub layout (`rope_theta` and
`rope_scaling` in text_config) that the published checkpoints use; transformers reads
both, and so must Vidence.

Run from the repository root:
    python model/reference/qwen3_vl_fixture.py model/tests/fixtures
(needs torch, transformers >= 5, safetensors). Writes qwen3_vl_{tied,untied}/ and
qwen3_vl_reference.json there.
"""

import json
import sys
from pathlib import Path

import torch
import transformers
from transformers import Qwen3VLConfig, Qwen3VLForConditionalGeneration

VOCAB = 256
GREEDY_STEPS = 8


def config(tied: bool) -> Qwen3VLConfig:
    return Qwen3VLConfig(
        text_config=dict(
            vocab_size=VOCAB,
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=16,
            rms_norm_eps=1e-6,
            max_position_embeddings=4096,
            rope_parameters=dict(rope_type="default", rope_theta=10000.0, mrope_section=[2, 3, 3], mrope_interleaved=True),
        ),
        vision_config=dict(
            depth=2,
            hidden_size=32,
            intermediate_size=64,
            num_heads=2,
            patch_size=16,
            spatial_merge_size=2,
            temporal_patch_size=2,
            out_hidden_size=64,
            num_position_embeddings=64,
            deepstack_visual_indexes=[0, 1],
        ),
        image_token_id=251,
        video_token_id=252,
        vision_start_token_id=249,
        vision_end_token_id=250,
        tie_word_embeddings=tied,
    )


def randomize(model: torch.nn.Module, seed: int) -> None:
    """Weights large enough that logits spread out and greedy choices are clear."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight") or "norm" in name.split(".")[-2]:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.15 * torch.randn(p.shape, generator=g))


def logits(model, ids, position_ids=None):
    with torch.no_grad():
        out = model(input_ids=torch.tensor([ids]), position_ids=position_ids)
    return out.logits[0, -1].tolist()


def greedy(model, ids):
    ids = list(ids)
    new = []
    for _ in range(GREEDY_STEPS):
        row = logits(model, ids)
        token = max(range(len(row)), key=row.__getitem__)
        new.append(token)
        ids.append(token)
    return new


def pixels(patches: int, seed: float) -> torch.Tensor:
    """Pixel values for `patches` patches of 3x2x16x16, in [-1, 1]."""
    i = torch.arange(patches, dtype=torch.float64)[:, None]
    j = torch.arange(3 * 2 * 16 * 16, dtype=torch.float64)[None, :]
    return torch.sin(0.37 * i + 0.011 * j + seed).float()


IMAGE, VIDEO, START, END = 251, 252, 249, 250


def multimodal_cases(model):
    """Prompts with images and videos: ids, token types, grids and pixel values."""
    def tokens(grid):
        t, h, w = grid
        return (h // 2) * (w // 2)

    cases = []
    image = [1, 4, 6]
    ids = [5, 9, START] + [IMAGE] * tokens(image) + [END, 30, 31]
    cases.append(("image", ids, [image], None))
    images = [[1, 4, 4], [1, 2, 6]]
    ids = [7, START] + [IMAGE] * 4 + [END, 8, START] + [IMAGE] * 3 + [END, 33]
    cases.append(("two_images", ids, images, None))
    video = [2, 4, 4]
    ids = [40, 41, START] + [VIDEO] * 4 + [END, 42, 43, START] + [VIDEO] * 4 + [END, 50]
    cases.append(("video", ids, None, [video]))
    ids = [3, START] + [IMAGE] * 6 + [END, 44, START] + [VIDEO] * 4 + [END, 45, START] + [VIDEO] * 4 + [END, 46]
    cases.append(("image_and_video", ids, [image], [video]))

    out = []
    for name, ids, image_grids, video_grids in cases:
        kwargs = {}
        if image_grids:
            n = sum(t * h * w for t, h, w in image_grids)
            kwargs["pixel_values"] = pixels(n, 0.0)
            kwargs["image_grid_thw"] = torch.tensor(image_grids)
        if video_grids:
            n = sum(t * h * w for t, h, w in video_grids)
            kwargs["pixel_values_videos"] = pixels(n, 1.0)
            kwargs["video_grid_thw"] = torch.tensor(video_grids)
        types = [1 if t == IMAGE else 2 if t == VIDEO else 0 for t in ids]
        kwargs["mm_token_type_ids"] = torch.tensor([types])
        input_ids = torch.tensor([ids])
        with torch.no_grad():
            row = model(input_ids=input_ids, **kwargs).logits[0, -1].tolist()
            model.model.rope_deltas = None
            generated = model.generate(
                input_ids=input_ids, max_new_tokens=GREEDY_STEPS, min_new_tokens=GREEDY_STEPS, do_sample=False, **kwargs
            )[0, len(ids):].tolist()
            model.model.rope_deltas = None
        out.append(
            {
                "name": name,
                "input_ids": ids,
                "image_grid_thw": image_grids,
                "video_grid_thw": video_grids,
                "logits": row,
                "greedy": generated,
            }
        )
    return out


def from_file_case(model, out: Path):
    """An image read from a PNG file and processed by the reference image processor
    (PIL backend, Qwen3-VL settings), then run through the model."""
    import numpy as np
    from PIL import Image
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    path = out / "picture.png"
    if not path.exists():
        y, x, c = np.meshgrid(np.arange(37), np.arange(50), np.arange(3), indexing="ij")
        Image.fromarray(((x * 7 + y * 13 + c * 50 + (x * y) % 11) % 256).astype(np.uint8)).save(path)
    processor = Qwen2VLImageProcessorPil(
        patch_size=16, merge_size=2, temporal_patch_size=2, image_mean=[0.5] * 3, image_std=[0.5] * 3,
        size={"shortest_edge": 4096, "longest_edge": 16384},
    )
    inputs = processor(images=[Image.open(path).convert("RGB")], return_tensors="pt")
    grid = inputs["image_grid_thw"][0].tolist()
    ids = [5, 9, START] + [IMAGE] * (grid[0] * grid[1] * grid[2] // 4) + [END, 30, 31]
    types = [1 if t == IMAGE else 0 for t in ids]
    with torch.no_grad():
        row = model(
            input_ids=torch.tensor([ids]),
            pixel_values=inputs["pixel_values"].float(),
            image_grid_thw=inputs["image_grid_thw"],
            mm_token_type_ids=torch.tensor([types]),
        ).logits[0, -1].tolist()
    model.model.rope_deltas = None
    return {"name": "image_file", "image_file": path.name, "input_ids": ids, "image_grid_thw": [grid], "logits": row}


def from_frames_case(model, out: Path):
    """A video given as PNG frames, processed by the reference video processor (it
    resizes with torchvision, not PIL), then run through the model."""
    import numpy as np
    from PIL import Image
    from transformers.models.qwen3_vl.video_processing_qwen3_vl import Qwen3VLVideoProcessor

    folder = out / "video_frames"
    folder.mkdir(exist_ok=True)
    frames = []
    for t in range(8):
        y, x, c = np.meshgrid(np.arange(37), np.arange(50), np.arange(3), indexing="ij")
        frame = ((x * 7 + y * 13 + c * 50 + t * 29 + (x * y) % 11) % 256).astype(np.uint8)
        path = folder / f"frame_{t}.png"
        if not path.exists():
            Image.fromarray(frame).save(path)
        frames.append(np.asarray(Image.open(path).convert("RGB")))
    processor = Qwen3VLVideoProcessor(
        size={"shortest_edge": 8 * 4096, "longest_edge": 8 * 16384}, image_mean=[0.5] * 3, image_std=[0.5] * 3
    )
    inputs = processor(
        videos=[np.stack(frames)], do_sample_frames=False, cap_pixels_per_frame=False, return_tensors="pt"
    )
    grid = inputs["video_grid_thw"][0].tolist()
    per_frame = grid[1] * grid[2] // 4
    ids = [40]
    for _ in range(grid[0]):
        ids += [41, START] + [VIDEO] * per_frame + [END]
    ids += [50]
    types = [2 if t == VIDEO else 0 for t in ids]
    with torch.no_grad():
        row = model(
            input_ids=torch.tensor([ids]),
            pixel_values_videos=inputs["pixel_values_videos"].float(),
            video_grid_thw=inputs["video_grid_thw"],
            mm_token_type_ids=torch.tensor([types]),
        ).logits[0, -1].tolist()
    model.model.rope_deltas = None
    return {
        "name": "video_frames",
        "video_frames": [f"video_frames/frame_{t}.png" for t in range(8)],
        "input_ids": ids,
        "video_grid_thw": [grid],
        "logits": row,
    }


def legacy_layout(path: Path) -> None:
    cfg = json.loads(path.read_text())
    text = cfg["text_config"]
    rope = text.pop("rope_parameters")
    text["rope_theta"] = rope.pop("rope_theta")
    text["rope_scaling"] = rope
    path.write_text(json.dumps(cfg, indent=2) + "\n")


def main(out: Path) -> None:
    torch.manual_seed(0)
    prompts = {
        "short": [1, 17, 42, 99, 7],
        "long": [(i * 37 + 11) % 240 for i in range(40)],
    }
    # 3-D positions as a 2x3 grid of image tokens gets after 4 text tokens:
    # text 0..3, then time 4 and height/width 4 + row/column, then text again.
    grid_ids = [5, 9, 13, 249] + [251] * 6 + [250, 20, 21]
    t = [0, 1, 2, 3] + [4] * 6 + [7, 8, 9]
    h = [0, 1, 2, 3] + [4, 4, 4, 5, 5, 5] + [7, 8, 9]
    w = [0, 1, 2, 3] + [4, 5, 6, 4, 5, 6] + [7, 8, 9]
    grid_positions = torch.tensor([t, h, w]).unsqueeze(1)

    reference = {"transformers": transformers.__version__, "torch": torch.__version__, "models": {}}
    for name, tied, seed in [("qwen3_vl_tied", True, 1), ("qwen3_vl_untied", False, 2)]:
        model = Qwen3VLForConditionalGeneration(config(tied)).eval().float()
        randomize(model, seed)
        folder = out / name
        model.save_pretrained(folder, safe_serialization=True)
        if not tied:
            legacy_layout(folder / "config.json")
            reloaded = Qwen3VLForConditionalGeneration.from_pretrained(folder).eval().float()
            assert logits(reloaded, prompts["short"]) == logits(model, prompts["short"])
        cases = [
            {"name": key, "input_ids": ids, "logits": logits(model, ids), "greedy": greedy(model, ids)}
            for key, ids in prompts.items()
        ]
        cases.append(
            {
                "name": "grid_positions",
                "input_ids": grid_ids,
                "position_ids": [t, h, w],
                "logits": logits(model, grid_ids, grid_positions),
            }
        )
        cases.extend(multimodal_cases(model))
        cases.append(from_file_case(model, out))
        cases.append(from_frames_case(model, out))
        reference["models"][name] = cases
    (out / "qwen3_vl_reference.json").write_text(json.dumps(reference, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
