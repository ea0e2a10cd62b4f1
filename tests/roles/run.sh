#!/usr/bin/env bash
# The lab test of the host-preparation half: roles cephkit,
# cephkit_prerequisites, cephkit_chrony, cephkit_registry, cephkit_cephadm and
# playbooks/prepare.yml.
#
#   tests/roles/run.sh [LAB_NAME [LAB_SUBNET]]     (defaults: rolelab 10.89.81.0/24)
#
# Brings a lab instance of that name up on fresh hosts, then:
#   static     argument specs in step (specs.py), the podman/Ceph table matrix
#   validate   bad inventories fail, naming host, variable and value
#   check      prepare.yml --check --diff on fresh hosts: completes, changes nothing
#   prepare    prepare.yml on the fresh hosts
#   idempotent prepare.yml again: changed=0 on every host
#   check2     prepare.yml --check on the prepared hosts: changed=0
#   hosts      on every host: podman pull quay.io/ceph/ceph:v16 through the
#              mirror, cephadm 16.2.15, `podman run --init`, chrony synchronised,
#              lvm settings
#   retags     cephkit_image_retags: pulled and tagged on every host, then changed=0
#   sources    cephadm from a file on the controller and from a URL (sha256),
#              and a cephadm of another release refused
#   ntp-fault  an NTP server that answers nobody: the time step fails in bounded
#              time, naming the server, what chronyd reports and the variable
# and takes the instance down again on exit (ROLES_TEST_KEEP=1 keeps it; ROLES_TEST_KEEP=passed keeps it
# only when every step passed, for the module tests to run on the prepared hosts: see lab/lab.mk).
# Logs: .build/roles-test/<LAB_NAME>/.  Prints the wall time of every step.
set -euo pipefail

name=${1:-${LAB_NAME:-rolelab}}
subnet=${2:-${LAB_SUBNET:-10.89.81.0/24}}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
python=$root/.venv/bin/python
[ -x "$python" ] || python=python3
bin=$root/.venv/bin
logs=$root/.build/roles-test/$name
work=$(mktemp -d)
mkdir -p "$logs" "$work/collections/ansible_collections/cephkit"
ln -s "$root" "$work/collections/ansible_collections/cephkit/cephadm"

export ANSIBLE_COLLECTIONS_PATH=$work/collections
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0
export ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0

lab() { (cd "$root/lab" && LAB_NAME=$name LAB_SUBNET=$subnet "$python" -m cephkit_lab "$@"); }

cleanup() {
  local rc=$?
  if [ "${ROLES_TEST_KEEP:-0}" = 1 ] || { [ "${ROLES_TEST_KEEP:-0}" = passed ] && [ "$rc" -eq 0 ]; }; then
    echo "roles-test: keeping lab instance $name (ROLES_TEST_KEEP=${ROLES_TEST_KEEP})"
  else
    lab down >"$logs/lab-down.log" 2>&1 || echo "roles-test: lab down failed, see $logs/lab-down.log"
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

summary=()
step() {  # step NAME COMMAND...: runs, times, records; stops the test on failure
  local step_name=$1 start=$SECONDS
  shift
  printf '\n==== roles-test: %s ====\n' "$step_name"
  if "$@"; then
    summary+=("$(printf '  %-11s passed %4d s' "$step_name" $((SECONDS - start)))")
  else
    summary+=("$(printf '  %-11s FAILED %4d s' "$step_name" $((SECONDS - start)))")
    printf '%s\n' "${summary[@]}"
    echo "roles-test: FAILED at $step_name (logs in $logs)"
    exit 1
  fi
}

inventory=$root/.lab/$name/inventory.yml
playbook() {  # playbook LOG ARGS...: ansible-playbook with both inventories, output to LOG
  local log=$1
  shift
  "$bin/ansible-playbook" -i "$inventory" -i "$root/lab/inventory/lab.yml" "$@" >"$log" 2>&1
}

changed_counts() {  # the changed= of each host in a play recap
  grep -E '^node[0-9]+ +: ok=' "$1" | sed -E 's/^(node[0-9]+) .*changed=([0-9]+).*/\1=\2/' | tr '\n' ' '
}

expect_no_change() {  # LOG: every host of the recap reports changed=0 and nothing failed
  local counts
  counts=$(changed_counts "$1")
  echo "changed: $counts"
  [ -n "$counts" ] && ! grep -Eq 'changed=[1-9]|failed=[1-9]|unreachable=[1-9]' <(grep -E '^node[0-9]+ +: ok=' "$1")
}

# ------------------------------------------------------------------ steps
do_lab_up() {
  lab down >"$logs/lab-down-before.log" 2>&1 || true   # fresh hosts
  lab up >"$logs/lab-up.log" 2>&1 || { tail -20 "$logs/lab-up.log"; return 1; }
  [ -f "$inventory" ]
}

do_static() {
  "$python" "$root/tests/roles/specs.py" &&
    "$bin/ansible-playbook" "$root/tests/roles/podman_table.yml" >"$logs/podman-table.log" 2>&1 &&
    grep -E '^localhost +: ' "$logs/podman-table.log" &&
    ! grep -q 'failed=[1-9]' "$logs/podman-table.log"
}

validate_case() {  # validate_case EXPECTED_SUBSTRING EXTRA_VARS_FILE [INVENTORY]
  local expect=$1 extra=$2 inv=${3:-} log=$logs/validate-$((++validate_n)).log
  if playbook "$log" "$root/tests/roles/validate.yml" --limit node1 -e "@$extra" ${inv:+-i "$inv"}; then
    echo "  expected a failure for $(cat "$extra") ${inv:+(+ $inv)}, the checks passed"
    return 1
  fi
  if ! grep -qF -- "$expect" "$log"; then
    echo "  $(cat "$extra"): failed, but without \"$expect\" (see $log)"
    return 1
  fi
  echo "  ok: $(cat "$extra")${inv:+ + groups of $(basename "$inv")} -> \"$expect\""
}

# Every case of tests/roles/bad_inputs.yml (also the source of docs/bad-inputs.md).
do_validate() {
  local cases expect extra inv failed=0
  validate_n=0
  playbook "$logs/validate-0.log" "$root/tests/roles/validate.yml" || { echo "  the lab inventory itself fails"; return 1; }
  cases=$("$python" "$root/tests/roles/bad_inputs.py" --lab "$logs/bad-inputs") || return 1
  while IFS=$'\t' read -r expect extra inv; do
    validate_case "$expect" "$extra" "$inv" </dev/null || failed=1
  done <<<"$cases"
  echo "  $validate_n bad inputs tried"
  return "$failed"
}

do_check_fresh() {
  playbook "$logs/check-fresh.log" "$root/playbooks/prepare.yml" --check --diff || { tail -30 "$logs/check-fresh.log"; return 1; }
  echo "changed (would change): $(changed_counts "$logs/check-fresh.log")"
  # nothing was installed or written
  "$bin/ansible" -i "$inventory" lab_hosts -m ansible.builtin.shell \
    -a 'test ! -e /usr/bin/podman && test ! -e /usr/sbin/chronyd && test ! -e /usr/sbin/cephadm && test ! -e /etc/containers && test -e /etc/apt/sources.list && test ! -e /etc/apt/sources.list.d/cephkit-lab.sources' \
    >"$logs/check-fresh-untouched.log" 2>&1 || { cat "$logs/check-fresh-untouched.log"; return 1; }
  echo "hosts untouched by check mode"
}

do_prepare() {
  playbook "$logs/prepare.log" "$root/playbooks/prepare.yml" || { grep -E -A5 '^fatal|FAILED!' "$logs/prepare.log" | head -40; return 1; }
  echo "changed: $(changed_counts "$logs/prepare.log")"
}

do_idempotent() {
  playbook "$logs/prepare-again.log" "$root/playbooks/prepare.yml" || { tail -30 "$logs/prepare-again.log"; return 1; }
  expect_no_change "$logs/prepare-again.log" || { grep -B3 '^changed:' "$logs/prepare-again.log" | head -40; return 1; }
}

do_check_prepared() {
  playbook "$logs/check-prepared.log" "$root/playbooks/prepare.yml" --check --diff || { tail -30 "$logs/check-prepared.log"; return 1; }
  expect_no_change "$logs/check-prepared.log" || { grep -B3 '^changed:' "$logs/check-prepared.log" | head -40; return 1; }
}

do_hosts() {
  # shellcheck disable=SC2016  # expanded on the hosts
  "$bin/ansible" -i "$inventory" lab_hosts -m ansible.builtin.shell -a '
    set -eu
    podman rmi -f quay.io/ceph/ceph:v16 >/dev/null 2>&1 || true
    podman pull quay.io/ceph/ceph:v16 >/dev/null 2>/tmp/pull.err || { cat /tmp/pull.err; exit 1; }
    v=$(dpkg-query -W -f="\${Version}" cephadm); case $v in 16.2.15*) ;; *) echo "cephadm $v"; exit 1;; esac
    grep -q "^DEFAULT_IMAGE_RELEASE = .pacific.$" /usr/sbin/cephadm
    podman run --rm --init quay.io/ceph/ceph:v16 ceph --version | grep -q "ceph version 16.2.15"
    chronyc -n tracking | grep -Eq "Leap status *: Normal"
    test "$(lvmconfig activation/udev_sync devices/obtain_device_list_from_udev | tr "\n" " ")" = "udev_sync=0 obtain_device_list_from_udev=0 "
    echo "pulled quay.io/ceph/ceph:v16 through the mirror; cephadm $v; podman run --init: ceph 16.2.15; chrony synchronised; lvm udev off"
  ' >"$logs/hosts.log" 2>&1 || { cat "$logs/hosts.log"; return 1; }
  grep -E '^node|pulled' "$logs/hosts.log"
}

do_sources() {
  # cephadm from a file on the controller and from a URL (both the package's own
  # script, so the hosts end as they were), then a cephadm of another release,
  # which must be refused.
  local port=8765 server_pid url sum fake gateway
  "$bin/ansible" -i "$inventory" node1 -m ansible.builtin.fetch -a "src=/usr/sbin/cephadm dest=$work/cephadm flat=true" \
    >"$logs/sources-fetch.log" 2>&1 || { cat "$logs/sources-fetch.log"; return 1; }
  "$bin/ansible" -i "$inventory" node2,node3 -m ansible.builtin.file -a "path=/usr/sbin/cephadm state=absent" >/dev/null
  playbook "$logs/sources-file.log" "$root/playbooks/prepare.yml" --limit node2 \
    -e "{\"cephkit_cephadm_source\": \"file\", \"cephkit_cephadm_file\": \"$work/cephadm\"}" ||
    { grep -E -A5 '^fatal' "$logs/sources-file.log" | head -20; return 1; }
  echo "file: $(changed_counts "$logs/sources-file.log")(copied $work/cephadm to node2)"
  gateway=$(sed -nE 's/^ *lab_gateway: *//p' "$inventory")
  sum=$(sha256sum "$work/cephadm" | cut -d' ' -f1)
  url="http://$gateway:$port/cephadm"
  "$python" -m http.server --bind "$gateway" --directory "$work" "$port" >"$logs/sources-http.log" 2>&1 &
  server_pid=$!
  playbook "$logs/sources-url.log" "$root/playbooks/prepare.yml" --limit node3 \
    -e "{\"cephkit_cephadm_source\": \"url\", \"cephkit_cephadm_url\": \"$url\", \"cephkit_cephadm_checksum\": \"sha256:$sum\"}" ||
    { kill "$server_pid"; grep -E -A5 '^fatal' "$logs/sources-url.log" | head -20; return 1; }
  kill "$server_pid"
  echo "url: $(changed_counts "$logs/sources-url.log")(downloaded $url to node3, sha256 checked)"
  fake=$work/cephadm-quincy
  sed -e "s/^DEFAULT_IMAGE_RELEASE = .*/DEFAULT_IMAGE_RELEASE = 'quincy'/" "$work/cephadm" >"$fake"
  if playbook "$logs/sources-mismatch.log" "$root/playbooks/prepare.yml" --limit node2 \
    -e "{\"cephkit_cephadm_source\": \"file\", \"cephkit_cephadm_file\": \"$fake\"}"; then
    echo "a cephadm for quincy was accepted with a pacific image"
    return 1
  fi
  grep -q 'is for Ceph quincy' "$logs/sources-mismatch.log" || { grep -A3 '^fatal' "$logs/sources-mismatch.log"; return 1; }
  echo "mismatch refused: $(grep -o 'node2: /usr/sbin/cephadm[^"]*' "$logs/sources-mismatch.log" | head -1)"
  # put the real one back
  playbook "$logs/sources-restore.log" "$root/playbooks/prepare.yml" --limit node2 \
    -e "{\"cephkit_cephadm_source\": \"file\", \"cephkit_cephadm_file\": \"$work/cephadm\"}" ||
    { grep -E -A5 '^fatal' "$logs/sources-restore.log" | head -20; return 1; }
}

do_retags() {
  # the seed's arch-tagged image problem, on every host: pull an image under
  # one name and tag it as the name cephadm asks for; then nothing to do.
  local extra='{"cephkit_image_retags": [{"source": "quay.io/ceph/ceph:v16.2.15", "target": "docker.io/ceph/ceph-grafana:6.7.4"}]}'
  playbook "$logs/retags.log" "$root/playbooks/prepare.yml" -e "$extra" || { grep -E -A5 '^fatal' "$logs/retags.log" | head -20; return 1; }
  echo "first run: $(changed_counts "$logs/retags.log")"
  grep -Eq '^changed: \[node[0-9]\] => \(item=quay.io/ceph/ceph:v16.2.15 -> docker.io/ceph/ceph-grafana:6.7.4\)' "$logs/retags.log" ||
    { echo "no tag was made"; return 1; }
  playbook "$logs/retags-again.log" "$root/playbooks/prepare.yml" -e "$extra" || { tail -20 "$logs/retags-again.log"; return 1; }
  expect_no_change "$logs/retags-again.log" || return 1
  "$bin/ansible" -i "$inventory" lab_hosts -m ansible.builtin.command \
    -a 'podman image exists docker.io/ceph/ceph-grafana:6.7.4' >"$logs/retags-exists.log" 2>&1 || { cat "$logs/retags-exists.log"; return 1; }
  echo "docker.io/ceph/ceph-grafana:6.7.4 exists on every host"
}

do_registry_fault() {
  # The registry mirror is down: host preparation fails fast on node3, naming the image and the mirror, and
  # converges once the mirror is back. (prepare.yml pulls on every run and reports whether the image changed.)
  local start elapsed rc=0 registry=$name-registry
  podman stop --time 2 "$registry" >"$logs/registry-stop.log" 2>&1 || { cat "$logs/registry-stop.log"; return 1; }
  start=$SECONDS
  if playbook "$logs/registry-fault.log" "$root/playbooks/prepare.yml" --limit node3; then
    echo "prepare.yml passed with the registry mirror down"
    rc=1
  fi
  elapsed=$((SECONDS - start))
  podman start "$registry" >"$logs/registry-start.log" 2>&1 || { cat "$logs/registry-start.log"; return 1; }
  [ "$rc" -eq 0 ] || return 1
  grep -q 'node3: cannot pull quay.io/ceph/ceph:v16 (the cluster image) with podman from registry quay.io (mirrors for prefix quay.io/ceph: .*/ceph)' \
    "$logs/registry-fault.log" || { grep -E -A3 '^fatal' "$logs/registry-fault.log" | head -20; return 1; }
  # a prepared host takes well under a minute; the failed pull must not add minutes
  [ "$elapsed" -le 120 ] || { echo "the failure took $elapsed s"; return 1; }
  echo "failed after $elapsed s: $(grep -o 'node3: cannot pull [^;]*' "$logs/registry-fault.log" | head -1)"
  start=$SECONDS
  wait_for_registry || return 1
  playbook "$logs/registry-back.log" "$root/playbooks/prepare.yml" --limit node3 ||
    { tail -30 "$logs/registry-back.log"; return 1; }
  expect_no_change "$logs/registry-back.log" || { grep -B3 '^changed:' "$logs/registry-back.log" | head -40; return 1; }
  echo "mirror back: prepare.yml converged in $((SECONDS - start)) s, nothing changed"
}

wait_for_registry() {  # until the lab registry answers again (it is started with its data)
  local url
  url=http://$("$python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["all"]["vars"]["lab_registry"])' "$inventory")/v2/
  for _ in $(seq 1 30); do
    "$bin/ansible" -i "$inventory" node3 -m ansible.builtin.uri -a "url=$url" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "the registry did not answer again at $url"
  return 1
}

do_ntp_fault() {
  # The last step (it leaves node2 with a server nobody answers at; the lab goes down after it).
  local dead start elapsed wait=20
  dead=${subnet%.*}.250
  start=$SECONDS
  if playbook "$logs/ntp-fault.log" "$root/playbooks/prepare.yml" --limit node2 \
    -e "{\"cephkit_chrony_servers\": [\"$dead\"], \"cephkit_chrony_wait_timeout\": $wait}"; then
    echo "prepare.yml passed with an NTP server that answers nobody"
    return 1
  fi
  elapsed=$((SECONDS - start))
  grep -q "node2: chronyd did not synchronise within $wait s with cephkit_chrony_servers=\[.*$dead" "$logs/ntp-fault.log" ||
    { grep -E -A3 '^fatal' "$logs/ntp-fault.log" | head -20; return 1; }
  grep -q 'Fix cephkit_chrony_servers' "$logs/ntp-fault.log" || { grep -E -A3 '^fatal' "$logs/ntp-fault.log"; return 1; }
  # host preparation on a prepared host takes well under a minute; the wait adds $wait s
  [ "$elapsed" -le $((wait + 90)) ] || { echo "the time step took $elapsed s with a $wait s wait"; return 1; }
  echo "failed after $elapsed s (wait $wait s): $(grep -o 'chronyd reports [^;]*' "$logs/ntp-fault.log" | head -1)"
}

echo "roles-test: lab instance $name on $subnet; logs in $logs"
step lab-up do_lab_up
step static do_static
step validate do_validate
step check do_check_fresh
step prepare do_prepare
step idempotent do_idempotent
step check2 do_check_prepared
step hosts do_hosts
step retags do_retags
step sources do_sources
step registry-fault do_registry_fault
step ntp-fault do_ntp_fault
printf '\n==== roles-test summary (lab %s) ====\n' "$name"
printf '%s\n' "${summary[@]}"
echo "roles-test: all steps passed"
