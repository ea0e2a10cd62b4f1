#!/usr/bin/env bash
# Run inside a Ceph image of the lab (podman run --network none ... bash /probe.sh): a one-mon,
# one-mgr cluster on loopback, then the mgr's modules as the mgr itself reports them, as one JSON
# line on stdout. No OSD, no cephadm deployment: what this answers is whether the image's mgr
# loads its Python modules (cephadm, dashboard, ...) at all.
set -euo pipefail
exec 3>&1 1>&2
fsid=$(python3 -c 'import uuid; print(uuid.uuid4())')
mkdir -p /etc/ceph /var/lib/ceph/mon/ceph-a /var/lib/ceph/mgr/ceph-x /var/log/ceph /var/run/ceph
cat > /etc/ceph/ceph.conf <<EOC
[global]
fsid = $fsid
mon host = v2:127.0.0.1:3300
auth allow insecure global id reclaim = false
EOC
ceph-authtool --create-keyring /tmp/mon.keyring --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool --create-keyring /etc/ceph/ceph.client.admin.keyring --gen-key -n client.admin \
  --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
ceph-authtool /tmp/mon.keyring --import-keyring /etc/ceph/ceph.client.admin.keyring >/dev/null
monmaptool --create --addv a '[v2:127.0.0.1:3300]' --fsid "$fsid" /tmp/monmap >/dev/null
ceph-mon --mkfs -i a --monmap /tmp/monmap --keyring /tmp/mon.keyring
ceph-mon -i a
ceph auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' \
  > /var/lib/ceph/mgr/ceph-x/keyring
ceph-mgr -i x
deadline=$((SECONDS + 120))
until ceph mgr stat -f json | grep -Eq '"available": ?true'; do
  [ "$SECONDS" -lt "$deadline" ] || { echo "the mgr did not become available in 120 s" >&2; break; }
  sleep 1
done
ceph mgr module enable cephadm
ceph mgr module enable dashboard
ceph orch set backend cephadm
ceph cephadm generate-key
# The dashboard's certificate is made by pyOpenSSL and cryptography inside the mgr.
ceph dashboard create-self-signed-cert
# The orchestrator answers once the cephadm module runs; a module that failed to load never does.
until ceph orch status -f json > /tmp/orch.json 2>/dev/null && grep -Eq '"available": ?true' /tmp/orch.json; do
  [ "$SECONDS" -lt "$deadline" ] || break
  sleep 1
done
ceph health detail -f json > /tmp/health.json
ceph mgr module ls -f json > /tmp/modules.json
ceph --version > /tmp/version.txt
until ceph mgr services -f json | grep -q dashboard; do
  [ "$SECONDS" -lt "$deadline" ] || break
  sleep 1
done
ceph mgr services -f json > /tmp/services.json
python3 - >&3 <<'EOPY'
import glob
import json
modules = json.load(open("/tmp/modules.json"))
log = open("/var/log/ceph/ceph-mgr.x.log", encoding="utf-8", errors="replace").read()
print(json.dumps({
    "version": open("/tmp/version.txt").read().strip(),
    "enabled": modules.get("enabled_modules", []),
    "unavailable": {m["name"]: m.get("error_string", "") for m in modules.get("disabled_modules", [])
                    if not m.get("can_run", True)},
    "health_checks": {k: v["summary"]["message"] for k, v in json.load(open("/tmp/health.json")).get("checks", {}).items()},
    "orch_status": json.load(open("/tmp/orch.json")),
    "services": json.load(open("/tmp/services.json")),
    "load_errors": log.count("Error loading module"),
    "pyo3_errors": log.count("PyO3"),
    # Python errors the mgr leaves pending surface as crash reports (RECENT_MGR_MODULE_CRASH).
    "python_errors": log.count("mgr[py] AttributeError"),
    "crash_reports": [c.split("/")[-2] for c in glob.glob("/var/lib/ceph/crash/*/meta")],
}))
EOPY
