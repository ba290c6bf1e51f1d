"""Dark or drspc constants computed directly from CFEL .nxs parts, independently of CalFarm,
and compared with a joined CFEL file. Prints JSON with the largest differences.

Each run's parts are read with h5py; every frame is placed by its 1-based run-wide
sequence_number (frame f = s - 1: train f // (2 cells), cell (f % (2 cells)) // 2, digital
when f is odd); a (train, cell) sample counts only when both its frames are present.

usage: cfel_direct.py dark|drspc RAWDIR MODULE JOINED --runs R... --cells N [--windows a,b c,d]
"""
import argparse, glob, json, os, re
import h5py
import numpy as np

p = argparse.ArgumentParser()
p.add_argument("measurement", choices=["dark", "drspc"])
p.add_argument("rawdir"); p.add_argument("module"); p.add_argument("joined")
p.add_argument("--runs", type=int, nargs="+", required=True)
p.add_argument("--cells", type=int, required=True)
p.add_argument("--windows", nargs=2, default=["42,122", "402,552"])
a = p.parse_args()
C = a.cells


def samples(run):
    """analog, digital: (trains, cells, 128, 512) float64 with NaN where the sample is incomplete."""
    pattern = re.compile(re.escape(a.module) + r"_m\d+_.*_%05d(_part\d{5})?\.nxs$" % run)
    names = sorted(n for n in os.listdir(a.rawdir) if pattern.match(n))
    assert names, "no parts of run %d" % run
    frames, numbers, total = [], [], None
    for n in names:
        with h5py.File(os.path.join(a.rawdir, n), "r") as f:
            d = f["entry/instrument/detector"]
            frames.append(d["data"][()].astype(np.int64))
            numbers.append(d["sequence_number"][()].astype(np.int64).ravel())
            total = int(d["collection/frame_numbers"][0])
    data = np.concatenate(frames); seq = np.concatenate(numbers) - 1
    full = np.full((total, 128, 512), np.nan)
    have = np.zeros(total, bool)
    full[seq] = data; have[seq] = True
    trains = total // (2 * C)
    full = full.reshape(trains, C, 2, 128, 512); have = have.reshape(trains, C, 2)
    ok = have[:, :, 0] & have[:, :, 1]
    analog = np.where(ok[..., None, None], full[:, :, 0], np.nan)
    digital = np.where(ok[..., None, None], full[:, :, 1], np.nan)
    return analog, digital, ok


out = {}
joined = h5py.File(a.joined, "r")[a.module]
if a.measurement == "dark":
    offset, gain, std, count = [], [], [], []
    for run in a.runs:
        an, dg, ok = samples(run)
        n = ok.sum(axis=0)  # per cell
        mean = np.nansum(an, axis=0) / n[:, None, None]
        offset.append(np.trunc(mean)); gain.append(np.trunc(np.nansum(dg, axis=0) / n[:, None, None]))
        std.append(np.sqrt(np.nansum((an - mean) ** 2, axis=0) / n[:, None, None]))
        count.append(np.broadcast_to(n[:, None, None], mean.shape))
    gain = np.array(gain)
    threshold = np.floor((gain[:-1] + gain[1:]) / 2)
    out["offset"] = int(np.abs(joined["offset"][()] - np.array(offset)).max())
    out["gainlevel_mean"] = int(np.abs(joined["gainlevel_mean"][()] - gain).max())
    std = np.array(std)
    out["stddev_max_relative"] = float((np.abs(joined["stddev"][()] - std) / np.maximum(std, 1e-12)).max())
    out["threshold"] = float(np.abs(joined["threshold"][()] - threshold).max())
    out["frame_count"] = int(np.abs(joined["frame_count"][()] - np.array(count)).max())
    out["frames_per_cell"] = [[int(v) for v in c[:, 0, 0]] for c in count]
else:
    windows = [tuple(int(v) for v in w.split(",")) for w in a.windows]
    slope = np.full((2, C, 128, 512), np.nan); offset = np.zeros((2, C, 128, 512)); level = np.full((2, C, 128, 512), np.nan)
    for k, run in enumerate(a.runs):
        rows = [r for r in range(128) if (7 - r % 8 if r < 64 else r % 8) == k]
        an, dg, ok = samples(run)
        x = np.arange(an.shape[0], dtype=float)
        for w, (lo, hi) in enumerate(windows):
            sel = (x >= lo) & (x < hi)
            for c in range(C):
                use = sel & ok[:, c]
                xs = x[use]; ys = an[use, c][:, rows]; ds = dg[use, c][:, rows]
                n = len(xs)
                mx = xs.mean(); my = ys.mean(axis=0)
                sxx = ((xs - mx) ** 2).sum()
                slope[w, c, rows] = (((xs - mx)[:, None, None]) * (ys - my)).sum(axis=0) / sxx
                Sx, Sy, Sxx, Sxy = xs.sum(), ys.sum(axis=0), (xs * xs).sum(), (xs[:, None, None] * ys).sum(axis=0)
                offset[w, c, rows] = np.trunc((Sxx * Sy - Sx * Sxy) / (n * Sxx - Sx * Sx))
                level[w, c, rows] = ds.mean(axis=0)
    # Relative to the slope, or absolute below 1 ADU/step (exact sums give 0 where floats give 1e-16).
    out["slope_max_relative"] = float(np.nanmax(np.abs(joined["slope"][()] - slope) / np.maximum(np.abs(slope), 1)))
    out["offset"] = int(np.abs(joined["offset"][()] - offset).max())
    out["gainlevel_mean"] = int(np.abs(joined["gainlevel_mean"][()] - np.trunc(level)).max())
    out["threshold"] = float(np.abs(joined["threshold"][()][0] - np.floor((level[0] + level[1]) / 2)).max())
print(json.dumps(out))
