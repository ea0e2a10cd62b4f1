#!/usr/bin/env bash
# Run the integration playbooks against a lab inventory, printing the time of every task and step.
#
#   tests/integration/run.sh INVENTORY [STEP...]
#
# STEP: bootstrap cluster_info config orch_host orch_apply osd_device rm_cluster (default: all, in that
# order, on clean hosts; osd_activate on a running cluster). The collection is laid out with hack/build-tree.sh unless
# ANSIBLE_COLLECTIONS_PATH already points at one.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
[[ $# -ge 1 ]] || { echo "usage: $0 INVENTORY [STEP...]" >&2; exit 2; }
inventory=$1
shift
steps=("$@")
[[ ${#steps[@]} -gt 0 ]] || steps=(bootstrap cluster_info config orch_host orch_apply orch_pause osd_device rm_cluster)

if [[ -z "${ANSIBLE_COLLECTIONS_PATH:-}" ]]; then
    "$root/hack/build-tree.sh" "$root/.build/integration" >/dev/null
    export ANSIBLE_COLLECTIONS_PATH="$root/.build/integration"
fi
playbook=${ANSIBLE_PLAYBOOK:-ansible-playbook}
if "$playbook" --version >/dev/null 2>&1 && ansible-doc -t callback ansible.posix.profile_tasks >/dev/null 2>&1; then
    export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks
fi
export ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_FORCE_COLOR=0

summary=()
for step in "${steps[@]}"; do
    book=$step
    start=$(date +%s)
    echo "=== step $step"
    "$playbook" -i "$inventory" "$here/playbooks/$book.yml"
    summary+=("$(printf '%-14s %4ss' "$step" $(( $(date +%s) - start )))")
done
echo "=== step times"
printf '%s\n' "${summary[@]}"
