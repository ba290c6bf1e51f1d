#!/usr/bin/env python3
"""Opens a raw run directory with EXtra-data (European XFEL's reader) and prints, as JSON,
what it sees for every AGIPD module: train ids, the per-frame train ids of image.data, its
shape and the sum of each frame. CalFarm's tests compare this with their own reading.

Usage: extra_data_read.py RUN_DIR
Exit code 3 (with a message on stderr) if extra_data is not installed.
"""
import json
import sys

try:
    import numpy as np
    from extra_data import RunDirectory
    from extra_data.components import AGIPD1M
except ImportError as error:
    print(f"extra_data is not importable ({error}); run: python3 -m pip install extra-data",
          file=sys.stderr)
    sys.exit(3)


def main(run_dir):
    run = RunDirectory(run_dir)
    result = {"train_ids": [int(t) for t in run.train_ids], "modules": {}}
    for source in sorted(run.instrument_sources):
        if not source.endswith(":xtdf"):
            continue
        data = run.get_array(source, "image.data")
        frames = data.values.reshape(data.shape[0], -1).astype(np.int64)
        cells = run.get_array(source, "image.cellId").values.reshape(-1)
        result["modules"][source] = {
            "shape": [int(n) for n in data.shape],
            "frame_train_ids": [int(t) for t in data.coords["trainId"].values],
            "frame_sums": [int(s) for s in frames.sum(axis=1)],
            "cell_ids": [int(c) for c in cells],
        }
    agipd = AGIPD1M(run)
    result["agipd_modules"] = sorted(int(m) for m in agipd.source_to_modno.values())
    result["agipd_shape"] = [int(n) for n in agipd.get_array("image.data").shape]
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
