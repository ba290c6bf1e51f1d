#!/usr/bin/env python3
"""Reference for benchmarks/drspc_pipeline.sh: the whole drspc computation for one channel as a
physicist would write it with h5py + numpy, reading every raw file once.

Same math as CalFarm (agipd-reference §6.4 with the fixes of docs/formats.md §5a): x = the
train's scan step (train id − the run's first train id); run k (in the order given) is used for
AGIPD rows 7 − k + 8j and 64 + k + 8j; per window, cell and pixel, least squares
analog ≈ slope·x + offset over the frames in the window; gainlevel_mean = trunc(mean digital);
threshold = floor((gm0 + gm1) / 2) of the untruncated means.

Usage: drspc_numpy.py INPUT_DIR CHANNEL DETECTOR OUT.h5 --runs R1..R8 --windows A,B C,D
       [--compare JOINED.h5]
Prints one JSON line: seconds (first file opened .. output written), raw bytes read and, with
--compare, the number of values differing from CalFarm's joined constants.
"""
import argparse
import glob
import json
import os
import time

import h5py
import numpy as np


def to_agipd(frames, channel):
    """(n, 512, 128) XFEL orientation → (n, 128, 512) AGIPD orientation."""
    if channel < 8:
        return np.swapaxes(frames[:, ::-1, :], 1, 2)
    return np.swapaxes(frames[:, :, ::-1], 1, 2)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("input_dir"); p.add_argument("channel", type=int); p.add_argument("detector"); p.add_argument("out")
    p.add_argument("--runs", type=int, nargs=8, required=True)
    p.add_argument("--windows", nargs=2, required=True)
    p.add_argument("--cells", type=int, required=True)
    p.add_argument("--compare")
    a = p.parse_args()
    windows = [tuple(int(v) for v in w.split(",")) for w in a.windows]
    cells, channel = a.cells, a.channel
    start = time.perf_counter()
    bytes_read = 0
    rows_of = [np.array([r for r in range(128) if (7 - r % 8 if r < 64 else r % 8) == k]) for k in range(8)]
    # Sums per window: n, Σx, Σx² per (run, cell); Σy, Σxy, Σd per (cell, row, column).
    n = np.zeros((2, 8, cells)); sx = np.zeros((2, 8, cells)); sxx = np.zeros((2, 8, cells))
    sy = np.zeros((2, cells, 128, 512)); sxy = np.zeros((2, cells, 128, 512)); sd = np.zeros((2, cells, 128, 512))
    source = f"INSTRUMENT/{a.detector}/DET/{channel}CH0:xtdf/image"
    for k, run in enumerate(a.runs):
        files = sorted(glob.glob(os.path.join(a.input_dir, "raw", f"r{run:04d}", f"RAW-R{run:04d}-AGIPD{channel:02d}-S*.h5")))
        first = None
        for path in files:
            with h5py.File(path, "r") as f:
                data = f[f"{source}/data"][()]
                cell_ids = f[f"{source}/cellId"][:, 0]
                train_ids = f[f"{source}/trainId"][:, 0]
            bytes_read += data.nbytes
            if first is None:
                first = int(train_ids.min())
            x = (train_ids - first).astype(np.int64)
            rows = rows_of[k]
            for w, (lo, hi) in enumerate(windows):
                in_window = (x >= lo) & (x < hi)
                for c in range(cells):
                    sel = in_window & (cell_ids == c)
                    if not sel.any():
                        continue
                    xs = x[sel].astype(np.float64)
                    analog = to_agipd(data[sel, 0], channel)[:, rows, :].astype(np.float64)
                    digital = to_agipd(data[sel, 1], channel)[:, rows, :].astype(np.float64)
                    n[w, k, c] += len(xs); sx[w, k, c] += xs.sum(); sxx[w, k, c] += (xs * xs).sum()
                    sy[w, c][rows] += analog.sum(axis=0)
                    sxy[w, c][rows] += np.tensordot(xs, analog, axes=1)
                    sd[w, c][rows] += digital.sum(axis=0)
    run_of_row = np.array([7 - r % 8 if r < 64 else r % 8 for r in range(128)])
    nn = n[:, run_of_row][..., None]            # (2, 128, cells, 1)
    nn = np.moveaxis(nn, 2, 1)                  # (2, cells, 128, 1)
    px = np.moveaxis(sx[:, run_of_row][..., None], 2, 1)
    pxx = np.moveaxis(sxx[:, run_of_row][..., None], 2, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        den = nn * pxx - px * px
        slope = np.where(den > 0, (nn * sxy - px * sy) / den, np.nan)
        offset = np.where(den > 0, np.trunc((pxx * sy - px * sxy) / den), 0).astype(np.int64)
        gm = sd / nn
        gain = np.where(nn > 0, np.trunc(gm), 0).astype(np.int64)
        threshold = np.floor((gm[0] + gm[1]) / 2)[None]
    with h5py.File(a.out, "w") as out:
        g = out.create_group(f"channel{channel:02d}")
        g["slope"], g["offset"], g["gainlevel_mean"], g["threshold"] = slope, offset, gain, threshold
    seconds = time.perf_counter() - start
    result = {"seconds": seconds, "bytesRead": bytes_read, "numpy": np.__version__, "h5py": h5py.__version__}
    if a.compare:
        with h5py.File(a.compare, "r") as f:
            g = f[f"channel{channel:02d}"]
            result["differences"] = {
                "offset": int((g["offset"][()] != offset).sum()),
                "gainlevel_mean": int((g["gainlevel_mean"][()] != gain).sum()),
                "threshold": int((~np.isclose(g["threshold"][()], threshold, rtol=0, atol=0, equal_nan=True)).sum()),
                "slope_max_relative": float(np.nanmax(np.abs(g["slope"][()] - slope) / np.abs(slope))),
            }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
