#!/usr/bin/env bash
# Run `ansible-test sanity` for one ansible-core series on the working tree.
#
#   hack/sanity.sh 2.19|2.21 [ansible-test sanity options...]
#
# e.g. hack/sanity.sh 2.21 --test pep8
#
# The tree is copied to .build/sanity-<series>/ansible_collections/cephkit/cephadm
# (see hack/build-tree.sh), ansible-test's get-pip cache is seeded with our
# offline stand-in (see hack/seed_get_pip.py), and ansible-test runs there with
# the series' venv.  Results land in that copy's tests/output/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

[[ $# -ge 1 ]] || { echo "usage: $0 2.19|2.21 [ansible-test sanity options...]" >&2; exit 2; }
series=$1
shift

case "$series" in
    2.19) venv="$root/.venv" python=3.11 ;;
    2.21) venv="$root/.venv-2.21" python=3.12 ;;
    *) echo "sanity: unknown ansible-core series '$series' (want 2.19 or 2.21)" >&2; exit 2 ;;
esac

[[ -x "$venv/bin/ansible-test" ]] || { echo "sanity: $venv has no ansible-test; run 'make deps'" >&2; exit 1; }
actual=$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')
[[ "$actual" == "$series".* ]] || { echo "sanity: $venv has ansible-core $actual, want $series.x" >&2; exit 1; }

"$venv/bin/python" "$root/hack/seed_get_pip.py"
dest=$("$root/hack/build-tree.sh" "$root/.build/sanity-$series")

# ansible-test finds `pythonX.Y` on PATH; the venv's comes first.
export PATH="$venv/bin:$PATH"
unset PYTHONPATH

cd "$dest"
echo "sanity: ansible-core $actual, Python $python, in $dest"
start=$SECONDS
# The machine's pip configuration names optional local package directories
# that may not exist; pip's note about each of them is noise in this log.
set +o pipefail
ansible-test sanity --python "$python" "$@" 2>&1 \
    | { grep --line-buffered -v "is ignored: it is neither a file nor a directory" || true; }
rc=${PIPESTATUS[0]}
# The module code's Python floor (tests/config.yml: python_requires): compile it with that Python too.
floor=$(sed -n "s/^ *python_requires: *'>=\([0-9.]*\)'.*/\1/p" tests/config.yml)
floor_bin=
for candidate in "$HOME/.pyenv/versions/$floor".*/bin/"python$floor" "/usr/bin/python$floor"; do
    [[ -x "$candidate" ]] && floor_bin=$candidate
done
if [[ -z "$floor" || -z "$floor_bin" ]]; then
    echo "sanity: no python$floor (the floor in tests/config.yml) on this machine" >&2
    rc=1
else
    echo "sanity: compile with the module floor, Python $floor ($floor_bin)"
    PATH="$(dirname "$floor_bin"):$PATH" ansible-test sanity --test compile --python "$floor" 2>&1 \
        | { grep --line-buffered -v "is ignored: it is neither a file nor a directory" || true; }
    [[ ${PIPESTATUS[0]} -eq 0 ]] || rc=1
fi
set -o pipefail
echo "sanity: ansible-core $actual finished in $((SECONDS - start)) s (exit $rc)"
exit "$rc"
