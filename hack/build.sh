#!/usr/bin/env bash
# Build the collection artifact and prove it installs and loads, offline.
#
#   hack/build.sh
#
# 1. ansible-galaxy collection build from a copy of the working tree
#    (hack/build-tree.sh: only files git would track; build_ignore in
#    galaxy.yml drops the development-only ones) into .build/dist/;
# 2. checks that no development-only path slipped into the tarball;
# 3. ansible-galaxy collection install --offline into .build/install/;
# 4. checks that the installed collection is listed with galaxy.yml's version
#    and that ansible-doc loads every module's documentation from it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv"
export PATH="$venv/bin:$PATH"

read -r namespace name version < <(python - "$root/galaxy.yml" <<'PY'
import sys, yaml
with open(sys.argv[1], encoding='utf-8') as f:
    meta = yaml.safe_load(f)
print(meta['namespace'], meta['name'], meta['version'])
PY
)
fqcn="$namespace.$name"
dist="$root/.build/dist"
install="$root/.build/install"
tarball="$dist/$namespace-$name-$version.tar.gz"

rm -rf "$dist" "$install"
mkdir -p "$dist"

tree=$("$root/hack/build-tree.sh" "$root/.build/galaxy")
ansible-galaxy collection build --force --output-path "$dist" "$tree"
echo
[[ -f "$tarball" ]] || { echo "build: expected $tarball, not found" >&2; exit 1; }

listing=$(tar -tzf "$tarball")
# Nothing that is only for development may ship.
bad=$(grep -E '^(\./)?(\.venv|\.build|\.cache|\.lab|\.git/|\.ci/|lab/|hack/|requirements/|tests/output/|tests/lab/|collections/|Makefile$|pyproject\.toml$)|__pycache__|\.pyc$|\.tar\.gz$' <<<"$listing" || true)
if [[ -n "$bad" ]]; then
    echo "build: the tarball carries development-only files:" >&2
    echo "$bad" >&2
    exit 1
fi
for must in MANIFEST.json FILES.json README.md LICENSE meta/runtime.yml; do
    grep -qx "$must" <<<"$listing" || { echo "build: $must is missing from the tarball" >&2; exit 1; }
done
echo "build: $(wc -l <<<"$listing") entries, $(du -h "$tarball" | cut -f1) in $tarball"

ANSIBLE_COLLECTIONS_PATH="$install" ansible-galaxy collection install --offline --force -p "$install" "$tarball"
listed=$(ANSIBLE_COLLECTIONS_PATH="$install" ansible-galaxy collection list "$fqcn" -p "$install" 2>/dev/null \
    | awk -v c="$fqcn" '$1 == c { print $2 }')
[[ "$listed" == "$version" ]] || { echo "build: $fqcn $version not listed in $install (got '${listed}')" >&2; exit 1; }
[[ -f "$install/ansible_collections/$namespace/$name/MANIFEST.json" ]] || { echo "build: no MANIFEST.json installed" >&2; exit 1; }

# Every module's documentation loads from the installed artifact.
modules=$(ANSIBLE_COLLECTIONS_PATH="$install" ansible-doc -t module -l "$fqcn" --json \
    | python -c 'import json, sys; print(" ".join(sorted(json.load(sys.stdin))))')
if [[ -n "$modules" ]]; then
    # shellcheck disable=SC2086  # one word per module name
    ANSIBLE_COLLECTIONS_PATH="$install" ansible-doc -t module --json $modules >/dev/null
    echo "build: ansible-doc loads $(wc -w <<<"$modules") module(s): $modules"
else
    echo "build: the collection has no modules yet"
fi
echo "build: $fqcn $version installs offline into $install"
