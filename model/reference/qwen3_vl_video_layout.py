"""How the installed transformers lays out a video in a Qwen3-VL prompt, for the video
layout fixture: the ids its `Qwen3VLProcessor` gives a chat of one video (four frames
of 64x64 at 2 fps, a frame pair a token each after merging) and a question, with the
published-layout checkpoint `qwen3_vl_published/qwen3_vl_2b` (its chat template and
tokenizer).

Run under each transformers version, from the repository root:
    python model/reference/qwen3_vl_video_layout.py model/tests/fixtures
with transformers 5.24 and with 4.57.1 (the version Qwen3-VL was released with; for
example `pip install --no-deps --target DIR transformers==4.57.1
huggingface_hub==0.36.0 tokenizers==0.22.1` and `PYTHONPATH=DIR`). Each run adds
its version's ids to qwen3_vl_video_layout.json.
"""

import json
import sys
from pathlib import Path

import numpy as np
import transformers
from transformers import AutoProcessor


def main(out: Path) -> None:
    folder = out / "qwen3_vl_published" / "qwen3_vl_2b"
    processor = AutoProcessor.from_pretrained(folder)
    content = [{"type": "video"}, {"type": "text", "text": "What moves?"}]
    chat = processor.apply_chat_template([{"role": "user", "content": content}], add_generation_prompt=True, tokenize=False)
    frames = np.stack([np.full((64, 64, 3), 40 * t, np.uint8) for t in range(4)])
    kwargs = dict(text=[chat], videos=[frames], do_sample_frames=False, return_tensors="pt")
    try:
        from transformers.video_utils import VideoMetadata

        kwargs["video_metadata"] = [VideoMetadata(total_num_frames=4, fps=2.0, duration=2.0, frames_indices=[0, 1, 2, 3])]
    except ImportError:
        pass
    inputs = processor(**kwargs)
    path = out / "qwen3_vl_video_layout.json"
    doc = json.loads(path.read_text()) if path.exists() else {}
    doc[transformers.__version__] = {
        "input_ids": inputs["input_ids"][0].tolist(),
        "text": processor.tokenizer.decode(inputs["input_ids"][0].tolist()),
        "video_grid_thw": inputs["video_grid_thw"].tolist(),
    }
    path.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
