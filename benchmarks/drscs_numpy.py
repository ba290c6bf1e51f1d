#!/usr/bin/env python3
"""Reference for benchmarks/drscs_process.sh: the drscs process of one current and one ASIC as a
physicist would vectorise it with h5py + numpy: the same interval detection and fits as CalFarm
(docs/formats.md "drscs"), vectorised over pixels and cells, streaming over the scan steps.

Per pixel and cell: a gain switch where the analog value falls by more than SAFETY ADU from the
previous frame; more than two switches error 2, fewer error 3; low gain stops at the first frame
at or above 14000 ADU and is split into five equal parts of [first low step, end of scan); least
squares per stage (low: the mean over its parts with two frames), error 5 when a stage has none;
medians of the digital values from 32 bins of 9 ADU, the stage's first value at a bin's centre.

Usage: drscs_numpy.py GATHERED_DIR_PATTERN ASIC SAFETY [--compare PROCESSED.h5]
  GATHERED_DIR_PATTERN: a glob of the four runs' gathered files (one part each), in run order.
Prints one JSON line: seconds (first file opened .. results computed), peak RSS, and with
--compare the number of entries whose error code or slopes differ from CalFarm's product.
"""
import argparse
import glob
import json
import resource
import time

import h5py
import numpy as np

BINS, WIDTH, PARTS, SATURATION = 32, 9, 5, 14000


def columns(run, upper):
    return np.arange(3 - run if upper else run, 64, 4)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("pattern")
    parser.add_argument("asic", type=int)
    parser.add_argument("safety", type=int)
    parser.add_argument("--compare")
    args = parser.parse_args()
    started = time.perf_counter()
    files = sorted(glob.glob(args.pattern))
    assert len(files) == 4, files
    upper = args.asic >= 9
    first = h5py.File(files[0], "r")
    steps, cells = first["present"].shape
    first.close()
    E = cells * 64 * 16
    results = {}
    for k, path in enumerate(files):
        f = h5py.File(path, "r")
        present = f["present"][...].astype(bool)
        analog, digital = f["analog"], f["digital"]
        cols = columns(k, upper)
        prev = np.zeros(E, np.int64); has_prev = np.zeros(E, bool); stage = np.zeros(E, np.int64)
        sat = np.zeros(E, bool); switch = np.full((2, E), -1, np.int64)
        n = np.zeros((7, E), np.int64); sx = np.zeros((7, E), np.int64); sxx = np.zeros((7, E), np.int64)
        sy = np.zeros((7, E), np.int64); sxy = np.zeros((7, E), np.int64); syy = np.zeros((7, E), np.int64)
        hist = np.zeros((3, E, BINS + 2), np.int64); centre = np.zeros((3, E), np.int64); centred = np.zeros((3, E), bool)
        idx = np.arange(E)
        for start in range(0, steps, 16):
            a_block = analog[args.asic - 1, start:start + 16][..., cols].reshape(-1, E)
            d_block = digital[args.asic - 1, start:start + 16][..., cols].reshape(-1, E)
            for s in range(a_block.shape[0]):
                t = start + s
                x = t if t < 200 else 200 + 10 * (t - 200)
                p = np.repeat(present[t], 64 * 16)
                y = a_block[s].astype(np.int64); d = d_block[s].astype(np.int64)
                fall = p & has_prev & (prev - y > args.safety)
                stage = stage + fall
                for g in (1, 2):
                    new = fall & (stage == g)
                    switch[g - 1][new] = t
                prev = np.where(p, y, prev); has_prev |= p
                valid = p & (stage <= 2)
                low = valid & (stage == 2)
                sat |= low & (y >= SATURATION)
                valid &= ~(low & sat)
                low &= valid
                s2 = switch[1]
                part = np.minimum(PARTS - 1, PARTS * (t - s2) // np.maximum(1, steps - s2))
                interval = np.where(stage == 2, 2 + part, stage)
                for i in range(7):
                    m = valid & (interval == i)
                    n[i] += m; sx[i] += m * x; sxx[i] += m * x * x; sy[i] += m * y; sxy[i] += m * x * y; syy[i] += m * y * y
                g = np.minimum(stage, 2)
                fresh = valid & ~centred[g, idx]
                centre[g[fresh], idx[fresh]] = d[fresh]; centred[g[fresh], idx[fresh]] = True
                offset = d - centre[g, idx] + BINS // 2 * WIDTH + WIDTH // 2
                b = np.where(offset < 0, 0, np.where(offset >= BINS * WIDTH, BINS + 1, 1 + offset // WIDTH))
                np.add.at(hist, (g[valid], idx[valid], b[valid]), 1)
        f.close()
        D = n * sxx - sx * sx
        ok = (n >= 2) & (D > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(ok, (n * sxy - sx * sy) / np.where(ok, D, 1), np.nan)
        fitted = [ok[0], ok[1], ok[2:].any(axis=0)]
        slopes = [slope[0], slope[1], np.nanmean(np.where(ok[2:], slope[2:], np.nan), axis=0)]
        stages = stage + 1
        error = np.where(stages > 3, 2, np.where(stages < 3, 3, 0))
        error = np.where((error == 0) & ~(fitted[0] & fitted[1] & fitted[2]), 5, error)
        error = np.where(has_prev, error, 6)
        results[k] = (cols, error, slopes, hist, centre)
    seconds = time.perf_counter() - started
    out = {"seconds": seconds, "peakRSSBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
           "steps": steps, "cells": cells}
    if args.compare:
        p = h5py.File(args.compare, "r")
        theirs_error = p["error_code"][...]
        theirs_slope = p["slope"][...]
        differing = 0
        for k, (cols, error, slopes, _, _) in results.items():
            mine_error = error.reshape(cells, 64, 16)
            differing += int((theirs_error[:, :, cols] != mine_error).sum())
            for g in range(3):
                mine = np.where(mine_error == 0, slopes[g].reshape(cells, 64, 16), np.nan)
                theirs = theirs_slope[g][:, :, cols]
                both = np.isfinite(mine) & np.isfinite(theirs)
                differing += int((~np.isclose(mine[both], theirs[both], rtol=1e-9, atol=1e-9)).sum())
                differing += int((np.isfinite(mine) != np.isfinite(theirs)).sum())
        out["differing"] = differing
    print(json.dumps(out))


if __name__ == "__main__":
    main()
