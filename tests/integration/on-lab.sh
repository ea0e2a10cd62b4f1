#!/usr/bin/env bash
# The module integration tests on a lab instance, from fresh hosts:
# lab up, prepare.yml (the collection's own host preparation), tests/integration/run.sh, lab down.
#
#   tests/integration/on-lab.sh [LAB_NAME [LAB_SUBNET]]    (defaults: cephkit-ci-modules 10.89.82.0/24; `make lab-modules` passes lab-roles' instance)
#
# ON_LAB_REUSE=1: when the instance LAB_NAME is already up (tests/roles/run.sh keeps it after its steps
# passed, with prepared hosts and no cluster), use its hosts instead of fresh ones; prepare.yml then puts
# back what the roles test changed (its last step points node2's chrony at a dead server).
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

inventory=$root/.lab/$name/inventory.yml
start=$SECONDS
if [[ ${ON_LAB_REUSE:-0} == 1 && -f $inventory ]] && podman container exists "$name-node1"; then
    echo "=== lab $name: reusing its hosts (prepared by the roles test); prepare.yml again"
else
    lab down >/dev/null 2>&1
    lab up >/dev/null
    echo "=== lab $name up ($((SECONDS - start)) s); preparing the hosts with prepare.yml"
fi
start=$SECONDS
ansible-playbook -i "$inventory" -i "$root/lab/inventory/lab.yml" cephkit.cephadm.prepare >"$root/.build/integration-prepare-$name.log" 2>&1 \
    || { tail -40 "$root/.build/integration-prepare-$name.log"; exit 1; }
echo "=== hosts prepared ($((SECONDS - start)) s)"
"$root/tests/integration/run.sh" "$inventory"
