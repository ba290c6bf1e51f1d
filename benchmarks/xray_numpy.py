#!/usr/bin/env python3
"""Reference for benchmarks/xray_pipeline.sh and the xray tests: the whole xray computation for
one channel written with h5py + numpy, vectorised over pixels, reading every raw file once.

The same likelihood fit as CalFarm's XrayPeakFitter, written independently from its description:
per pixel and cell, unit-ADU histogram of the analog values of every frame of every run (bin 0 =
the smallest of the first 16 values − bins/4; values outside are left out); Otsu's split for the start; EM for the
two-Gaussian mixture until no mean or width moves by more than the tolerance (a pixel stops when
it converges); the expected Fisher information of (hit, μ0, σ0, μ1, σ1) summed over the integer
grid floor(μ0 − 6σ0) … ceil(μ1 + 6σ1), inverted for the errors; status 1 too few frames, 2 one
peak (a peak below min_peak_frames or a valley shallower than 0.1), 3 spacing ≤ min_spacing,
4 not converged.

Usage: xray_numpy.py INPUT_DIR CHANNEL DETECTOR OUT.h5 --runs R... --cells N [--element Cu]
       [--compare JOINED.h5] [--region R0:R1,C0:C1]
Prints one JSON line: seconds (first file opened .. output written), raw bytes read and, with
--compare, how CalFarm's joined constants differ.
"""
import argparse
import glob
import json
import os
import time

import h5py
import numpy as np

ENERGY = {"Cu": 8.0, "Mo": 17.4}
CHUNK = 4096
LEAD = 16
BINS, MIN_PEAK, MIN_SPACING, MIN_VALLEY, MAX_ITER, TOL = 512, 20, 10.0, 0.1, 1000, 1e-6


def to_agipd(frames, channel):
    """(n, 512, 128) XFEL orientation → (n, 128, 512) AGIPD orientation."""
    if channel < 8:
        return np.swapaxes(frames[:, ::-1, :], 1, 2)
    return np.swapaxes(frames[:, :, ::-1], 1, 2)


def round_half_away(v):
    return np.sign(v) * np.floor(np.abs(v) + 0.5)


def fit(h):
    """h: (P, BINS) counts → dict of per-pixel results (positions relative to bin 0)."""
    P, B = h.shape
    x = np.arange(B, dtype=np.float64)
    total = h.sum(1)
    occupied = h > 0
    lo = occupied.argmax(1)
    hi = B - 1 - occupied[:, ::-1].argmax(1)
    status = np.zeros(P, np.uint8)
    status[total < 2 * MIN_PEAK] = 1
    status[(total >= 2 * MIN_PEAK) & (lo >= hi)] = 2
    out = {k: np.full(P, np.nan) for k in ("m0", "m1", "s0", "s1", "hit", "err", "e0", "e1", "quality")}
    todo = np.flatnonzero(status == 0)
    if todo.size == 0:
        return status, total, out
    hh, l, hg = h[todo], lo[todo][:, None], hi[todo][:, None]
    # Otsu: splits t in [lo, hi), sums relative to lo.
    n0 = np.cumsum(hh, 1)
    s0 = np.cumsum(hh * (x - l), 1)
    n1 = total[todo][:, None] - n0
    s1 = s0[:, -1:] - s0
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = s0 / n0 - s1 / n1
        between = np.where((x >= l) & (x < hg) & (n0 > 0) & (n1 > 0), n0 * n1 * diff * diff, -1.0)
    split = between.argmax(1)
    ok = between[np.arange(todo.size), split] > 0
    status[todo[~ok]] = 2
    todo, hh, split = todo[ok], hh[ok], split[ok]
    upper = x[None, :] > split[:, None]
    cnt = np.stack([(hh * ~upper).sum(1), (hh * upper).sum(1)], 1)
    mean = np.stack([(hh * ~upper * x).sum(1), (hh * upper * x).sum(1)], 1) / cnt
    var0 = (hh * ~upper * (x - mean[:, :1]) ** 2).sum(1) / cnt[:, 0]
    var1 = (hh * upper * (x - mean[:, 1:]) ** 2).sum(1) / cnt[:, 1]
    sigma = np.sqrt(np.maximum(np.stack([var0, var1], 1), 0.25))
    hit = cnt[:, 1] / cnt.sum(1)

    converged = np.zeros(todo.size, bool)
    vanished = np.zeros(todo.size, bool)
    active = np.arange(todo.size)
    for _ in range(MAX_ITER):
        if active.size == 0:
            break
        ha, m, s, pi = hh[active], mean[active], sigma[active], hit[active]
        d0 = x - m[:, :1]
        d1 = x - m[:, 1:]
        p0 = ((1 - pi) / s[:, 0])[:, None] * np.exp(-d0 * d0 / (2 * s[:, :1] ** 2))
        p1 = (pi / s[:, 1])[:, None] * np.exp(-d1 * d1 / (2 * s[:, 1:] ** 2))
        f = p0 + p1
        valid = (ha > 0) & (f > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            r1 = np.where(valid, ha * p1 / f, 0.0)
        r0 = np.where(valid, ha - r1, 0.0)
        w0, w1 = r0.sum(1), r1.sum(1)
        gone = (w0 < 1) | (w1 < 1)
        vanished[active[gone]] = True
        keep = ~gone
        active, r0, r1, d0, d1, w0, w1, s = active[keep], r0[keep], r1[keep], d0[keep], d1[keep], w0[keep], w1[keep], s[keep]
        shift = np.stack([(r0 * d0).sum(1) / w0, (r1 * d1).sum(1) / w1], 1)
        variance = np.stack([(r0 * d0 * d0).sum(1) / w0, (r1 * d1 * d1).sum(1) / w1], 1) - shift ** 2
        new_sigma = np.sqrt(np.maximum(variance, 1.0 / 12))
        moved = np.maximum(np.abs(shift).max(1), np.abs(new_sigma - s).max(1))
        mean[active] += shift
        sigma[active] = new_sigma
        hit[active] = w1 / (w0 + w1)
        done = moved < TOL
        converged[active[done]] = True
        active = active[~done]

    swap = mean[:, 0] > mean[:, 1]
    mean[swap] = mean[swap][:, ::-1]
    sigma[swap] = sigma[swap][:, ::-1]
    hit[swap] = 1 - hit[swap]
    # Expected information on the integer grid, one row per pixel.
    first = np.floor(mean[:, 0] - 6 * sigma[:, 0])
    last = np.ceil(mean[:, 1] + 6 * sigma[:, 1])
    width = int((last - first).max()) + 1
    grid = first[:, None] + np.arange(width)[None, :]
    inside = grid <= last[:, None]
    c0 = (1 - hit) / (np.sqrt(2 * np.pi) * sigma[:, 0])
    c1 = hit / (np.sqrt(2 * np.pi) * sigma[:, 1])
    g0 = grid - mean[:, :1]
    g1 = grid - mean[:, 1:]
    q0 = c0[:, None] * np.exp(-g0 ** 2 / (2 * sigma[:, :1] ** 2))
    q1 = c1[:, None] * np.exp(-g1 ** 2 / (2 * sigma[:, 1:] ** 2))
    f = np.where(inside, q0 + q1, 0.0)
    near0, near1 = round_half_away(mean[:, 0])[:, None], round_half_away(mean[:, 1])[:, None]
    top0 = np.where(grid == near0, f, 0).sum(1)
    top1 = np.where(grid == near1, f, 0).sum(1)
    between = inside & (grid > near0) & (grid < near1)
    valley = np.where(between, f, np.inf).min(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        quality = np.where(np.isfinite(valley), 1 - valley / np.maximum(np.minimum(top0, top1), np.finfo(float).tiny), 0.0)
        quality = np.clip(quality, 0, 1)
        use = inside
        f = np.where(inside, np.maximum(f, 1e-300), 0.0)
        r1 = np.where(use, q1 / f, 0.0)
        r0 = 1 - r1
        iv = 1 / sigma ** 2
        score = np.stack([
            r1 / hit[:, None] - r0 / (1 - hit[:, None]),
            r0 * g0 * iv[:, :1],
            r0 * (g0 * g0 * iv[:, :1] - 1) / sigma[:, :1],
            r1 * g1 * iv[:, 1:],
            r1 * (g1 * g1 * iv[:, 1:] - 1) / sigma[:, 1:],
        ], 2)
    weight = np.where(use, f, 0.0)
    info = np.einsum("pk,pka,pkb->pab", weight, score, score) * total[todo][:, None, None]
    cov = np.full_like(info, np.nan)
    definite = np.all(np.linalg.eigvalsh(info) > 0, axis=1)
    cov[definite] = np.linalg.inv(info[definite])

    n = total[todo]
    small = np.minimum(hit, 1 - hit) * n
    st = np.zeros(todo.size, np.uint8)
    st[~converged] = 4
    st[converged & (mean[:, 1] - mean[:, 0] <= MIN_SPACING)] = 3
    st[converged & (mean[:, 1] - mean[:, 0] > MIN_SPACING) & ~definite] = 4
    st[(small < MIN_PEAK) | ~(quality >= MIN_VALLEY) | vanished] = 2
    status[todo] = st
    good = st == 0
    idx = todo[good]
    out["m0"][idx], out["m1"][idx] = mean[good, 0], mean[good, 1]
    out["s0"][idx], out["s1"][idx] = sigma[good, 0], sigma[good, 1]
    out["hit"][idx], out["quality"][idx] = hit[good], quality[good]
    c = cov[good]
    out["err"][idx] = np.sqrt(c[:, 1, 1] + c[:, 3, 3] - 2 * c[:, 1, 3])
    out["e0"][idx], out["e1"][idx] = np.sqrt(c[:, 2, 2]), np.sqrt(c[:, 4, 4])
    return status, total, out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("input_dir"); p.add_argument("channel", type=int); p.add_argument("detector"); p.add_argument("out")
    p.add_argument("--runs", type=int, nargs="+", required=True)
    p.add_argument("--cells", type=int, required=True)
    p.add_argument("--element", default="Cu")
    p.add_argument("--compare")
    p.add_argument("--region", help="fit only AGIPD rows r0:r1 and columns c0:c1, e.g. 0:64,64:128 (tests)")
    a = p.parse_args()
    region = np.zeros((128, 512), bool)
    if a.region:
        (r0, r1), (c0, c1) = [map(int, part.split(":")) for part in a.region.split(",")]
        region[r0:r1, c0:c1] = True
    else:
        region[:] = True
    chosen = np.flatnonzero(region.ravel())
    start = time.perf_counter()
    cells, channel = a.cells, a.channel
    source = f"INSTRUMENT/{a.detector}/DET/{channel}CH0:xtdf/image"
    per_cell = [[] for _ in range(cells)]
    bytes_read = 0
    for run in a.runs:
        for path in sorted(glob.glob(os.path.join(a.input_dir, "raw", f"r{run:04d}", f"RAW-R{run:04d}-AGIPD{channel:02d}-S*.h5"))):
            with h5py.File(path, "r") as f:
                analog = f[f"{source}/data"][:, 0]
                cell_ids = f[f"{source}/cellId"][:, 0]
            bytes_read += analog.nbytes * 2
            for c in range(cells):
                per_cell[c].append(to_agipd(analog[cell_ids == c], channel))
    shape = (cells, 128, 512)
    res = {k: np.full(shape, np.nan) for k in ("spacing", "error", "m0", "m1", "s0", "s1", "e0", "e1", "hit", "quality")}
    status = np.zeros(shape, np.uint8)
    frames = np.zeros(shape, np.uint32)
    for c in range(cells):
        values = np.concatenate(per_cell[c]).reshape(-1, 128 * 512)[:, chosen].astype(np.int64)  # (N, P)
        origin = values[:LEAD].min(0) - BINS // 4
        rel = values - origin
        inside = (rel >= 0) & (rel < BINS)
        pixels = chosen.size
        pixel = np.broadcast_to(np.arange(pixels), rel.shape)
        h = np.bincount((pixel * BINS + rel)[inside], minlength=pixels * BINS).reshape(pixels, BINS).astype(np.float64)
        # Chunks of 4,096 pixels keep numpy's temporaries small (1,024 was no faster, the whole cell 2.5× slower).
        parts = [fit(h[i:i + CHUNK]) for i in range(0, h.shape[0], CHUNK)]
        st = np.concatenate([q[0] for q in parts])
        total = np.concatenate([q[1] for q in parts])
        out = {k: np.concatenate([q[2][k] for q in parts]) for k in parts[0][2]}
        def place(target, values):
            target[c].reshape(-1)[chosen] = values
        place(status, st)
        place(frames, total)
        place(res["m0"], out["m0"] + origin)
        place(res["m1"], out["m1"] + origin)
        for key in ("s0", "s1", "e0", "e1", "hit", "quality"):
            place(res[key], out[key])
        place(res["spacing"], out["m1"] - out["m0"])
        place(res["error"], out["err"])
    with h5py.File(a.out, "w") as f:
        g = f.create_group(f"channel{channel:02d}")
        g["photon_spacing"] = res["spacing"][None]
        g["spacing_error"] = res["error"][None]
        g["gain_per_kev"] = res["spacing"][None] / ENERGY[a.element]
        g["peak_mean"] = np.stack([res["m0"], res["m1"]])
        g["peak_stddev"] = np.stack([res["s0"], res["s1"]])
        g["peak_error"] = np.stack([res["e0"], res["e1"]])
        g["hit_fraction"] = res["hit"][None]
        g["quality"] = res["quality"][None]
        g["frame_count"] = frames[None]
        g["fit_status"] = status[None]
    seconds = time.perf_counter() - start
    result = {"seconds": seconds, "bytesRead": bytes_read, "numpy": np.__version__, "h5py": h5py.__version__,
              "failed": int(((status != 0) & region[None]).sum()), "fits": int(region.sum()) * cells}
    if a.compare:
        with h5py.File(a.compare, "r") as f:
            g = f[f"channel{channel:02d}"]
            theirs = g["fit_status"][()][0]
            both = (theirs == 0) & (status == 0) & region[None]
            result["differences"] = {
                "fit_status": int(((theirs != status) & region[None]).sum()),
                "frame_count": int(((g["frame_count"][()][0] != frames) & region[None]).sum()),
                "compared": int(both.sum()),
                "photon_spacing_max_relative": float(np.max(np.abs(g["photon_spacing"][()][0][both] - res["spacing"][both])
                                                            / res["spacing"][both])) if both.any() else 0.0,
                "spacing_error_max_relative": float(np.max(np.abs(g["spacing_error"][()][0][both] - res["error"][both])
                                                           / res["error"][both])) if both.any() else 0.0,
                "hit_fraction_max_abs": float(np.max(np.abs(g["hit_fraction"][()][0][both] - res["hit"][both]))) if both.any() else 0.0,
            }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
