"""Times Hugging Face transformers on the checkpoint and prompt `vidence bench model`
wrote (random-weight Qwen3-VL-2B, a 16-frame video prompt): prefill (generating one
token) and greedy decode (the time a run of n more tokens adds), on the CPU with as
many threads as cores.

    python bench/qwen3_vl_transformers.py target/bench-models/qwen3-vl-2b-random
"""

import json
import os
import sys
import time
from pathlib import Path

import torch
import transformers
from transformers import Qwen3VLForConditionalGeneration


def main(folder: Path) -> None:
    torch.set_num_threads(os.cpu_count() or 1)
    bench = json.loads((folder / "bench_prompt.json").read_text())
    model = Qwen3VLForConditionalGeneration.from_pretrained(folder, dtype=torch.float32).eval()
    t, h, w = bench["video_grid_thw"]
    i = torch.arange(t * h * w, dtype=torch.float64)[:, None]
    j = torch.arange(1536, dtype=torch.float64)[None, :]
    pixels = torch.sin(0.37 * i + 0.011 * j).float()
    ids = torch.tensor([bench["input_ids"]])
    video = model.config.video_token_id
    types = torch.tensor([[2 if x == video else 0 for x in bench["input_ids"]]])
    kwargs = dict(pixel_values_videos=pixels, video_grid_thw=torch.tensor([[t, h, w]]), mm_token_type_ids=types)
    n = bench["decode_tokens"]
    with torch.no_grad():
        # Warm the thread pool and allocator on a short text prompt first.
        model.generate(input_ids=ids[:, :8], max_new_tokens=2, do_sample=False)
        started = time.perf_counter()
        model.generate(input_ids=ids, max_new_tokens=1, do_sample=False, **kwargs)
        prefill = time.perf_counter() - started
        model.model.rope_deltas = None
        started = time.perf_counter()
        model.generate(input_ids=ids, max_new_tokens=n + 1, min_new_tokens=n + 1, do_sample=False, **kwargs)
        total = time.perf_counter() - started
    print(
        json.dumps(
            {
                "transformers": transformers.__version__,
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "prompt_tokens": len(bench["input_ids"]),
                "prefill_s": prefill,
                "prefill_tokens_per_s": len(bench["input_ids"]) / prefill,
                "decode_tokens": n,
                # Both runs prefill; the longer one then takes n more decode steps.
                "decode_ms_per_token": (total - prefill) * 1e3 / n,
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
