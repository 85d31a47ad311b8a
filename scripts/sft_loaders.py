#!/usr/bin/env python3
# Reads Vidence's LLaMA-Factory export with LLaMA-Factory's own registry parser and converter.
import json, sys
from llamafactory.data.parser import get_dataset_list
from llamafactory.data.converter import get_dataset_converter
from llamafactory.hparams import DataArguments
import importlib.metadata as m
d = sys.argv[1]
attrs = get_dataset_list(["vidence_sft"], d)
a = attrs[0]
args = DataArguments(dataset_dir=d, media_dir=d)
conv = get_dataset_converter(a.formatting, a, args)
rows = json.load(open(f"{d}/{a.dataset_name}"))
out = [conv(r) for r in rows]
print("llamafactory", m.version("llamafactory"), "records", len(out),
      "videos", sum(len(o["_videos"] or []) for o in out),
      "prompt turns", sum(len(o["_prompt"]) for o in out), "responses", sum(len(o["_response"]) for o in out))
print("first response:", out[0]["_response"][0]["content"][:120].replace("\n"," "))
