#!/usr/bin/env bash
# The module integration tests on a lab instance of their own, from fresh hosts:
# lab up, prepare.yml (the collection's own host preparation), tests/integration/run.sh, lab down.
#
#   tests/integration/on-lab.sh [LAB_NAME [LAB_SUBNET]]    (defaults: cephkit-ci-modules 10.89.82.0/24)
set -euo pipefail
name=${1:-cephkit-ci-modules}
subnet=${2:-10.89.82.0/24}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
python=$root/.venv/bin/python
export PATH=$root/.venv/bin:$PATH
export ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1
"$root/hack/build-tree.sh" "$root/.build/integration" >/dev/null
export ANSIBLE_COLLECTIONS_PATH=$root/.build/integration

lab() { (cd "$root/lab" && LAB_NAME=$name LAB_SUBNET=$subnet "$python" -m cephkit_lab "$@"); }
trap 'lab down >/dev/null 2>&1 || echo "on-lab: lab down failed for $name" >&2' EXIT

lab down >/dev/null 2>&1
start=$SECONDS
lab up >/dev/null
inventory=$root/.lab/$name/inventory.yml
echo "=== lab $name up ($((SECONDS - start)) s); preparing the hosts with prepare.yml"
start=$SECONDS
ansible-playbook -i "$inventory" -i "$root/lab/inventory/lab.yml" cephkit.cephadm.prepare >"$root/.build/integration-prepare-$name.log" 2>&1 \
    || { tail -40 "$root/.build/integration-prepare-$name.log"; exit 1; }
echo "=== hosts prepared ($((SECONDS - start)) s)"
"$root/tests/integration/run.sh" "$inventory"
