#!/usr/bin/env bash
# Checks the dependency rule of docs/architecture.md: only Sources/HDF5 imports CHDF5, only the
# store's connection file imports CSQLite, and the controller library (Farm) depends on neither
# HDF5 nor the calibration code, in its imports and in the package graph.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fail=0
complain() { echo "check-layers: $*" >&2; fail=1; }

while IFS= read -r file; do
    case "$file" in Sources/HDF5/*) ;; *) complain "$file imports CHDF5 (only Sources/HDF5 may)";; esac
done < <(grep -rlE '^\s*(internal |@_implementationOnly )?import CHDF5' Sources Tests || true)

while IFS= read -r file; do
    [ "$file" = Sources/Farm/Store/SQLiteConnection.swift ] || complain "$file imports CSQLite (only the store's connection may)"
done < <(grep -rlE '^\s*(internal )?import CSQLite' Sources Tests || true)

while IFS= read -r file; do
    complain "$file: the controller library imports a worker-side layer"
done < <(grep -rlE '^\s*import (HDF5|AGIPD|Calibration|Simulator)\b' Sources/Farm || true)

swift package describe --type json 2>/dev/null | python3 -c '
import json, sys
targets = {t["name"]: t for t in json.load(sys.stdin)["targets"]}
def closure(name, seen=None):
    seen = set() if seen is None else seen
    for dep in targets.get(name, {}).get("target_dependencies", []):
        if dep not in seen:
            seen.add(dep)
            closure(dep, seen)
    return seen
bad = closure("Farm") & {"HDF5", "CHDF5", "AGIPD", "Calibration", "Simulator"}
if bad:
    sys.exit("check-layers: Farm depends on " + ", ".join(sorted(bad)))
' || fail=1

[ "$fail" -eq 0 ] && echo "check-layers: dependency rule holds"
exit "$fail"
