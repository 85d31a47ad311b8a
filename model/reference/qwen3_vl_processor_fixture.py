"""Reference values for the processor parity test, from Hugging Face transformers'
processors with Qwen3-VL's settings (16-pixel patches, 2x2 merge, two frames per
patch, mean and std 0.5): `Qwen2VLImageProcessorPil` (PIL's bicubic), the default
`Qwen2VLImageProcessor` (torchvision's antialiased bicubic on 8-bit pictures) and
`Qwen3VLVideoProcessor` (torchvision too).

Synthetic pictures (a formula the Rust test repeats), grown and shrunk by smart
resize, and a five-frame video (an odd frame out, sized before it is paired). Records
the resized 8-bit picture (hex), the patch grid, the first and last patch's values and the
sum of all values.

Run from the repository root:
    python model/reference/qwen3_vl_processor_fixture.py model/tests/fixtures
"""

import json
import sys
from pathlib import Path

import numpy as np
import torch
import transformers
from PIL import Image
from torchvision.transforms.v2 import functional as tvF
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil
from transformers.models.qwen2_vl.image_processing_qwen2_vl import Qwen2VLImageProcessor, smart_resize
from transformers.models.qwen3_vl.video_processing_qwen3_vl import Qwen3VLVideoProcessor
from transformers.models.qwen3_vl.video_processing_qwen3_vl import smart_resize as video_smart_resize
from transformers.video_utils import VideoMetadata

SETTINGS = dict(patch_size=16, merge_size=2, temporal_patch_size=2, image_mean=[0.5] * 3, image_std=[0.5] * 3)


def picture(width: int, height: int, t: int = 0) -> np.ndarray:
    y, x, c = np.meshgrid(np.arange(height), np.arange(width), np.arange(3), indexing="ij")
    return ((x * 7 + y * 13 + c * 50 + t * 29 + (x * y) % 11) % 256).astype(np.uint8)


def summary(values: np.ndarray) -> dict:
    values = values.astype(np.float32)
    return {
        "first_patch": values[0].tolist(),
        "last_patch": values[-1].tolist(),
        "sum": float(values.astype(np.float64).sum()),
        "patches": int(values.shape[0]),
    }


def torch_resize(rgb: np.ndarray, h: int, w: int) -> np.ndarray:
    tensor = torch.from_numpy(rgb).permute(2, 0, 1).contiguous()
    resized = tvF.resize(tensor, [h, w], interpolation=tvF.InterpolationMode.BICUBIC, antialias=True)
    return resized.permute(1, 2, 0).numpy()


def main(out: Path) -> None:
    cases = []
    for width, height, min_pixels, max_pixels in [(50, 37, 4096, 16384), (300, 200, 4096, 8192), (203, 151, 4096, 20480)]:
        rgb = picture(width, height)
        rh, rw = smart_resize(height, width, 32, min_pixels, max_pixels)
        size = {"shortest_edge": min_pixels, "longest_edge": max_pixels}
        for backend in ["pil", "torchvision"]:
            if backend == "pil":
                processor = Qwen2VLImageProcessorPil(**SETTINGS, size=size)
                resized = np.asarray(Image.fromarray(rgb).resize((rw, rh), Image.BICUBIC))
            else:
                processor = Qwen2VLImageProcessor(**SETTINGS, size=size)
                resized = torch_resize(rgb, rh, rw)
            result = processor(images=[Image.fromarray(rgb)], return_tensors="np")
            case = {
                "kind": "image",
                "backend": backend,
                "width": width,
                "height": height,
                "frames": 1,
                "min_pixels": min_pixels,
                "max_pixels": max_pixels,
                "resized": [rh, rw],
                "resized_rgb": resized.tobytes().hex(),
                "grid": result["image_grid_thw"][0].tolist(),
            }
            case.update(summary(result["pixel_values"]))
            cases.append(case)

    # Five frames of 150x97: sized for five frames, then the last one repeated.
    width, height, frames, min_pixels, max_pixels = 150, 97, 5, 4096, 5 * 4096
    video = np.stack([picture(width, height, t) for t in range(frames)])
    processor = Qwen3VLVideoProcessor(size={"shortest_edge": min_pixels, "longest_edge": max_pixels}, **SETTINGS)
    metadata = VideoMetadata(total_num_frames=frames, fps=10.0, frames_indices=list(range(frames)))
    result = processor(
        videos=[video], video_metadata=[metadata], do_sample_frames=False, cap_pixels_per_frame=False,
        return_tensors="np",
    )
    rh, rw = video_smart_resize(frames, height, width, 2, 32, min_pixels, max_pixels)
    case = {
        "kind": "video",
        "backend": "torchvision",
        "width": width,
        "height": height,
        "frames": frames,
        "min_pixels": min_pixels,
        "max_pixels": max_pixels,
        "resized": [rh, rw],
        "resized_rgb": torch_resize(video[frames - 1], rh, rw).tobytes().hex(),
        "grid": result["video_grid_thw"][0].tolist(),
    }
    case.update(summary(result["pixel_values_videos"]))
    cases.append(case)
    doc = {"transformers": transformers.__version__, "torch": torch.__version__, "cases": cases}
    (out / "qwen3_vl_processor.json").write_text(json.dumps(doc) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
