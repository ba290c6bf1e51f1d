#!/usr/bin/env python3
"""Reference for `calfarm-bench pipeline`: a whole XFEL dark as a physicist would write it with
h5py + numpy, reading every raw file once — no gathered copy, no per-ASIC products.

Per channel and run (run k = gain stage k), over the frames of each memory cell (agipd-reference
§6.3, as CalFarm computes it):
  offset         = trunc(mean analog)            (int64)
  gainlevel_mean = trunc(mean digital)           (int64)
  stddev         = population std of analog      (float64)
  threshold[k]   = floor((gl[k] + gl[k+1]) / 2)  (float64, from the truncated gain levels)
  frame_count    = frames per cell               (uint32)
written as `channelCC/<key>` (3 or 2, cells, 128, 512) to a joined file in the AGIPD orientation
and (512, 128) to one in the XFEL orientation, like CalFarm's join. The simulated runs have no
lost or bogus trains, so every frame of the file counts.

Usage: dark_raw_numpy.py INPUT_DIR DETECTOR OUT_DIR --runs R1 R2 R3 --channels C… --cells N [--compare JOINED_AGIPD.h5]
Prints one JSON line: seconds (first file opened .. both files written), raw bytes read and, with
--compare, the differences from CalFarm's joined constants (and writes nothing).
"""
import argparse
import glob
import json
import os
import time

import h5py
import numpy as np


def to_agipd(planes, channel):
    """(…, 512, 128) XFEL orientation → (…, 128, 512) AGIPD orientation (agipd-reference §5.4)."""
    if channel < 8:
        return np.swapaxes(planes[..., ::-1, :], -1, -2)
    return np.swapaxes(planes[..., :, ::-1], -1, -2)


def stage(files, source, cells):
    """Sums per cell over every frame of one run's files: n, Σa, Σa², Σd (XFEL orientation)."""
    n = np.zeros(cells, np.int64)
    sa = np.zeros((cells, 512, 128)); saa = np.zeros((cells, 512, 128)); sd = np.zeros((cells, 512, 128))
    read = 0
    for path in files:
        with h5py.File(path, "r") as f:
            data = f[f"{source}/data"][()]
            cell_ids = f[f"{source}/cellId"][()].reshape(-1)
        read += data.nbytes
        for c in range(cells):
            sel = cell_ids == c
            if not sel.any():
                continue
            analog = data[sel, 0].astype(np.float64)
            n[c] += analog.shape[0]
            sa[c] += analog.sum(axis=0)
            saa[c] += np.einsum("ijk,ijk->jk", analog, analog)
            sd[c] += data[sel, 1].sum(axis=0, dtype=np.float64)
    return n, sa, saa, sd, read


def main():
    p = argparse.ArgumentParser()
    p.add_argument("input_dir"); p.add_argument("detector"); p.add_argument("out_dir")
    p.add_argument("--runs", type=int, nargs=3, required=True)
    p.add_argument("--channels", type=int, nargs="+", required=True)
    p.add_argument("--cells", type=int, required=True)
    p.add_argument("--compare")
    a = p.parse_args()
    start = time.perf_counter()
    read = 0
    differences = {}
    os.makedirs(a.out_dir, exist_ok=True)
    # With --compare nothing is written (the timed runs write; the check only needs the values).
    agipd = None if a.compare else h5py.File(os.path.join(a.out_dir, "numpy_joined_agipd.h5"), "w")
    xfel = None if a.compare else h5py.File(os.path.join(a.out_dir, "numpy_joined_xfel.h5"), "w")
    for channel in a.channels:
        source = f"INSTRUMENT/{a.detector}/DET/{channel}CH0:xtdf/image"
        offset = np.zeros((3, a.cells, 512, 128), np.int64); gain = np.zeros_like(offset)
        stddev = np.zeros((3, a.cells, 512, 128)); count = np.zeros((3, a.cells, 512, 128), np.uint32)
        for k, run in enumerate(a.runs):
            files = sorted(glob.glob(os.path.join(a.input_dir, "raw", f"r{run:04d}", f"RAW-R{run:04d}-AGIPD{channel:02d}-S*.h5")))
            n, sa, saa, sd, r = stage(files, source, a.cells)
            read += r
            nn = n[:, None, None].astype(np.float64)
            mean = sa / nn
            offset[k] = np.trunc(mean); gain[k] = np.trunc(sd / nn)
            stddev[k] = np.sqrt(np.maximum(saa / nn - mean * mean, 0))
            count[k] = n[:, None, None]
        threshold = np.floor((gain[:-1] + gain[1:]) / 2).astype(np.float64)
        keys = {"offset": offset, "gainlevel_mean": gain, "stddev": stddev, "threshold": threshold, "frame_count": count}
        if a.compare:   # one channel at a time: a 352-cell channel's constants are 2.3 GB
            with h5py.File(a.compare, "r") as f:
                g = f[f"channel{channel:02d}"]
                for name, values in keys.items():
                    mine, theirs = to_agipd(values, channel), g[name][()]
                    if name == "stddev":
                        rel = np.abs(theirs - mine) / np.maximum(np.abs(theirs), 1e-300)
                        differences[f"{channel}/{name}_max_relative"] = float(np.max(rel))
                    else:
                        differences[f"{channel}/{name}"] = int((theirs != mine).sum())
            continue
        ga, gx = agipd.create_group(f"channel{channel:02d}"), xfel.create_group(f"channel{channel:02d}")
        for name, values in keys.items():
            ga[name] = np.ascontiguousarray(to_agipd(values, channel))
            gx[name] = values
    if agipd is not None:
        agipd.close(); xfel.close()
    seconds = time.perf_counter() - start
    out = {"seconds": seconds, "bytesRead": read, "numpy": np.__version__, "h5py": h5py.__version__}
    if a.compare:
        out["differences"] = differences
    print(json.dumps(out))


if __name__ == "__main__":
    main()
