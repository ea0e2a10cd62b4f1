#!/usr/bin/env bash
# The reference of `make bench`: the lab deployment typed as plain commands, the way the source document
# does it by hand (hosts prepared in parallel, then cephadm bootstrap and ceph orch), with the same end
# state as site.yml on the lab inventory: the lab's apt repository only, podman (runc, the lab's ulimits),
# the registry mirror, lvm without udev, chrony from node1, cephadm and ceph-common; bootstrap without
# monitoring; every host added with its labels; mons and mgrs placed by label; osd_memory_target 1G with
# the autotuner off; raw OSDs on every lab disk; HEALTH_OK with every OSD up and in.
#
#   hack/bench-plain.sh LAB_INVENTORY [GROUPS_INVENTORY]
#
# LAB_INVENTORY: .lab/<name>/inventory.yml; GROUPS_INVENTORY: the groups (default lab/inventory/lab.yml):
# ceph (every host), ceph_mons, ceph_mgrs, ceph_admins. Prints "plain: N s".
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
inventory=$1
groups=${2:-$root/lab/inventory/lab.yml}
python=$root/.venv/bin/python
start=$SECONDS

# name ip disk,disk labels  (one line per host of the group ceph), then the lab's settings
eval "$("$python" - "$inventory" "$groups" <<'EOF'
import shlex, sys, yaml
lab = yaml.safe_load(open(sys.argv[1]))['all']
groups = yaml.safe_load(open(sys.argv[2]))['all']['children']
names = list(groups['ceph']['hosts'])
hosts = lab['children']['lab_hosts']['hosts']
members = {g: list((groups.get(g) or {}).get('hosts') or {}) for g in ('ceph_mons', 'ceph_mgrs', 'ceph_admins')}
rows = []
for n in names:
    labels = [lab_ for g, lab_ in (('ceph_mons', 'mon'), ('ceph_mgrs', 'mgr'), ('ceph_admins', '_admin')) if n in members[g]]
    rows.append(' '.join([n, hosts[n]['ansible_host'], ','.join(hosts[n]['lab_disks']), ','.join(labels + ['osd'])]))
v = lab['vars']
print('HOSTS=%s' % shlex.quote('\n'.join(rows)))
print('KEY=%s' % shlex.quote(hosts[names[0]]['ansible_ssh_private_key_file']))
print('MONS=%d' % len(members['ceph_mons']))
print('OSDS=%d' % sum(len(hosts[n]['lab_disks']) for n in names))
for k in ('lab_registry', 'lab_package_repo_url', 'lab_network_cidr'):
    print('%s=%s' % (k.upper(), shlex.quote(str(v[k]))))
EOF
)"

on() {  # on IP COMMAND...: run a shell command on a lab host
  local ip=$1
  shift
  ssh -q -i "$KEY" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "root@$ip" "$@"
}

first_ip=$(head -1 <<<"$HOSTS" | cut -d' ' -f2)

prepare() {  # prepare IP IS_FIRST
  local ip=$1 first=$2 chrony
  if [ "$first" = 1 ]; then
    chrony=$'local stratum 10\nallow '"$LAB_NETWORK_CIDR"
  else
    chrony="server $first_ip iburst"
  fi
  on "$ip" bash -s <<EOF
set -euo pipefail
: > /etc/apt/sources.list
rm -f /etc/apt/sources.list.d/*
printf 'Types: deb\nURIs: %s\nSuites: ./\nTrusted: yes\n' '$LAB_PACKAGE_REPO_URL' > /etc/apt/sources.list.d/lab.sources
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  podman catatonit runc lvm2 chrony cephadm ceph-common >/dev/null
mkdir -p /etc/containers/registries.conf.d
printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=30000:30000"]\n\n[engine]\nruntime = "runc"\n' \
  > /etc/containers/containers.conf
printf '[[registry]]\nprefix = "quay.io/ceph"\nlocation = "quay.io/ceph"\n\n[[registry.mirror]]\nlocation = "%s/ceph"\ninsecure = true\n' \
  '$LAB_REGISTRY' > /etc/containers/registries.conf.d/cephkit.conf
printf 'activation {\n\tudev_sync = 0\n\tudev_rules = 0\n}\ndevices {\n\tobtain_device_list_from_udev = 0\n}\n' \
  > /etc/lvm/lvmlocal.conf
printf '%s\ndriftfile /var/lib/chrony/chrony.drift\nmakestep 1.0 3\n' '$chrony' > /etc/chrony/chrony.conf
echo 'DAEMON_OPTS="-x"' > /etc/default/chrony
systemctl restart chrony
podman pull -q quay.io/ceph/ceph:v16 >/dev/null
EOF
}

first=1
pids=()
while read -r -u 3 _name ip _disks _labels; do
  prepare "$ip" "$first" &
  pids+=($!)
  first=0
done 3<<<"$HOSTS"
for pid in "${pids[@]}"; do wait "$pid"; done
# chrony: every host synchronised (the time source first)
while read -r -u 3 _name ip _disks _labels; do
  # shellcheck disable=SC2016  # expanded on the host
  on "$ip" 'for i in $(seq 1 120); do chronyc -n tracking | grep -q "Leap status *: Normal" && exit 0; sleep 1; done; exit 1'
done 3<<<"$HOSTS"
echo "plain: hosts prepared ($((SECONDS - start)) s)"

on "$first_ip" bash -s <<EOF
set -euo pipefail
printf '[global]\npublic_network = %s\n' '$LAB_NETWORK_CIDR' > /root/bench-initial.conf
cephadm --image quay.io/ceph/ceph:v16 bootstrap --mon-ip '$first_ip' --config /root/bench-initial.conf \
  --skip-monitoring-stack --skip-firewalld >/root/bench-bootstrap.log 2>&1
ceph cephadm get-pub-key > /root/bench-ceph.pub
EOF
pub=$(on "$first_ip" cat /root/bench-ceph.pub)
while read -r -u 3 name ip _disks labels; do
  [ "$ip" = "$first_ip" ] || on "$ip" "mkdir -p /root/.ssh && echo '$pub' >> /root/.ssh/authorized_keys"
  [ "$ip" = "$first_ip" ] || on "$first_ip" "ceph orch host add $name $ip >/dev/null"
  for label in ${labels//,/ }; do on "$first_ip" "ceph orch host label add $name $label >/dev/null"; done
done 3<<<"$HOSTS"
on "$first_ip" bash -s <<'EOF'
set -euo pipefail
ceph orch apply mon --placement=label:mon >/dev/null
ceph orch apply mgr --placement=label:mgr >/dev/null
ceph config set osd osd_memory_target_autotune false
ceph config set osd osd_memory_target 1G
ceph config set mon mon_data_avail_warn 5
EOF
while read -r -u 3 name _ip disks _labels; do
  on "$first_ip" "ceph orch daemon add osd $name:$disks raw >/dev/null"
done 3<<<"$HOSTS"
# shellcheck disable=SC2016  # expanded on the host
on "$first_ip" "for i in \$(seq 1 600); do s=\$(ceph status --format json); echo \"\$s\" | python3 -c '
import json, sys
s = json.load(sys.stdin)
up = s[\"osdmap\"].get(\"num_up_osds\", s[\"osdmap\"].get(\"osdmap\", {}).get(\"num_up_osds\"))
ok = s[\"health\"][\"status\"] == \"HEALTH_OK\" and up == $OSDS and len(s[\"quorum_names\"]) == $MONS
sys.exit(0 if ok else 1)' && exit 0; sleep 1; done; ceph -s; exit 1"
echo "plain: $((SECONDS - start)) s"
