"""Reads Vidence's exports with the formats' own reference readers and checks that they
all see the same boxes, and as many as Vidence says it wrote.

For each dataset (the demo, and the samples under annotate/tests/fixtures/formats as
Vidence imported them), the script exports CVAT, MOT and COCO with the `vidence`
binary, then reads them with datumaro (CVAT), py-motmetrics (MOT) and pycocotools
(COCO). Every reader's boxes, as (frame, category, x, y, w, h), must be the same set,
and their count the number of boxes Vidence reports. py-motmetrics moves MOT's boxes
by one pixel (it takes MOT as 1-based, "the MATLAB convention"); that pixel is added
back. Run through scripts/reference-readers.sh.
"""

import json
import os
import subprocess
import sys
import tempfile

import datumaro as dm
import motmetrics as mm
from pycocotools.coco import COCO

VIDENCE = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "annotate", "tests", "fixtures", "formats")


def vidence(*args):
    out = subprocess.run([VIDENCE, *args, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def key(frame, category, x, y, w, h):
    return (int(frame), category, float(x), float(y), float(w), float(h))


# Vidence keeps corners as 32-bit floats: a width written back from them may differ
# from the file's in its last digits (56.434998 for 56.435). datumaro rounds CVAT's
# coordinates to two decimals (as CVAT writes them): 210.364 reads as 210.36.
TOLERANCE = 0.006


def differ(a, b):
    """The boxes of `a` with no box of `b` within TOLERANCE on the same frame."""
    by_frame = {}
    for box in b:
        by_frame.setdefault((box[0], box[1]), []).append(box)
    return [box for box in sorted(a) if not any(
        all(abs(p - q) <= TOLERANCE for p, q in zip(box[2:], other[2:])) for other in by_frame.get((box[0], box[1]), []))]


def read_cvat(path):
    folder = tempfile.mkdtemp()
    os.symlink(os.path.abspath(path), os.path.join(folder, "annotations.xml"))
    data = dm.Dataset.import_from(folder, "cvat")
    labels = data.categories()[dm.AnnotationType.label]
    boxes = set()
    for item in data:
        frame = int(item.attributes.get("frame", item.id.split("_")[-1]))
        for a in item.annotations:
            if a.type == dm.AnnotationType.bbox and not a.attributes.get("outside", False):
                boxes.add(key(frame, labels[a.label].name, *a.get_bbox()))
    return boxes


def read_mot(folder, video):
    gt = mm.io.loadtxt(os.path.join(folder, video, "gt", "gt.txt"), fmt="mot15-2D")
    names_file = os.path.join(folder, video, "gt", "labels.txt")
    names = open(names_file).read().split("\n") if os.path.exists(names_file) else None
    boxes = set()
    for (frame, _), row in gt.iterrows():
        # The class is the eighth column; loadtxt's mot15-2D names it ClassId.
        cls = int(row["ClassId"])
        category = names[cls - 1] if names else str(cls)
        boxes.add(key(frame - 1, category, row["X"] + 1, row["Y"] + 1, row["Width"], row["Height"]))
    return boxes, names is not None


def read_coco(path):
    coco = COCO(path)
    boxes = set()
    for a in coco.dataset["annotations"]:
        image = coco.imgs[a["image_id"]]
        category = coco.cats[a["category_id"]]["name"]
        boxes.add(key(image["frame_id"], category, *a["bbox"]))
    return boxes


def check(name, dataset, source=None):
    out = tempfile.mkdtemp()
    cvat = vidence("export", "cvat", dataset, "--out", f"{out}/cvat.xml")
    vidence("export", "mot", dataset, "--out", f"{out}/mot")
    vidence("export", "coco", dataset, "--out", f"{out}/coco.json")
    video = json.load(open(dataset))["videos"][0]["id"]
    got = {"datumaro (cvat)": read_cvat(f"{out}/cvat.xml")}
    mot, named = read_mot(f"{out}/mot", video)
    got["py-motmetrics (mot)"] = mot
    got["pycocotools (coco)"] = read_coco(f"{out}/coco.json")
    if source is not None:
        # The sample itself, through the same reader: what Vidence read is what it wrote.
        original = mm.io.loadtxt(source, fmt="mot15-2D")
        got["py-motmetrics (the sample)"] = {
            key(f - 1, "", r["X"] + 1, r["Y"] + 1, r["Width"], r["Height"]) for (f, _), r in original.iterrows()
        }
        named = False
    if not named:
        # MOT16's class numbers: compare the boxes and frames only.
        for reader in got:
            got[reader] = {(f, "", x, y, w, h) for (f, _, x, y, w, h) in got[reader]}
    sizes = {reader: len(boxes) for reader, boxes in got.items()}
    first = next(iter(got.values()))
    same = all(not differ(boxes, first) and not differ(first, boxes) for boxes in got.values())
    ok = same and all(n == cvat["boxes"] for n in sizes.values())
    print(f"{name}: vidence wrote {cvat['boxes']} boxes of {cvat['tracks']} tracks; read back: "
          + ", ".join(f"{r} {n}" for r, n in sizes.items())
          + (f"; the same boxes (within {TOLERANCE} px)" if same else "; THE BOXES DIFFER"))
    if not same:
        for reader, boxes in got.items():
            print(f"  {reader}: {len(differ(boxes, first))} not in the first reader's, e.g. {differ(boxes, first)[:3]}")
    return ok


def main():
    work = tempfile.mkdtemp()
    subprocess.run([VIDENCE, "demo", "--out", f"{work}/demo"], check=True, capture_output=True)
    datasets = [("demo", f"{work}/demo/demo.vidence.json", None)]
    for format, sample in [
        ("cvat", "cvat/dagshub_sample_video.xml"),
        ("cvat", "cvat/datumaro_for_video_annotations.xml"),
        ("mot", "mot/py-motmetrics/TUD-Campus/gt.txt"),
        ("mot", "mot/py-motmetrics/TUD-Stadtmitte/gt.txt"),
        ("youtube-vis", "youtube-vis/labelformat_ovis_annotations_train.json"),
    ]:
        path = f"{work}/{len(datasets)}.json"
        vidence("import", format, os.path.join(FIXTURES, sample), "--out", path)
        datasets.append((sample, path, os.path.join(FIXTURES, sample) if format == "mot" else None))
    ok = all([check(*dataset) for dataset in datasets])
    print(f"datumaro {dm.__version__}, py-motmetrics {mm.__version__}, pycocotools from PyPI")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
