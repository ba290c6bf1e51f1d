#!/usr/bin/env python3
"""Reference for `calfarm-bench calibration`: the dark process step written the way a physicist
would write it with numpy — read CalFarm's gathered files with h5py, convert to float64, masked
mean and std over the present frames, write one product per ASIC with h5py.

Same math as CalFarm's process step (agipd-reference §6.3), over present frames only:
  offset         = trunc(mean analog)            (int64)
  gainlevel_mean = trunc(mean digital)           (int64)
  stddev         = population std of analog      (float64, NaN without frames)
  threshold[k]   = floor((gl[k] + gl[k+1]) / 2)  (float64, NaN if either stage has no frame)
  frame_count    = present frames per cell       (uint32)

Prints one JSON line: seconds (open the inputs .. products written), bytes of analog+digital
read, versions, and with --compare the largest differences from CalFarm's products.
"""
import argparse
import json
import os
import sys
import time

import h5py
import numpy as np

STAGES = 3


def run_tag(run):
    return "r%04d" % run


def gathered_files(output_dir, run, channel):
    """The gathered files of one run and channel, one per sequence in the preprocess result."""
    result_path = os.path.join(output_dir, "dark", run_tag(run), "R%04d-preprocessing.json" % run)
    with open(result_path) as f:
        result = json.load(f)
    entry = next(c for c in result["channels"] if c["channel"] == channel)
    return [os.path.join(output_dir, "dark", run_tag(run), "gather",
                         "R%04d-AGIPD%02d-S%05d_gathered.h5" % (run, channel, s["sequence"]))
            for s in entry["sequences"]]


def read_asic(files, asic):
    """analog, digital (frames, cells, 64, 64) and present (frames, cells) of one ASIC, all sequences."""
    analog, digital, present = [], [], []
    for path in files:
        with h5py.File(path, "r") as f:
            analog.append(f["analog"][asic - 1])
            digital.append(f["digital"][asic - 1])
            present.append(f["present"][()].astype(bool))
    return np.concatenate(analog), np.concatenate(digital), np.concatenate(present)


def stage_constants(analog, digital, present):
    """offset, gainlevel_mean, stddev, frame_count of one run (one gain stage)."""
    mask = np.broadcast_to(present[:, :, None, None], analog.shape)
    a = analog.astype(np.float64)
    d = digital.astype(np.float64)
    n = present.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_a = np.mean(a, axis=0, where=mask)
        mean_d = np.mean(d, axis=0, where=mask)
        std_a = np.std(a, axis=0, where=mask)
    has = (n > 0)[:, None, None]
    offset = np.where(has, np.trunc(mean_a), 0).astype(np.int64)
    gain = np.where(has, np.trunc(mean_d), 0).astype(np.int64)
    stddev = np.where(has, std_a, np.nan)
    count = np.broadcast_to(n[:, None, None], offset.shape).astype(np.uint32)
    return offset, gain, stddev, count


def process(output_dir, runs, channel, asics, result_dir):
    files = [gathered_files(output_dir, run, channel) for run in runs]
    bytes_read = 0
    products = []
    for asic in asics:
        per_stage = []
        for stage_files in files:
            analog, digital, present = read_asic(stage_files, asic)
            bytes_read += analog.nbytes + digital.nbytes
            per_stage.append(stage_constants(analog, digital, present))
        offset, gain, stddev, count = (np.stack(x) for x in zip(*per_stage))
        threshold = np.floor((gain[:-1] + gain[1:]) / 2).astype(np.float64)
        threshold[(count[:-1] == 0) | (count[1:] == 0)] = np.nan
        path = os.path.join(result_dir, "dark-AGIPD%02d_asic%02d_numpy.h5" % (channel, asic))
        with h5py.File(path, "w") as f:
            f["offset"] = offset
            f["gainlevel_mean"] = gain
            f["stddev"] = stddev
            f["threshold"] = threshold
            f["frame_count"] = count
        products.append(path)
    return bytes_read, products


def compare(output_dir, runs, channel, asics, result_dir):
    """Largest differences between these products and CalFarm's (offset/gain/count must be equal)."""
    tag = "-".join(run_tag(r) for r in runs)
    worst = {"offset": 0, "gainlevel_mean": 0, "frame_count": 0, "threshold": 0.0, "stddev_relative": 0.0}
    for asic in asics:
        ours = os.path.join(result_dir, "dark-AGIPD%02d_asic%02d_numpy.h5" % (channel, asic))
        theirs = os.path.join(output_dir, "dark", tag, "process", "dark-AGIPD%02d_asic%02d_agipd.h5" % (channel, asic))
        with h5py.File(ours, "r") as a, h5py.File(theirs, "r") as b:
            for key in ("offset", "gainlevel_mean", "frame_count"):
                diff = np.abs(a[key][()].astype(np.int64) - b[key][()].astype(np.int64)).max()
                worst[key] = max(worst[key], int(diff))
            t = np.nan_to_num(np.abs(a["threshold"][()] - b["threshold"][()]), nan=0.0).max()
            worst["threshold"] = max(worst["threshold"], float(t))
            sa, sb = a["stddev"][()], b["stddev"][()]
            if not np.array_equal(np.isnan(sa), np.isnan(sb)):
                worst["stddev_relative"] = float("inf")
            with np.errstate(invalid="ignore", divide="ignore"):
                rel = np.nan_to_num(np.abs(sa - sb) / np.maximum(np.abs(sb), 1e-300), nan=0.0).max()
            worst["stddev_relative"] = max(worst["stddev_relative"], float(rel))
    return worst


def int_list(text):
    values = []
    for part in text.split(","):
        if "-" in part:
            low, high = part.split("-")
            values.extend(range(int(low), int(high) + 1))
        else:
            values.append(int(part))
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output-dir", required=True, help="CalFarm output directory holding dark/rNNNN/gather")
    parser.add_argument("--runs", required=True, type=int_list, help="high,medium,low gain runs")
    parser.add_argument("--channel", required=True, type=int)
    parser.add_argument("--asics", default="1-16", type=int_list)
    parser.add_argument("--result-dir", required=True, help="where to write the numpy products")
    parser.add_argument("--compare", action="store_true", help="compare with CalFarm's process products")
    args = parser.parse_args()
    if len(args.runs) != STAGES:
        sys.exit("dark needs 3 runs (high, medium, low gain), got %s" % args.runs)
    os.makedirs(args.result_dir, exist_ok=True)

    start = time.perf_counter()
    bytes_read, _ = process(args.output_dir, args.runs, args.channel, args.asics, args.result_dir)
    seconds = time.perf_counter() - start

    report = {
        "seconds": seconds, "bytes": bytes_read, "numpy": np.__version__, "h5py": h5py.version.version,
        "hdf5": h5py.version.hdf5_version, "python": sys.version.split()[0],
        "openblas_env": {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                     "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS") if k in os.environ},
    }
    if args.compare:
        report["check"] = compare(args.output_dir, args.runs, args.channel, args.asics, args.result_dir)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
