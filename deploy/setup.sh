#!/usr/bin/env bash
# Installs what building and testing CalFarm needs besides Swift (which must be on PATH):
# the C libraries (HDF5, SQLite) with pkg-config, and h5py/EXtra-data for the interop tests.
# Idempotent: installs only what is missing and says what it does.
#
# Usage: deploy/setup.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/apt.sh
. "$here/lib/apt.sh"

packages=(libhdf5-dev pkg-config libsqlite3-dev libpng-dev python3-pip)
missing=()
for pkg in "${packages[@]}"; do apt_package_installed "$pkg" || missing+=("$pkg"); done
if [ "${#missing[@]}" -eq 0 ]; then
    echo "setup: Debian packages present (${packages[*]})"
else
    echo "setup: installing Debian packages: ${missing[*]}"
    apt_install_missing "${missing[@]}"
fi

if python3 -c 'import h5py, extra_data' 2>/dev/null; then
    echo "setup: python modules present (h5py, extra-data)"
else
    echo "setup: installing python modules: h5py extra-data"
    # Debian marks its Python as externally managed (PEP 668); these are test tools only.
    python3 -m pip install -q --break-system-packages h5py extra-data </dev/null 2>/dev/null \
        || python3 -m pip install -q h5py extra-data </dev/null
fi

command -v swift >/dev/null || { echo "setup: error: swift is not on PATH" >&2; exit 1; }
echo "setup: done ($(swift --version 2>/dev/null | head -n1))"
