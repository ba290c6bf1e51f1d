#!/usr/bin/env bash
# Installs calfarm and calfarm-worker into PREFIX/bin (default /usr/local) from a release build.
# On a cluster, install onto a filesystem the compute nodes see, or set general.worker in the
# site configuration to where calfarm-worker lives on the nodes.
#
# Usage: deploy/install.sh [PREFIX]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
prefix="${1:-/usr/local}"
bash deploy/setup.sh
swift build -c release --product calfarm
swift build -c release --product calfarm-worker
bin="$(swift build -c release --show-bin-path)"
install -d "$prefix/bin"
install -m 0755 "$bin/calfarm" "$bin/calfarm-worker" "$prefix/bin/"
echo "install: calfarm and calfarm-worker are in $prefix/bin"
