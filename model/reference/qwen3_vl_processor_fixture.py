"""Reference values for the image processor parity test, from Hugging Face
transformers' Qwen2VLImageProcessorPil with Qwen3-VL's settings (16-pixel patches,
2x2 merge, two frames per patch, mean and std 0.5).

Two synthetic pictures (a formula the Rust test repeats): one grown, one shrunk by
smart resize. Records the resized 8-bit picture (PIL bicubic), the patch grid, the
first and last patch's values and the sum of all values.

Run from the repository root:
    python model/reference/qwen3_vl_processor_fixture.py model/tests/fixtures
"""

import json
import sys
from pathlib import Path

import numpy as np
import transformers
from PIL import Image
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil, smart_resize


def picture(width: int, height: int) -> np.ndarray:
    y, x, c = np.meshgrid(np.arange(height), np.arange(width), np.arange(3), indexing="ij")
    return ((x * 7 + y * 13 + c * 50 + (x * y) % 11) % 256).astype(np.uint8)


def main(out: Path) -> None:
    cases = []
    for width, height, min_pixels, max_pixels in [(50, 37, 4096, 16384), (300, 200, 4096, 8192)]:
        processor = Qwen2VLImageProcessorPil(
            patch_size=16,
            merge_size=2,
            temporal_patch_size=2,
            image_mean=[0.5, 0.5, 0.5],
            image_std=[0.5, 0.5, 0.5],
            size={"shortest_edge": min_pixels, "longest_edge": max_pixels},
        )
        rgb = picture(width, height)
        result = processor(images=[Image.fromarray(rgb)], return_tensors="np")
        values = result["pixel_values"].astype(np.float32)
        rh, rw = smart_resize(height, width, 32, min_pixels, max_pixels)
        resized = np.asarray(Image.fromarray(rgb).resize((rw, rh), Image.BICUBIC))
        cases.append(
            {
                "width": width,
                "height": height,
                "min_pixels": min_pixels,
                "max_pixels": max_pixels,
                "resized": [rh, rw],
                "resized_rgb": resized.reshape(-1).tolist(),
                "grid": result["image_grid_thw"][0].tolist(),
                "first_patch": values[0].tolist(),
                "last_patch": values[-1].tolist(),
                "sum": float(values.astype(np.float64).sum()),
                "patches": int(values.shape[0]),
            }
        )
    doc = {"transformers": transformers.__version__, "cases": cases}
    (out / "qwen3_vl_processor.json").write_text(json.dumps(doc) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
