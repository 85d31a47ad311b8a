#!/usr/bin/env python3
# Reads Vidence's ms-swift export with ms-swift's own dataset loader (strict: a row it
# cannot read is an error) and its template inputs, and checks each record comes out
# as written: the same turns, one video per <video> tag.
import importlib.metadata as m
import json
import sys

from swift.llm import load_dataset
from swift.llm.template.template_inputs import StdTemplateInputs

path = sys.argv[1]
written = [json.loads(line) for line in open(path)]
loaded, _ = load_dataset([path], strict=True, num_proc=1, load_from_cache_file=False)
assert len(loaded) == len(written), (len(loaded), len(written))
tags = videos = answers = 0
for row, want in zip(loaded, written):
    inputs = StdTemplateInputs.from_dict(row)
    turns = [(t["role"], t["content"]) for t in inputs.messages]
    assert turns == [(t["role"], t["content"]) for t in want["messages"]], (turns, want["messages"])
    assert inputs.videos == want["videos"], (inputs.videos, want["videos"])
    tags += sum(t["content"].count("<video>") for t in inputs.messages)
    videos += len(inputs.videos)
    answers += sum(t["role"] == "assistant" for t in inputs.messages)
assert tags == videos, (tags, videos)
print("ms-swift", m.version("ms-swift"), "records", len(loaded), "videos", videos, "<video> tags", tags,
      "assistant turns", answers)
print("first answer:", written[0]["messages"][-1]["content"][:120].replace("\n", " "))
