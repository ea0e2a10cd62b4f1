#!/usr/bin/env bash
# Type-check the collection with mypy.
#
#   hack/mypy.sh [mypy options...]
#
# mypy needs `ansible_collections.cephkit.cephadm.plugins...` to resolve, so it
# runs inside .build/mypy/ansible_collections/cephkit/cephadm, a copy of the
# working tree (hack/build-tree.sh); error paths are printed relative to the
# repo root.
# plugins/ is checked strictly, lab/ hack/ tests/ leniently (pyproject.toml).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv"
[[ -x "$venv/bin/mypy" ]] || { echo "mypy: $venv has no mypy; run 'make deps'" >&2; exit 1; }

base="$root/.build/mypy"
tree=$("$root/hack/build-tree.sh" "$base")

# ansible-core has inline annotations but no py.typed marker: put its source on
# MYPYPATH (through a symlink, as mypy refuses site-packages there) so that it
# is analysed rather than treated as untyped.
ansible_pkg=$("$venv/bin/python" -c 'import ansible, os; print(os.path.dirname(ansible.__file__))')
ln -sfn "$ansible_pkg" "$base/ansible"

# Run from the base so that files under ansible_collections/cephkit/cephadm/
# get their full module names (explicit_package_bases); lab/ is a base of its
# own for the cephkit_lab package.
rel=ansible_collections/cephkit/cephadm
targets=()
for d in plugins lab hack tests; do
    if [[ -n "$(find "$tree/$d" -name '*.py' -print -quit 2>/dev/null)" ]]; then
        targets+=("$rel/$d")
    fi
done
[[ ${#targets[@]} -gt 0 ]] || { echo "mypy: no Python files to check"; exit 0; }

cd "$base"
export MYPYPATH="$base:$tree/lab"
set +o pipefail
"$venv/bin/mypy" --config-file "$root/pyproject.toml" --cache-dir "$root/.cache/mypy" "$@" "${targets[@]}" 2>&1 \
    | sed -u "s#^$rel/##"
rc=${PIPESTATUS[0]}
exit "$rc"
