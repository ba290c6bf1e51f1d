# Shared helpers for the deploy scripts (sourced, not run).
# apt_install_missing PKG...: installs only the Debian packages that are not installed yet.
# The package lists are refreshed at most once per call, and only when needed: when apt
# does not know a package, or when an install fails (stale lists give 404s).

apt_package_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

apt_install_missing() {
    local missing=() pkg
    for pkg in "$@"; do
        apt_package_installed "$pkg" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "error: packages missing (${missing[*]}) and installing them needs root" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    local updated=no
    for pkg in "${missing[@]}"; do
        if ! apt-cache show "$pkg" >/dev/null 2>&1; then
            echo "apt: refreshing package lists (apt does not know $pkg)"
            apt-get update -q </dev/null
            updated=yes
            break
        fi
    done
    echo "apt: installing ${missing[*]}"
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null; then
        if [ "$updated" = yes ]; then
            echo "error: apt-get install ${missing[*]} failed" >&2
            return 1
        fi
        echo "apt: install failed; refreshing package lists once and retrying"
        apt-get update -q </dev/null
        apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
    fi
}
