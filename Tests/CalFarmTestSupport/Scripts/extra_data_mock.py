#!/usr/bin/env python3
"""Raw AGIPD files from a writer that is not CalFarm's, and what European XFEL's reader sees.

write OUT_DIR SPEC.json
    Writes RAW-R<run>-AGIPD<ch>-S<seq>.h5 under OUT_DIR/raw/r<run>/ with EXtra-data's own mock
    writer (extra_data.tests.mockdata: write_file + AGIPDModule), which pads INDEX/trainId to
    the chunk size but writes INDEX/<source>/<group>/{first,count} with one entry per train.
    The mock leaves image.data zero; it is then filled (h5py) with dark-like values: analog
    around a per-(run, channel, cell, pixel) offset, digital around a per-run gain level.
    SPEC: {"runs": [..], "channels": [..], "sequences": [{"trains": N, "frames": [per train]}],
           "chunk": C, "format": "1.0", "detector": "SPB_DET_AGIPD1M-1", "seed": S,
           "first_train": T}

read RUN_DIR
    Prints, as JSON, what EXtra-data's RunDirectory returns per AGIPD source: train ids, the
    frames of each train, and per frame its train id, cell id and the sums of both planes.

reference OUT_DIR RUNS CHANNELS CELLS OUT.h5
    Dark constants computed with numpy from what RunDirectory returns (independent of CalFarm):
    per channel, (3, cells, 128, 512) offset = trunc(mean analog), gainlevel_mean =
    trunc(mean digital), stddev (population), threshold (2, ...) = floor((gl[k] + gl[k+1]) / 2),
    in the AGIPD orientation (agipd-reference §5.4).

Exit code 3 (message on stderr) when extra_data is not installed.
"""
import json
import os
import sys

try:
    import h5py
    import numpy as np
    from extra_data import RunDirectory
    from extra_data.tests.mockdata import write_file
    from extra_data.tests.mockdata.detectors import AGIPDModule
except ImportError as error:
    print(f"extra_data is not importable ({error}); run: python3 -m pip install extra-data", file=sys.stderr)
    sys.exit(3)


def write(out_dir, spec_path):
    spec = json.load(open(spec_path))
    detector = spec.get("detector", "SPB_DET_AGIPD1M-1")
    rng = np.random.default_rng(spec.get("seed", 1))
    for k, run in enumerate(spec["runs"]):
        run_dir = os.path.join(out_dir, "raw", f"r{run:04d}")
        os.makedirs(run_dir, exist_ok=True)
        for channel in spec["channels"]:
            first = spec.get("first_train", 10000)
            base = 4000 + 1000 * k + 10 * channel + rng.integers(0, 500, size=(64, 2, 512, 128)).astype(np.float64)
            gain = 5000 + 1500 * k
            for s, sequence in enumerate(spec["sequences"]):
                frames = np.array(sequence["frames"], dtype=np.uint64)
                path = os.path.join(run_dir, f"RAW-R{run:04d}-AGIPD{channel:02d}-S{s:05d}.h5")
                module = AGIPDModule(f"{detector}/DET/{channel}CH0", frames_per_train=frames)
                write_file(path, [module], sequence["trains"], firsttrain=first, chunksize=spec["chunk"],
                           format_version=spec.get("format", "1.0"))
                first += sequence["trains"]
                with h5py.File(path, "r+") as f:
                    src = f"INSTRUMENT/{detector}/DET/{channel}CH0:xtdf/image"
                    data = f[f"{src}/data"]
                    cells = f[f"{src}/cellId"][:, 0].astype(np.intp)
                    if len(cells) == 0:
                        continue
                    values = base[cells % 64] + rng.normal(0, 12, size=(len(cells), 2, 512, 128))
                    values[:, 1] = gain + rng.normal(0, 30, size=(len(cells), 512, 128))
                    data[...] = np.clip(np.rint(values), 0, 16383).astype(np.uint16)


def read(run_dir):
    run = RunDirectory(run_dir)
    result = {"train_ids": [int(t) for t in run.train_ids], "sources": {}}
    for source in sorted(run.instrument_sources):
        if not source.endswith(":xtdf"):
            continue
        key = run[source, "image.data"]
        counts = key.data_counts(labelled=False)
        frames = key.ndarray().astype(np.int64)
        result["sources"][source] = {
            "train_ids": [int(t) for t in key.train_ids],
            "counts": [int(c) for c in counts],
            "frame_train_ids": [int(t) for t in key.train_id_coordinates()],
            "cell_ids": [int(c) for c in run[source, "image.cellId"].ndarray().reshape(-1)],
            "analog_sums": [int(s) for s in frames[:, 0].reshape(len(frames), -1).sum(axis=1)],
            "digital_sums": [int(s) for s in frames[:, 1].reshape(len(frames), -1).sum(axis=1)],
        }
    json.dump(result, sys.stdout)


def to_agipd(x, channel):
    """(…, 512, 128) XFEL orientation → (…, 128, 512) AGIPD orientation."""
    if channel < 8:
        return np.swapaxes(np.flip(x, axis=-2), -1, -2)  # a[r][c] = x[511 − c][r]
    return np.swapaxes(np.flip(x, axis=-1), -1, -2)      # a[r][c] = x[c][127 − r]


def reference(out_dir, runs, channels, cells, out_path):
    with h5py.File(out_path, "w") as out:
        for channel in channels:
            offset = np.zeros((3, cells, 128, 512))
            gain = np.zeros((3, cells, 128, 512))
            stddev = np.zeros((3, cells, 128, 512))
            for k, run in enumerate(runs):
                data = RunDirectory(os.path.join(out_dir, "raw", f"r{run:04d}"))
                source = [s for s in data.instrument_sources if s.endswith(f"/{channel}CH0:xtdf")][0]
                frames = data[source, "image.data"].ndarray().astype(np.float64)
                cell_ids = data[source, "image.cellId"].ndarray().reshape(-1)
                for cell in range(cells):
                    sel = frames[cell_ids == cell]
                    analog = to_agipd(sel[:, 0], channel)
                    digital = to_agipd(sel[:, 1], channel)
                    offset[k, cell] = np.trunc(analog.mean(axis=0))
                    gain[k, cell] = np.trunc(digital.mean(axis=0))
                    stddev[k, cell] = analog.std(axis=0)
            threshold = np.floor((gain[:-1] + gain[1:]) / 2)
            group = out.create_group(f"channel{channel:02d}")
            for name, value in [("offset", offset), ("gainlevel_mean", gain), ("stddev", stddev),
                                ("threshold", threshold)]:
                group[name] = value


def ints(text):
    return [int(v) for v in text.split(",")]


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "write":
        write(sys.argv[2], sys.argv[3])
    elif command == "read":
        read(sys.argv[2])
    elif command == "reference":
        reference(sys.argv[2], ints(sys.argv[3]), ints(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    else:
        sys.exit(f"unknown command {command}")
