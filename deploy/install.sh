#!/usr/bin/env bash
# Installs calfarm and calfarm-worker into PREFIX/bin (default /usr/local), from a release build
# made here, or (--from DIR) from binaries already built in DIR (e.g. `swift build --show-bin-path`).
# calfarm finds calfarm-worker beside its own executable (symlinks resolved), so the two must
# stay together. On a cluster, install onto a filesystem the compute nodes see, or set
# general.worker in the site configuration to where calfarm-worker lives on the nodes.
#
# Usage: deploy/install.sh [--from DIR] [PREFIX]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=""
if [ "${1:-}" = "--from" ]; then
    bin="${2:?--from needs a directory}"
    shift 2
fi
prefix="${1:-/usr/local}"
if [ -z "$bin" ]; then
    bash deploy/setup.sh
    swift build -c release --product calfarm
    swift build -c release --product calfarm-worker
    bin="$(swift build -c release --show-bin-path)"
fi
for program in calfarm calfarm-worker; do
    [ -x "$bin/$program" ] || { echo "install: error: $bin/$program is missing (build first)" >&2; exit 1; }
done
install -d "$prefix/bin"
install -m 0755 "$bin/calfarm" "$bin/calfarm-worker" "$prefix/bin/"
"$prefix/bin/calfarm-worker" --version >/dev/null
echo "install: calfarm and calfarm-worker are in $prefix/bin"
