"""Times Hugging Face transformers on the checkpoint and prompt that the model crate's
`qwen3_vl_bench` example wrote (random-weight Qwen3-VL-2B, a 16-frame video prompt):
prefill (until the first token) and greedy decode (the time between later tokens),
in one run, on the CPU with as many threads as cores, or on a GPU with sdpa attention.

    python bench/qwen3_vl_transformers.py target/bench-models/qwen3-vl-2b-random [cuda bfloat16]
"""

import inspect
import json
import os
import sys
import time
from pathlib import Path

import torch
import transformers
from transformers import Qwen3VLForConditionalGeneration


def main(folder: Path, device: str, dtype: str) -> None:
    torch.set_num_threads(os.cpu_count() or 1)
    bench = json.loads((folder / "bench_prompt.json").read_text())
    model = Qwen3VLForConditionalGeneration.from_pretrained(
        folder, dtype=getattr(torch, dtype), attn_implementation="sdpa"
    )
    model = model.to(device).eval()
    t, h, w = bench["video_grid_thw"]
    i = torch.arange(t * h * w, dtype=torch.float64)[:, None]
    j = torch.arange(1536, dtype=torch.float64)[None, :]
    pixels = torch.sin(0.37 * i + 0.011 * j).to(device=device, dtype=getattr(torch, dtype))
    ids = torch.tensor([bench["input_ids"]], device=device)
    video = model.config.video_token_id
    types = torch.tensor([[2 if x == video else 0 for x in bench["input_ids"]]], device=device)
    grid = torch.tensor([[t, h, w]], device=device)
    kwargs = dict(pixel_values_videos=pixels, video_grid_thw=grid)
    n = bench["decode_tokens"]
    # Newer transformers find the video tokens by their type.
    if "mm_token_type_ids" in inspect.signature(model.model.get_rope_index).parameters:
        kwargs["mm_token_type_ids"] = types

    class Clock(transformers.StoppingCriteria):
        """Notes the time as each token comes out; never stops generation."""

        def __init__(self) -> None:
            self.times: list[float] = []

        def __call__(self, input_ids, scores, **kwargs):
            if device == "cuda":
                torch.cuda.synchronize()
            self.times.append(time.perf_counter())
            return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)

    with torch.no_grad():
        # Warm the thread pool and allocator (and on a GPU, the kernels) first.
        model.generate(input_ids=ids[:, :8], max_new_tokens=2, do_sample=False)
        if device == "cuda":
            model.generate(input_ids=ids, max_new_tokens=2, do_sample=False, **kwargs)
            model.model.rope_deltas = None
        clock = Clock()
        if device == "cuda":
            torch.cuda.synchronize()
        started = time.perf_counter()
        out = model.generate(
            input_ids=ids,
            max_new_tokens=n + 1,
            min_new_tokens=n + 1,
            do_sample=False,
            stopping_criteria=transformers.StoppingCriteriaList([clock]),
            **kwargs,
        )
    # The first token comes out of the prefill; each later one out of a decode step.
    prefill = clock.times[0] - started
    decode = (clock.times[-1] - clock.times[0]) / (len(clock.times) - 1)
    tokens = out[0, ids.shape[1] :].tolist()
    print(
        json.dumps(
            {
                "transformers": transformers.__version__,
                "torch": torch.__version__,
                "device": torch.cuda.get_device_name() if device == "cuda" else "cpu",
                "dtype": dtype,
                "threads": torch.get_num_threads(),
                "prompt_tokens": len(bench["input_ids"]),
                "prefill_s": prefill,
                "prefill_tokens_per_s": len(bench["input_ids"]) / prefill,
                "decode_tokens": n,
                "decode_ms_per_token": decode * 1e3,
                "tokens": tokens,
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), *(sys.argv[2:4] or ["cpu", "float32"]))
