#!/usr/bin/env bash
# Create or refresh a virtual environment from a pinned requirements file.
#
#   hack/venv.sh VENV_DIR PYTHON_VERSION REQUIREMENTS_FILE
#
# Idempotent: a stamp inside the venv records the sha256 of the requirements
# file, this script and the interpreter version; when it matches, nothing is
# done (about a second).  When it does not, the venv is rebuilt from scratch so
# that it never carries stale packages.
set -euo pipefail

# pip itself is pinned here, not in the requirements files.
PIP_PIN="pip==26.3"

usage() {
    echo "usage: $0 VENV_DIR PYTHON_VERSION REQUIREMENTS_FILE" >&2
    exit 2
}

[[ $# -eq 3 ]] || usage
venv=$1
pyver=$2
req=$3
[[ -f "$req" ]] || { echo "venv: no such requirements file: $req" >&2; exit 2; }

# Find a working interpreter for PYTHON_VERSION: PATH first (a pyenv shim may
# exist without being usable), then pyenv's versions, then the system one.
find_python() {
    local want=$1 cand
    local -a cands=("python$want")
    if command -v pyenv >/dev/null 2>&1; then
        cands+=("$(pyenv root)/versions/$want".*/bin/"python$want")
    fi
    cands+=("$HOME/.pyenv/versions/$want".*/bin/"python$want" "/usr/bin/python$want" "/usr/local/bin/python$want")
    for cand in "${cands[@]}"; do
        # must work, have venv and ensurepip, and not itself be a venv's
        # interpreter (the venv about to be replaced may be first on PATH)
        if "$cand" -c 'import sys, venv, ensurepip; sys.exit(sys.prefix != sys.base_prefix)' >/dev/null 2>&1; then
            # resolve pyenv shims to the real interpreter
            "$cand" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    return 1
}

stamp_of() {
    {
        sha256sum "$req" "${BASH_SOURCE[0]}" | cut -d' ' -f1
        echo "$PIP_PIN"
        "$1" -c 'import sys; print(sys.version)'
    } | sha256sum | cut -d' ' -f1
}

stamp_file="$venv/.cephkit-stamp"

# Several people and make runs share one checkout: serialise work on a venv,
# so that one run never deletes a venv another is installing into.
lock_dir="$(dirname "$venv")/.cache"
mkdir -p "$lock_dir"
exec 9>"$lock_dir/$(basename "$venv").lock"
if ! flock --nonblock 9; then
    echo "venv: waiting for another run that is updating $venv"
    flock 9
fi

if [[ -x "$venv/bin/python" ]] && [[ -f "$stamp_file" ]] \
    && [[ "$(cat "$stamp_file")" == "$(stamp_of "$venv/bin/python" 2>/dev/null || true)" ]]; then
    touch "$stamp_file" # newer than the requirements file, for make
    echo "venv: $venv is up to date ($req)"
    exit 0
fi

python=$(find_python "$pyver") || {
    echo "venv: no usable Python $pyver found (looked on PATH, in pyenv and /usr/bin)" >&2
    exit 1
}

echo "venv: creating $venv with $python from $req"
start=$SECONDS
rm -rf "$venv"
"$python" -m venv "$venv"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
# Run pip, dropping its notes about optional local package directories that
# this machine's pip configuration names but that do not exist (pure noise).
pip_install() {
    local rc
    set +o pipefail
    "$venv/bin/python" -m pip install --quiet "$@" 2>&1 \
        | { grep -v "is ignored: it is neither a file nor a directory" || true; }
    rc=${PIPESTATUS[0]}
    set -o pipefail
    return "$rc"
}
pip_install --upgrade "$PIP_PIN"
pip_install -r "$req"
"$venv/bin/python" -m pip check
stamp_of "$venv/bin/python" >"$stamp_file"
echo "venv: $venv ready in $((SECONDS - start)) s"
