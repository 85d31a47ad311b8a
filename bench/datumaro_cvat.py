"""Times datumaro's import of the CVAT dataset in a folder (argv[1]): the import and
every item's annotations read. Prints the seconds."""

import sys
import time

import datumaro as dm

started = time.perf_counter()
dataset = dm.Dataset.import_from(sys.argv[1], "cvat")
boxes = sum(len(item.annotations) for item in dataset)
seconds = time.perf_counter() - started
print(f"datumaro {dm.__version__}: {len(dataset)} items, {boxes} annotations", file=sys.stderr)
print(seconds)
