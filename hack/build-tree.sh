#!/usr/bin/env bash
# Lay out the working tree as an installed collection:
#
#   hack/build-tree.sh DIR   ->   DIR/ansible_collections/cephkit/cephadm/
#
# The copy holds exactly the files `git ls-files -co --exclude-standard` lists
# (tracked and untracked-but-not-ignored), so uncommitted work is included and
# venvs, build output and lab state are not.  The copy gets its own git index
# so that ansible-test sees the same file list.  Prints the collection path.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 DIR" >&2; exit 2; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
namespace=cephkit
name=cephadm
base=$1
[[ "$base" = /* ]] || base="$root/$base"
dest="$base/ansible_collections/$namespace/$name"

# Refuse to wipe anything outside the repo's .build directory by mistake.
case "$dest" in
    "$root"/.build/*) ;;
    *) echo "build-tree: refusing to write outside $root/.build: $dest" >&2; exit 2 ;;
esac

rm -rf "$dest"
mkdir -p "$dest"

cd "$root"
# Tracked files deleted in the work tree are still listed: skip them.  Skip
# collections/ too: pytest-ansible, when run from the repo root without
# --ansible-unit-inject-only, leaves a symlink tree of the repo there.
git ls-files -z -co --exclude-standard --deduplicate -- . ':(exclude)collections' \
    | while IFS= read -r -d '' f; do
        if [[ -e "$f" || -L "$f" ]]; then printf '%s\0' "$f"; fi
    done \
    | rsync -a --from0 --files-from=- ./ "$dest/"

(
    cd "$dest"
    git -c init.defaultBranch=main init -q .
    git add -A
)
echo "$dest"
