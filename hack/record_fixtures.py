#!/usr/bin/env python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Record the unit-test fixtures of the modules from a real cluster.

Runs commands on an admin host of a real cephadm cluster over SSH and stores
each output as ``tests/unit/fixtures/<ceph version>/<name>.json``::

    {"ceph_version": "16.2.15", "host": "node1", "command": [...],
     "rc": 0, "stdout": "...", "stderr": "...", "recorded_at": "..."}

The unit tests replay ``rc``/``stdout``/``stderr`` for the command they expect;
nothing in a fixture is typed by hand. After every run the values that differ between two recorded
clusters (fsid, addresses, mgr names, devices, ...) are derived from the directory's fixtures into
``identity.yml`` next to them (``--identity-only DIR`` does only that); the unit cases name them ``${name}``.

Sets of fixtures:

* ``reads`` (default): read-only commands (``ceph ... --format json``,
  ``cephadm ls``, ``podman ps``, ...). Changes nothing.
* ``writes``: a reversible sequence on the cluster (a host label added and
  removed, config values set and removed, a spec re-applied unchanged, an OSD
  spec dry-run), with the reads in between.
* ``osd``: the life of one OSD on a free device given with ``--osd-device
  HOST:DEV``: created (raw), removed with ``--replace``, purged, the device
  zapped. Takes a minute or two; run it on a lab cluster only.
* ``osd_batch``: OSDs on two free devices of one host (``--osd-devices HOST:DEV1,DEV2``) in one
  orchestrator call, then the OSD metadata and tree with them (the OSDs stay).
* ``toolbox``: the helper container (podman run, exec, rm) on an admin host.
* ``clean``: on a host where the cluster was removed (after rm-cluster).
* ``bootstrap``: on a clean host, a single-host cluster bootstrapped as ceph_bootstrap does it, the
  dashboard password set through stdin (never stored), then the cluster removed again.
* ``guards``: what the modules' safety checks read (``ceph quorum_status``), the orchestrator
  paused and resumed (``ceph orch status`` in between), and an option of type secs
  set with a unit (``1m``) and removed again, with the dump in between (reversible).
* ``gates``: what ceph_cluster_wait sees: ``ceph status`` with HEALTH_WARN (the ``noout`` flag, set and
  unset again) and a ``ceph status`` that reaches no mon (reversible).
* ``upgrade``: ceph_orch_upgrade on a cluster of the recorder's version, upgraded to ``--upgrade-image``
  (an image the registry lacks, ``--upgrade-missing``, first: its pause and stop). Files the fixtures under
  the version the cluster started from.
* ``no_standby``: UPGRADE_NO_STANDBY_MGR with a mgr that runs but is no mgr of the map (its process stopped
  on ``--standby-host``), the mgr restarted and the upgrade resumed.
* ``half_bootstrap``: on a clean host, bootstraps killed once the mon, then once the mgr, is listed (what an
  interrupted run leaves), and the half-made clusters removed.
* ``activate``: the OSDs of ``--activate-host`` as ceph_osd_activate reads them. Run it after that host
  lost its OSD daemons (``cephadm rm-cluster`` there without zapping, as after an OS reinstall): the
  missing state is recorded, the host activated (``ceph cephadm osd activate``), the polls until the
  OSDs are up, then the healthy state. On a healthy host only the healthy state is recorded.
* ``all_hosts``: what one call for every host reads (ceph_orch_host, ceph_osd_activate and ceph_osd_device with
  ``hosts``), on a converged cluster: the hosts, the OSD map and metadata, the orchestrator's OSD daemons of
  every host and the devices of every host, from one moment of the same cluster.
* ``mgr_failover``: a mgr module's internal error (the mgr answers with the module's Python traceback), made on
  demand with the selftest module (``ceph mgr self-test module`` of a module that does not exist; selftest is enabled
  for it and disabled again), then a mgr failover as ceph_osd_device makes one after such an error: the mgr map,
  ``ceph mgr fail`` of the active mgr, the map right after it, then once another mgr is active and available, and
  ``ceph orch status`` answered by it. Changes which mgr is active, nothing else.

Examples::

    hack/record_fixtures.py --inventory .lab/cephkit-lab/inventory.yml --host node1
    hack/record_fixtures.py --ssh root@10.89.77.11 --key .lab/cephkit-lab/id_ed25519 \\
        --sets reads writes osd --osd-device node1:/dev/loop1 --label-host node2
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import pathlib
import re
import secrets
import shlex
import subprocess
import sys
import time
import uuid
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / 'tests' / 'unit' / 'fixtures'
LABEL = 'cephkit-fixture'
CEPH_DAEMON_TYPES = ('mon', 'mgr', 'osd', 'crash', 'mds', 'rgw', 'rbd-mirror', 'cephfs-mirror')


class Remote:
    """Runs argv lists on the target over SSH."""

    def __init__(self, target: str, key: str | None, port: int | None) -> None:
        self.target = target
        self.ssh = [
            'ssh',
            '-o',
            'BatchMode=yes',
            '-o',
            'StrictHostKeyChecking=no',
            '-o',
            'UserKnownHostsFile=/dev/null',
            '-o',
            'LogLevel=ERROR',
        ]
        if key:
            self.ssh += ['-i', key]
        if port:
            self.ssh += ['-p', str(port)]

    def run(self, argv: list[str], stdin: str | None = None, timeout: int = 300) -> tuple[int, str, str]:
        remote = ' '.join(shlex.quote(a) for a in argv)
        proc = subprocess.run(
            [*self.ssh, self.target, remote], input=stdin, capture_output=True, text=True, timeout=timeout, check=False
        )
        return proc.returncode, proc.stdout, proc.stderr


class Recorder:
    def __init__(self, remote: Remote, host: str, out: pathlib.Path | None, image: str) -> None:
        self.remote = remote
        self.host = host
        # The cluster's version (the daemons'), which the host's ceph CLI need not share (a Reef cluster on
        # bookworm hosts keeps their 16.2.15 client); where no cluster answers (a clean host), the version of
        # IMAGE, the one the bootstrap sets deploy; the client's if that cannot be run.
        rc, text, _err = remote.run(['ceph', 'versions', '--format', 'json'], timeout=60)
        overall = list((json.loads(text).get('overall') or {}) if rc == 0 and text.strip().startswith('{') else [])
        match = re.search(r'ceph version (\S+)', overall[0]) if len(overall) == 1 else None
        if match is None:
            rc, text, err = remote.run(['podman', 'run', '--rm', '--entrypoint', 'ceph', image, '--version'])
            match = re.search(r'ceph version (\S+)', text) if rc == 0 else None
        if match is None:
            rc, text, err = remote.run(['ceph', '--version'])
            match = re.search(r'ceph version (\S+)', text)
            if rc != 0 or not match:
                raise SystemExit('cannot read the ceph version on %s: %s' % (remote.target, err or text))
        self.version = match.group(1)
        self.dir = out or FIXTURES / self.version
        self.dir.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def record(
        self,
        name: str,
        argv: list[str],
        stdin: str | None = None,
        ok_rcs: tuple[int, ...] = (0,),
        secret_stdin: bool = False,
        timeout: int = 300,
        transform: Any = None,
    ) -> Any:
        rc, out, err = self.remote.run(argv, stdin=stdin, timeout=timeout)
        if transform is not None:
            out = transform(out)
        if rc not in ok_rcs:
            raise SystemExit('%s: %s exited %d: %s' % (name, ' '.join(argv), rc, err.strip() or out.strip()))
        # never store a password: cephadm prints the dashboard password it generated
        out = re.sub(r'(?im)^(\s*Password:\s*)\S+', r'\1********', out)
        err = re.sub(r'(?im)^(\s*Password:\s*)\S+', r'\1********', err)
        data = {
            'ceph_version': self.version,
            'host': self.host,
            'command': argv,
            'stdin': '********' if secret_stdin else stdin,
            'rc': rc,
            'stdout': out,
            'stderr': err,
            'recorded_at': datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%dT%H:%M:%SZ'),
            'recorded_by': 'hack/record_fixtures.py',
        }
        path = self.dir / ('%s.json' % name)
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + '\n', encoding='utf-8')
        self.count += 1
        print('recorded %-40s rc=%d  %s' % (name, rc, ' '.join(argv)))
        try:
            return json.loads(out)
        except ValueError:
            return out

    def ceph(self, name: str, args: list[str], **kwargs: Any) -> Any:
        return self.record(name, ['ceph', *args, '--format', 'json'], **kwargs)


def record_reads(rec: Recorder, fsid: str, label_host: str, osd_host: str) -> None:
    rec.record('ceph_version', ['ceph', '--version'])
    rec.record('cephadm_ls', ['cephadm', 'ls'])
    rec.ceph('fsid', ['fsid'])
    rec.ceph('status', ['status'])
    rec.ceph('versions', ['versions'])
    rec.ceph('mgr_dump', ['mgr', 'dump'])
    rec.ceph('mgr_services', ['mgr', 'services'])
    rec.ceph('orch_host_ls', ['orch', 'host', 'ls'])
    rec.ceph('orch_ls', ['orch', 'ls'])
    rec.ceph('orch_ls_export', ['orch', 'ls', '--export'])
    rec.ceph('orch_ps', ['orch', 'ps'])
    rec.ceph('orch_ps_%s' % label_host, ['orch', 'ps', label_host])
    rec.ceph('osd_tree', ['osd', 'tree'])
    rec.ceph('osd_metadata', ['osd', 'metadata'])
    rec.ceph('orch_device_ls', ['orch', 'device', 'ls'])
    rec.ceph('orch_device_ls_refresh', ['orch', 'device', 'ls', '--refresh'])
    rec.ceph('orch_device_ls_%s' % osd_host, ['orch', 'device', 'ls', osd_host])
    rec.ceph('config_dump', ['config', 'dump'])
    for option in (
        'osd_memory_target',
        'mon_data_avail_warn',
        'osd_max_backfills',
        'mon_allow_pool_delete',
        'mon_clock_drift_allowed',
        'mgr/dashboard/ssl_server_port',
    ):
        rec.ceph('config_help_%s' % option.replace('/', '_'), ['config', 'help', option])
    rec.ceph('config_help_unknown', ['config', 'help', 'cephkit_no_such_option'], ok_rcs=(0, 2, 22))
    rec.record('orch_osd_rm_status_empty', ['ceph', 'orch', 'osd', 'rm', 'status', '--format', 'json'])
    rec.record('osd_safe_to_destroy_0', ['ceph', 'osd', 'safe-to-destroy', '0'], ok_rcs=(0, 16, 11))
    rec.record(
        'podman_ps_cluster', ['podman', 'ps', '--all', '--filter', 'name=ceph-%s' % fsid, '--format', '{{.Names}}']
    )
    rec.record(
        'systemctl_list_units_cluster',
        ['systemctl', 'list-units', '--all', '--plain', '--no-legend', '--no-pager', 'ceph-%s*' % fsid],
    )


def record_all_hosts(rec: Recorder) -> None:
    rec.ceph('all_hosts_orch_host_ls', ['orch', 'host', 'ls'])
    rec.ceph('all_hosts_osd_tree', ['osd', 'tree'])
    rec.ceph('all_hosts_osd_metadata', ['osd', 'metadata'])
    rec.ceph('all_hosts_orch_ps_osd', ['orch', 'ps', '--daemon_type', 'osd'])
    rec.ceph('all_hosts_orch_device_ls', ['orch', 'device', 'ls'])


def record_mgr_failover(rec: Recorder) -> None:
    enabled = 'selftest' in (look(rec, ['mgr', 'module', 'ls']).get('enabled_modules') or [])
    if not enabled:
        rec.remote.run(['ceph', 'mgr', 'module', 'enable', 'selftest'])
    wait(
        'the selftest module to answer',
        lambda: rec.remote.run(['ceph', 'mgr', 'self-test', 'python-version'], timeout=60)[0] == 0,
        timeout=300,
        interval=2,
    )
    rec.record('mgr_module_internal_error', ['ceph', 'mgr', 'self-test', 'module', 'no-such-module'], ok_rcs=(22,))
    if not enabled:
        rec.remote.run(['ceph', 'mgr', 'module', 'disable', 'selftest'])
    dump = rec.ceph('mgr_dump_before_failover', ['mgr', 'dump'])
    name, gid = str(dump['active_name']), dump['active_gid']
    rec.record('mgr_fail', ['ceph', 'mgr', 'fail', name])
    rec.ceph('mgr_dump_during_failover', ['mgr', 'dump'])

    def taken_over() -> bool:
        now = look(rec, ['mgr', 'dump'])
        return bool(now.get('available')) and now.get('active_gid') not in (None, gid)

    wait('another mgr to take over from %s' % name, taken_over, timeout=300, interval=2)
    rec.ceph('mgr_dump_after_failover', ['mgr', 'dump'])
    wait('the orchestrator to answer', lambda: 'paused' in look(rec, ['orch', 'status']), timeout=300, interval=2)
    rec.ceph('orch_status_after_failover', ['orch', 'status'])


def record_guards(rec: Recorder) -> None:
    rec.ceph('quorum_status', ['quorum_status'])
    rec.ceph('orch_status', ['orch', 'status'])
    rec.record('orch_pause', ['ceph', 'orch', 'pause'])
    rec.ceph('orch_status_paused', ['orch', 'status'])
    rec.record('orch_resume', ['ceph', 'orch', 'resume'])
    rec.ceph('config_help_mon_mgr_beacon_grace', ['config', 'help', 'mon_mgr_beacon_grace'])
    rec.record('config_set_secs', ['ceph', 'config', 'set', 'mon', 'mon_mgr_beacon_grace', '1m'])
    rec.ceph('config_dump_after_set_secs', ['config', 'dump'])
    rec.record('config_rm_secs', ['ceph', 'config', 'rm', 'mon', 'mon_mgr_beacon_grace'])
    # a secret option through stdin, as ceph_config secret_value sets it (a made-up password, removed again)
    secret = '[client.rgw]\nrgw_keystone_admin_password = Cephkit-Fixture-Secret-1\n'
    rec.record('config_assimilate_secret', ['ceph', 'config', 'assimilate-conf', '-i', '-'], stdin=secret)
    rec.ceph('config_dump_after_assimilate_secret', ['config', 'dump'])
    rec.record('config_rm_secret', ['ceph', 'config', 'rm', 'client.rgw', 'rgw_keystone_admin_password'])


def record_gates(rec: Recorder) -> None:
    """What ceph_cluster_wait looks at: a HEALTH_WARN status (the noout flag, set and unset again) and a
    status that reaches no mon (as while a mon restarts: a mon address that answers nothing)."""
    rec.record('osd_set_noout', ['ceph', 'osd', 'set', 'noout'])
    rec.ceph('status_noout', ['status'])
    rec.record('osd_unset_noout', ['ceph', 'osd', 'unset', 'noout'])
    rec.record(
        'status_no_mon',
        ['ceph', '--connect-timeout', '5', '-m', '127.0.0.1:1', 'status', '--format', 'json'],
        ok_rcs=tuple(range(1, 256)),
        timeout=60,
    )


def record_redeploy(rec: Recorder, image: str) -> None:
    """ceph_orch_redeploy on a cluster whose node-exporters run the mirror's image: the daemons, the image option
    pointed at IMAGE (the same image under another name in the registry), each node-exporter redeployed, the daemons
    right after (still the old image), once every one runs IMAGE, and the orchestrator's cache then."""
    daemons = rec.ceph('orch_ps_monitoring', ['orch', 'ps'])
    names = sorted(d['daemon_name'] for d in daemons if d.get('daemon_type') == 'node-exporter')
    if not names:
        raise SystemExit('the redeploy set needs node-exporter daemons (monitoring from the mirror)')
    option = 'mgr/cephadm/container_image_node_exporter'
    rec.record('config_set_node_exporter_image', ['ceph', 'config', 'set', 'mgr', option, image])
    for index, name in enumerate(names, start=1):
        rec.record('orch_daemon_redeploy_node_exporter_%d' % index, ['ceph', 'orch', 'daemon', 'redeploy', name])
    rec.ceph('orch_ps_redeploying', ['orch', 'ps', '--refresh'])

    def redeployed() -> bool:
        rc, out, _err = rec.remote.run(['ceph', 'orch', 'ps', '--refresh', '--format', 'json'])
        now = [d for d in json.loads(out) if d.get('daemon_type') == 'node-exporter'] if rc == 0 else []
        return len(now) == len(names) and all(
            d.get('container_image_name') == image and d.get('status') == 1 for d in now
        )

    wait('the node-exporters to run %s' % image, redeployed)
    rec.ceph('orch_ps_redeployed', ['orch', 'ps', '--refresh'])
    rec.ceph('orch_ps_after_redeploy', ['orch', 'ps'])


def look(rec: Recorder, args: list[str]) -> dict[str, Any]:
    """``ceph ARGS --format json`` as a dict, not recorded; {} when it fails (a mgr failing over)."""
    rc, out, _err = rec.remote.run(['ceph', *args, '--format', 'json'], timeout=90)
    try:
        data = json.loads(out) if rc == 0 else {}
    except ValueError:
        return {}
    return dict(data) if isinstance(data, dict) else {}


def record_upgrade(rec: Recorder, target: str, missing: str, current: str) -> None:
    """ceph_orch_upgrade on a cluster of the recorder's version: the reads before; upgrade check of the current image,
    the target and an image the registry lacks; an upgrade to the missing image started, paused by cephadm
    (UPGRADE_FAILED_PULL) and stopped; then the upgrade to TARGET: started, paused, resumed, the status when each
    daemon type is done and at the end, the reads after, and check of TARGET and of CURRENT (a downgrade) then."""
    rec.ceph('upgrade_status_idle', ['orch', 'upgrade', 'status'])
    rec.ceph('versions_before_upgrade', ['versions'])
    rec.ceph('status_before_upgrade', ['status'])
    rec.ceph('orch_ps_before_upgrade', ['orch', 'ps'])
    rec.ceph('orch_host_ls_before_upgrade', ['orch', 'host', 'ls'])
    rec.record('upgrade_check_current', ['ceph', 'orch', 'upgrade', 'check', '--image', current])
    rec.record('upgrade_check_target', ['ceph', 'orch', 'upgrade', 'check', '--image', target])
    rec.record(
        'upgrade_check_missing', ['ceph', 'orch', 'upgrade', 'check', '--image', missing], ok_rcs=tuple(range(256))
    )
    rec.record('podman_image_inspect_target', ['podman', 'image', 'inspect', target])
    # cephadm pauses an upgrade whose image it cannot pull
    rec.record('upgrade_start_missing', ['ceph', 'orch', 'upgrade', 'start', '--image', missing])

    def status() -> dict[str, Any]:
        return look(rec, ['orch', 'upgrade', 'status'])

    wait('the upgrade to %s to pause on its pull' % missing, lambda: bool(status().get('is_paused')))
    rec.ceph('upgrade_status_failed_pull', ['orch', 'upgrade', 'status'])
    rec.ceph('health_detail_upgrade_failed_pull', ['health', 'detail'])
    rec.record('upgrade_stop', ['ceph', 'orch', 'upgrade', 'stop'])
    rec.ceph('upgrade_status_stopped', ['orch', 'upgrade', 'status'])
    # the upgrade itself
    rec.record('upgrade_start', ['ceph', 'orch', 'upgrade', 'start', '--image', target])
    rec.ceph('upgrade_status_started', ['orch', 'upgrade', 'status'])
    rec.record('upgrade_pause', ['ceph', 'orch', 'upgrade', 'pause'])
    rec.ceph('upgrade_status_paused', ['orch', 'upgrade', 'status'])
    rec.record('upgrade_resume', ['ceph', 'orch', 'upgrade', 'resume'])
    seen: set[str] = set()
    start = time.monotonic()
    failed_look = False
    while True:
        rc, out, err = rec.remote.run(['ceph', 'orch', 'upgrade', 'status', '--format', 'json'], timeout=90)
        if rc != 0 and not failed_look:
            failed_look = True  # the mgr failing over: what a look then answers
            print('a look failed (rc=%d): %s' % (rc, err.strip()[-200:]))
        now = json.loads(out) if rc == 0 and out.strip().startswith('{') else {}
        if now and not now.get('in_progress'):
            break
        for daemon_type in now.get('services_complete') or []:
            if daemon_type not in seen:
                seen.add(daemon_type)
                rec.ceph('upgrade_status_%s_done' % daemon_type.replace('-', '_'), ['orch', 'upgrade', 'status'])
        if now.get('is_paused'):
            raise SystemExit('the upgrade paused: %s' % now.get('message'))
        if time.monotonic() - start > 3600:
            raise SystemExit('the upgrade did not end within an hour')
        time.sleep(3)
    print('upgrade done in %.0f s' % (time.monotonic() - start))
    rec.ceph('upgrade_status_done', ['orch', 'upgrade', 'status'])
    rec.ceph('versions_after_upgrade', ['versions'])
    rec.ceph('osd_dump_after_upgrade', ['osd', 'dump'])
    rec.ceph('orch_ps_after_upgrade', ['orch', 'ps'])
    rec.record('upgrade_check_target_done', ['ceph', 'orch', 'upgrade', 'check', '--image', target])
    rec.record('upgrade_check_downgrade', ['ceph', 'orch', 'upgrade', 'check', '--image', current])


def record_no_standby(rec: Recorder, standby: Remote, target: str) -> None:
    """UPGRADE_NO_STANDBY_MGR with a mgr that runs but is in the mgr map neither as active nor as standby (as a mgr
    that hung when it was activated), on a cluster of two mgrs at the recorder's version: the standby mgr upgraded to
    TARGET alone (a staggered upgrade, --hosts its host), then its process stopped (SIGSTOP on STANDBY, its host)
    until the mons drop it; the whole upgrade then pauses when cephadm wants to fail over; the stuck mgr restarted
    through the orchestrator, back as a standby; the upgrade resumed, and its end."""

    def mgr_dump() -> dict[str, Any]:
        return look(rec, ['mgr', 'dump'])

    def status() -> dict[str, Any]:
        return look(rec, ['orch', 'upgrade', 'status'])

    dump = mgr_dump()
    standbys = [str(m['name']) for m in dump.get('standbys') or []]
    if len(standbys) != 1:
        raise SystemExit('the no_standby set needs one active and one standby mgr, not %s' % dump.get('standbys'))
    name = standbys[0]
    rc, out, _err = rec.remote.run(['ceph', 'orch', 'ps', '--daemon_type', 'mgr', '--format', 'json'])
    standby_host = next(d['hostname'] for d in json.loads(out) if d.get('daemon_id') == name)
    rec.record(
        'upgrade_start_standby_mgr',
        ['ceph', 'orch', 'upgrade', 'start', '--image', target, '--daemon-types', 'mgr', '--hosts', standby_host],
    )
    wait('the upgrade of mgr.%s to end' % name, lambda: status().get('in_progress') is False, timeout=600)
    wait('mgr.%s to be a standby again' % name, lambda: bool(mgr_dump().get('standbys')), timeout=300)
    rc, out, err = standby.run(['pgrep', '-f', '^/usr/bin/ceph-mgr -n mgr.%s ' % name])
    if rc != 0:
        raise SystemExit('no ceph-mgr process of mgr.%s on the standby host: %s' % (name, err))
    standby.run(['kill', '-STOP', out.split()[0]])
    wait('the mons to drop mgr.%s' % name, lambda: not mgr_dump().get('standbys'), timeout=180)
    rec.ceph('mgr_dump_no_standby', ['mgr', 'dump'])
    rec.ceph('orch_ps_mgr_stuck', ['orch', 'ps', '--daemon_type', 'mgr'])
    rec.record('upgrade_start_no_standby', ['ceph', 'orch', 'upgrade', 'start', '--image', target])
    wait('the upgrade to pause without a standby mgr', lambda: bool(status().get('is_paused')), timeout=300)
    rec.ceph('upgrade_status_no_standby_mgr', ['orch', 'upgrade', 'status'])
    rec.ceph('health_detail_no_standby_mgr', ['health', 'detail'])
    rec.record('orch_daemon_restart_mgr', ['ceph', 'orch', 'daemon', 'restart', 'mgr.%s' % name])
    wait('mgr.%s to be a standby again' % name, lambda: bool(mgr_dump().get('standbys')), timeout=300)
    rec.ceph('mgr_dump_standby_back', ['mgr', 'dump'])
    rec.record('upgrade_resume_no_standby', ['ceph', 'orch', 'upgrade', 'resume'])
    rec.ceph('upgrade_status_resumed_no_standby', ['orch', 'upgrade', 'status'])
    wait('the upgrade to end', lambda: status().get('in_progress') is False, timeout=1200)
    rec.ceph('upgrade_status_done_no_standby', ['orch', 'upgrade', 'status'])


def record_memory(rec: Recorder) -> None:
    """osd_memory_target set for the osd section, then overridden for this host as cephadm's autotuner does it
    (with the value it wrote on the lab), and for one daemon; ceph_config remove_overrides removes those."""
    rec.ceph('config_help_osd_memory_target_autotune', ['config', 'help', 'osd_memory_target_autotune'])
    rec.record('config_set_memory_osd', ['ceph', 'config', 'set', 'osd', 'osd_memory_target', '1G'])
    rec.record('config_set_autotune_osd', ['ceph', 'config', 'set', 'osd', 'osd_memory_target_autotune', 'false'])
    host_who = 'osd/host:%s' % rec.host
    rec.record('config_set_memory_host', ['ceph', 'config', 'set', host_who, 'osd_memory_target', '6095315148'])
    rec.record('config_set_memory_daemon', ['ceph', 'config', 'set', 'osd.0', 'osd_memory_target', '2147483648'])
    rec.ceph('config_dump_memory_overridden', ['config', 'dump'])
    rec.record('config_rm_memory_host', ['ceph', 'config', 'rm', host_who, 'osd_memory_target'])
    rec.record('config_rm_memory_daemon', ['ceph', 'config', 'rm', 'osd.0', 'osd_memory_target'])
    rec.ceph('config_dump_memory_effective', ['config', 'dump'])
    rec.record('config_tell_memory_osd0', ['ceph', 'tell', 'osd.0', 'config', 'get', 'osd_memory_target'])


def record_writes(rec: Recorder, label_host: str, osd_device: str | None) -> None:
    rec.record('orch_host_label_add', ['ceph', 'orch', 'host', 'label', 'add', label_host, LABEL])
    rec.ceph('orch_host_ls_labelled', ['orch', 'host', 'ls'])
    rec.record('orch_host_label_rm', ['ceph', 'orch', 'host', 'label', 'rm', label_host, LABEL])

    rec.record('config_set_masked', ['ceph', 'config', 'set', 'osd/host:%s' % rec.host, 'osd_max_backfills', '3'])
    rec.ceph('config_dump_after_set_masked', ['config', 'dump'])
    rec.record('config_rm_masked', ['ceph', 'config', 'rm', 'osd/host:%s' % rec.host, 'osd_max_backfills'])
    rec.record('config_set_bool', ['ceph', 'config', 'set', 'mon', 'mon_allow_pool_delete', 'True'])
    rec.ceph('config_dump_after_set_bool', ['config', 'dump'])
    rec.record('config_rm_bool', ['ceph', 'config', 'rm', 'mon', 'mon_allow_pool_delete'])
    rec.record('config_set_size', ['ceph', 'config', 'set', 'osd', 'osd_memory_target', '1G'])
    rec.ceph('config_dump_after_set_size', ['config', 'dump'])
    rec.record('config_rm_size', ['ceph', 'config', 'rm', 'osd', 'osd_memory_target'])

    export = rec.record('orch_ls_export_crash', ['ceph', 'orch', 'ls', 'crash', '--export', '--format', 'json'])
    spec = (
        export[0]
        if isinstance(export, list) and export
        else {'service_type': 'crash', 'placement': {'host_pattern': '*'}}
    )
    spec = {k: v for k, v in spec.items() if k not in ('service_name', 'status', 'events')}
    rec.record('orch_apply_crash', ['ceph', 'orch', 'apply', '-i', '-'], stdin=json.dumps(spec) + '\n')
    if osd_device:
        host, dev = osd_device.split(':', 1)
        osd_spec = {
            'service_type': 'osd',
            'service_id': 'cephkit_fixture',
            'placement': {'hosts': [host]},
            'spec': {'data_devices': {'paths': [dev]}, 'method': 'raw'},
        }
        rec.record(
            'orch_apply_osd_dry_run',
            ['ceph', 'orch', 'apply', '-i', '-', '--dry-run'],
            stdin=json.dumps(osd_spec) + '\n',
        )


def wait(what: str, check: Any, timeout: int = 300, interval: int = 5) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit('timed out waiting for %s' % what)
        time.sleep(interval)


def record_osd(rec: Recorder, osd_device: str) -> None:
    host, dev = osd_device.split(':', 1)
    remote = rec.remote

    def metadata() -> list[dict[str, Any]]:
        rc, out, _err = remote.run(['ceph', 'osd', 'metadata', '--format', 'json'])
        return json.loads(out) if rc == 0 else []

    def on_device() -> list[int]:
        return [
            int(m['id'])
            for m in metadata()
            if m.get('hostname') == host
            and (
                dev in ('/dev/' + n for n in str(m.get('devices', '')).split(','))
                or m.get('bluestore_bdev_dev_node') == dev
            )
        ]

    if on_device():
        raise SystemExit('%s already carries an OSD: give a free device' % osd_device)
    rec.ceph('orch_device_ls_%s_free' % host, ['orch', 'device', 'ls', host])
    rec.record('orch_daemon_add_osd_raw', ['ceph', 'orch', 'daemon', 'add', 'osd', '%s:%s' % (host, dev), 'raw'])
    wait('the new OSD to report its metadata', on_device)
    osd_id = on_device()[0]
    rec.ceph('osd_metadata_with_new', ['osd', 'metadata'])
    rec.ceph('osd_tree_with_new', ['osd', 'tree'])
    rec.record('osd_safe_to_destroy_new', ['ceph', 'osd', 'safe-to-destroy', str(osd_id)], ok_rcs=(0, 16, 11))
    rec.ceph('orch_device_ls_%s_used' % host, ['orch', 'device', 'ls', host])
    rec.record('orch_osd_rm_replace', ['ceph', 'orch', 'osd', 'rm', str(osd_id), '--replace'])
    rec.record('orch_osd_rm_status_pending', ['ceph', 'orch', 'osd', 'rm', 'status', '--format', 'json'])

    marked: list[int] = []

    def removal_done() -> bool:
        # every poll is recorded; the one that shows the drain done is kept as orch_osd_rm_status_drained
        polled = rec.record('orch_osd_rm_status_poll', ['ceph', 'orch', 'osd', 'rm', 'status', '--format', 'json'])
        poll_file = rec.dir / 'orch_osd_rm_status_poll.json'
        if not isinstance(polled, list):
            poll_file.unlink()
            return True
        entries = [o for o in polled if int(o.get('osd_id', -1)) == osd_id]
        if entries and entries[0].get('drain_done_at') and not marked:
            # what ceph_osd_device does: a drained, stopped OSD is marked out (see its wait_removed)
            poll_file.rename(rec.dir / 'orch_osd_rm_status_drained.json')
            rec.record('osd_out', ['ceph', 'osd', 'out', str(osd_id)])
            marked.append(osd_id)
        elif poll_file.exists():
            poll_file.unlink()
        return not entries

    # every second: Reef's cephadm stops and destroys a drained OSD within seconds of reporting the drain done
    wait('the OSD removal', removal_done, timeout=600, interval=1)
    if not marked:
        raise SystemExit('the removal ended before a poll saw the drain done: run the osd set again')
    rec.ceph('osd_tree_destroyed', ['osd', 'tree'])
    rec.ceph('osd_metadata_destroyed', ['osd', 'metadata'])
    rec.record('osd_purge', ['ceph', 'osd', 'purge', str(osd_id), '--yes-i-really-mean-it'])
    rec.record('orch_device_zap', ['ceph', 'orch', 'device', 'zap', host, dev, '--force'])

    def available() -> bool:
        _rc, out, _err = remote.run(['ceph', 'orch', 'device', 'ls', host, '--refresh', '--format', 'json'])
        for entry in json.loads(out or '[]'):
            for device in entry.get('devices', []):
                if device.get('path') == dev:
                    return bool(device.get('available'))
        return False

    wait('the zapped device to be available again', available, timeout=300, interval=10)
    rec.ceph('orch_device_ls_%s_zapped' % host, ['orch', 'device', 'ls', host, '--refresh'])


def record_osd_batch(rec: Recorder, osd_devices: str) -> None:
    """Two (or more) free devices of one host get their OSDs in one orchestrator call, as ceph_osd_device does
    with devices=[...]; the OSDs stay."""
    host, devs = osd_devices.split(':', 1)
    paths = devs.split(',')
    remote = rec.remote

    def on_devices() -> dict[str, list[int]]:
        rc, out, _err = remote.run(['ceph', 'osd', 'metadata', '--format', 'json'])
        found: dict[str, list[int]] = {p: [] for p in paths}
        for meta in json.loads(out) if rc == 0 else []:
            if meta.get('hostname') != host:
                continue
            for path in paths:
                if (
                    path in ('/dev/' + n for n in str(meta.get('devices', '')).split(','))
                    or meta.get('bluestore_bdev_dev_node') == path
                ):
                    found[path].append(int(meta['id']))
        return found

    if any(on_devices().values()):
        raise SystemExit('%s: a device already carries an OSD: give free devices' % osd_devices)
    rec.ceph('osd_metadata_before_batch', ['osd', 'metadata'])
    rec.ceph('osd_tree_before_batch', ['osd', 'tree'])
    rec.ceph('orch_device_ls_%s_free_batch' % host, ['orch', 'device', 'ls', host])
    rec.record('orch_daemon_add_osd_raw_batch', ['ceph', 'orch', 'daemon', 'add', 'osd', osd_devices, 'raw'])
    wait('the new OSDs to report their metadata', lambda: all(on_devices().values()))
    rec.ceph('osd_metadata_batch', ['osd', 'metadata'])
    rec.ceph('osd_tree_batch', ['osd', 'tree'])
    rec.ceph('orch_device_ls_%s_after_batch' % host, ['orch', 'device', 'ls', host])


def record_foreign(rec: Recorder, osd_device: str) -> None:
    """ceph_osd_device state=zapped on a device with data that is not Ceph's (a file system).

    ``osd_device`` (HOST:DEV, a free device on the recorder's host) is wiped again at the end.
    """
    host, dev = osd_device.split(':', 1)
    remote = rec.remote

    def reasons() -> list[str]:
        _rc, out, _err = remote.run(['ceph', 'orch', 'device', 'ls', host, '--refresh', '--format', 'json'])
        for entry in json.loads(out or '[]'):
            for device in entry.get('devices', []):
                if device.get('path') == dev:
                    return list(device.get('rejected_reasons') or [])
        return []

    remote.run(['mkfs.ext4', '-q', '-F', dev])
    wait('the file system to show', lambda: 'Has a FileSystem' in reasons(), timeout=300, interval=10)
    rec.ceph('orch_device_ls_%s_filesystem' % host, ['orch', 'device', 'ls', host])
    remote.run(['wipefs', '--all', dev])
    wait('the device to be available again', lambda: not reasons(), timeout=300, interval=10)


def record_toolbox(rec: Recorder) -> None:
    """The helper container the modules start on hosts without the ceph CLI (run on an admin host)."""
    image = None
    # the same choice as the modules' runner (CephRunner.local_image): the first ceph daemon listed
    for daemon in rec.record('cephadm_ls_toolbox', ['cephadm', 'ls']):
        if daemon.get('style') == 'cephadm:v1' and daemon.get('name', '').split('.')[0] in CEPH_DAEMON_TYPES:
            image = daemon.get('container_image_name')
            if image:
                break
    if not image:
        raise SystemExit('no mon on this host: cannot tell the image')
    name = 'cephkit-toolbox-fixture'
    rec.record(
        'toolbox_run',
        [
            'podman',
            'run',
            '--detach',
            '--rm',
            '--name',
            name,
            '--net=host',
            '--stop-signal=SIGKILL',
            '--entrypoint',
            'sleep',
            '--volume',
            '/etc/ceph:/etc/ceph:ro',
            image,
            '3600',  # the runner's toolbox_lifetime() with the default timeouts
        ],
    )
    try:
        rec.record('toolbox_status', ['podman', 'exec', name, 'ceph', 'status', '--format', 'json'])
        rec.record('toolbox_orch_host_ls', ['podman', 'exec', name, 'ceph', 'orch', 'host', 'ls', '--format', 'json'])
    finally:
        rec.record('toolbox_rm', ['podman', 'rm', '--force', name])


def record_bootstrap(rec: Recorder, mon_ip: str, image: str) -> None:
    """A single-host bootstrap on a CLEAN host, as ceph_bootstrap runs it, then its removal."""
    if json.loads(rec.remote.run(['cephadm', 'ls', '--no-detail'])[1] or '[]'):
        raise SystemExit('the bootstrap set needs a host without any cluster')
    rec.record('cephadm_ls_clean', ['cephadm', 'ls'])
    fsid = str(uuid.uuid4())
    rec.record(
        'cephadm_bootstrap',
        [
            'cephadm',
            '--image',
            image,
            'bootstrap',
            '--mon-ip',
            mon_ip,
            '--fsid',
            fsid,
            '--initial-dashboard-user',
            'admin',
            '--dashboard-password-noupdate',
            '--skip-monitoring-stack',
            '--skip-firewalld',
        ],
        timeout=900,
    )
    try:
        password = secrets.token_urlsafe(18)
        rec.record(
            'dashboard_ac_user_set_password',
            ['ceph', 'dashboard', 'ac-user-set-password', 'admin', '--force-password', '-i', '-'],
            stdin=password,
            secret_stdin=True,
        )
        rec.record('cephadm_ls_bootstrapped', ['cephadm', 'ls'])
        rec.ceph('mgr_services_bootstrapped', ['mgr', 'services'])
    finally:
        rec.record('cephadm_rm_cluster_bootstrapped', ['cephadm', 'rm-cluster', '--fsid', fsid, '--force'], timeout=600)
        # the mgr may have been deploying a daemon (crash) while rm-cluster ran: remove what came back
        time.sleep(10)
        left = json.loads(rec.remote.run(['cephadm', 'ls', '--no-detail'])[1] or '[]')
        if any(d.get('fsid') == fsid for d in left):
            rec.remote.run(['cephadm', 'rm-cluster', '--fsid', fsid, '--force'], timeout=600)


def record_half_bootstrap(rec: Recorder, mon_ip: str, image: str) -> None:
    """What a killed bootstrap leaves, on a clean host: cephadm bootstrap started and its process group killed (as a
    closed SSH session does) once the mon, then once the mgr, of the new cluster is listed; cephadm ls then (and
    ceph orch status for the one with a mgr), and the half-made cluster removed (rm-cluster)."""
    for stage in ('mon', 'mgr'):
        fsid = str(uuid.uuid4())
        boot = (
            'setsid cephadm --image %s bootstrap --mon-ip %s --fsid %s --skip-monitoring-stack --skip-firewalld '
            '--skip-dashboard > /tmp/cephkit-half-bootstrap.log 2>&1 & echo $!' % (image, mon_ip, fsid)
        )
        rc, out, err = rec.remote.run(['sh', '-c', boot])
        if rc != 0:
            raise SystemExit('cannot start the bootstrap: %s' % err)
        pgid = out.split()[0]

        def listed(stage: str = stage, fsid: str = fsid) -> bool:
            rc, out, _err = rec.remote.run(['cephadm', 'ls'])
            return rc == 0 and any(
                d.get('fsid') == fsid and str(d.get('name', '')).startswith(stage + '.') for d in json.loads(out)
            )

        wait('the %s of %s to be listed' % (stage, fsid), listed, timeout=180, interval=1)
        rec.remote.run(['sh', '-c', 'kill -HUP -- -%s; sleep 1; kill -KILL -- -%s 2>/dev/null; true' % (pgid, pgid)])
        rec.record('cephadm_ls_half_%s' % stage, ['cephadm', 'ls'])
        if stage == 'mgr':
            rec.record(
                'orch_status_half_made',
                ['ceph', 'orch', 'status', '--format', 'json'],
                ok_rcs=tuple(range(256)),
                timeout=120,
            )
        rec.record('cephadm_rm_cluster_half_%s' % stage, ['cephadm', 'rm-cluster', '--fsid', fsid, '--force'])
    rec.record('cephadm_ls_after_half_made', ['cephadm', 'ls'])


def record_clean(rec: Recorder, fsid: str) -> None:
    rec.record('cephadm_ls_clean', ['cephadm', 'ls'])
    rec.record(
        'podman_ps_clean', ['podman', 'ps', '--all', '--filter', 'name=ceph-%s' % fsid, '--format', '{{.Names}}']
    )
    rec.record(
        'systemctl_list_units_clean',
        ['systemctl', 'list-units', '--all', '--plain', '--no-legend', '--no-pager', 'ceph-%s*' % fsid],
    )


def mask_osd_key(text: str) -> str:
    """A base64 bluestore label with the value of its osd_key meta entry (the OSD's cephx key) replaced by 'A's."""
    data = bytearray(base64.b64decode(text.strip()))
    at = data.find(b'osd_key')
    if at >= 0:
        start = at + len('osd_key') + 4
        length = int.from_bytes(data[start - 4 : start], 'little')
        data[start : start + length] = b'A' * length
    return base64.b64encode(bytes(data)).decode('ascii')


def record_raw_purge(rec: Recorder, fsid: str) -> None:
    """ceph_rm_cluster zap_osds=true on a host with a raw OSD: what it reads, a real rm-cluster, what is left.

    This removes the cluster from the host (the lab instance is then good for nothing else).
    """
    blocks = rec.record(
        'osd_blocks_raw',
        ['sh', '-c', 'for b in /var/lib/ceph/%s/osd.*/block; do echo "$b $(readlink -f "$b")"; done' % fsid],
    )
    device = str(blocks).split()[1]
    rec.record('cephadm_ls_raw', ['cephadm', 'ls'])
    ps = ['podman', 'ps', '--all', '--filter', 'name=ceph-%s' % fsid, '--format', '{{.Names}}']
    units = ['systemctl', 'list-units', '--all', '--plain', '--no-legend', '--no-pager', 'ceph-%s*' % fsid]
    rec.record('podman_ps_raw', ps)
    rec.record('systemctl_list_units_raw', units)
    rec.record('bluestore_label_raw', ['sh', '-c', 'head -c 4096 %s | base64 -w0' % device], transform=mask_osd_key)
    rec.record(
        'cephadm_rm_cluster_raw', ['cephadm', 'rm-cluster', '--fsid', fsid, '--force', '--zap-osds'], timeout=600
    )
    rec.record('cephadm_ls_raw_clean', ['cephadm', 'ls'])
    rec.record('podman_ps_raw_clean', ps)
    rec.record('systemctl_list_units_raw_clean', units)


def record_activate(rec: Recorder, host: str, timeout: int = 600) -> None:
    """ceph_osd_activate's reads (and, when OSDs of ``host`` have no daemon, the activation and its polls)."""

    def osd_ps(name: str, refresh: bool = False) -> set[int]:
        args = ['orch', 'ps', host, '--daemon_type', 'osd'] + (['--refresh'] if refresh else [])
        out = rec.ceph(name, args)
        return (
            {int(d['daemon_id']) for d in out if d.get('status_desc') == 'running'} if isinstance(out, list) else set()
        )

    def tree_on_host(name: str) -> dict[int, str]:
        tree = rec.ceph(name, ['osd', 'tree'])
        nodes = {n['id']: n for n in tree.get('nodes', [])}
        bucket = [n for n in nodes.values() if n.get('type') == 'host' and n.get('name') == host]
        return {c: nodes[c].get('status', '') for b in bucket for c in b.get('children', [])}

    rec.ceph('osd_activate_orch_host_ls', ['orch', 'host', 'ls'])
    in_map = tree_on_host('osd_activate_tree_before')
    listed = rec.ceph('osd_activate_ps_before', ['orch', 'ps', host, '--daemon_type', 'osd'])
    cached = {int(d['daemon_id']): d.get('last_refresh') for d in (listed if isinstance(listed, list) else [])}
    stale = {i: r for i, r in cached.items() if in_map.get(i) == 'down'}
    if stale:
        # as ceph_osd_activate: down in the map but a daemon cached: ask for a rescan, poll until it is done
        rec.ceph('osd_activate_ps_refresh_stale', ['orch', 'ps', host, '--daemon_type', 'osd', '--refresh'])

        last: list[dict[str, Any]] = []

        def rescanned() -> bool:
            polled = rec.ceph('osd_activate_ps_rescanned', ['orch', 'ps', host, '--daemon_type', 'osd'])
            last[:] = polled if isinstance(polled, list) else []
            now = {int(d['daemon_id']): d.get('last_refresh') for d in last}
            return all(i not in now or now[i] != r for i, r in stale.items())

        wait('the orchestrator to rescan %s' % host, rescanned, timeout=timeout, interval=5)
        cached = {int(d['daemon_id']): d.get('last_refresh') for d in last}
    missing = sorted(set(in_map) - set(cached))
    if not missing:
        rec.dir.joinpath('osd_activate_tree_before.json').rename(rec.dir / 'osd_activate_tree_healthy.json')
        rec.dir.joinpath('osd_activate_ps_before.json').rename(rec.dir / 'osd_activate_ps_healthy.json')
        rec.record('osd_activate_none', ['ceph', 'cephadm', 'osd', 'activate', host], timeout=timeout)
        print('%s: no OSD without a daemon, only the healthy state recorded' % host)
        return
    rec.record('osd_activate', ['ceph', 'cephadm', 'osd', 'activate', host], timeout=timeout)
    polls = [0]

    def up() -> bool:
        # the first poll is kept (pending, usually); the last ones are kept as "running" and "up"
        polls[0] += 1
        name = 'osd_activate_ps_refresh_pending' if polls[0] == 1 else 'osd_activate_ps_refresh_running'
        if not set(missing) <= osd_ps(name, refresh=True):
            return False
        return all(s == 'up' for i, s in tree_on_host('osd_activate_tree_after').items() if i in missing)

    wait('the activated OSDs to run and be up', up, timeout=timeout, interval=5)
    tree_on_host('osd_activate_tree_healthy')
    osd_ps('osd_activate_ps_healthy')
    # what cephadm answers when it finds nothing to deploy (it scans the host, changes nothing)
    rec.record('osd_activate_none', ['ceph', 'cephadm', 'osd', 'activate', host], timeout=timeout)


IDENTITY_HEADER = """\
# Written by hack/record_fixtures.py from the fixtures next to this file (never by hand): what differs
# between two recorded clusters. The unit cases name these values as ${name}.
"""


def derive_identity(directory: pathlib.Path) -> dict[str, Any]:
    """The values of the recorded cluster(s) that the unit cases name as ``${name}``, read from the fixtures of
    DIRECTORY (a value whose fixture is missing is left out)."""

    def fixture(name: str) -> dict[str, Any] | None:
        path = directory / ('%s.json' % name)
        return json.loads(path.read_text(encoding='utf-8')) if path.is_file() else None

    def stdout(name: str) -> Any:
        data = fixture(name)
        return json.loads(data['stdout']) if data else None

    def after(name: str, option: str) -> str | None:
        data = fixture(name)
        return str(data['command'][data['command'].index(option) + 1]) if data and option in data['command'] else None

    found: dict[str, Any] = {}
    if stdout('fsid'):
        found['fsid'] = stdout('fsid')['fsid']
    for host in stdout('orch_host_ls') or []:
        found['addr_%s' % host['hostname']] = host['addr']
    dump = stdout('mgr_dump')
    if dump:
        found['mgr_active'] = dump['active_name']
        for standby in dump.get('standbys') or []:
            found['mgr_standby'] = standby['name']
    # the mgr failed over by the set mgr_failover, and the one that took over
    before, taken = stdout('mgr_dump_before_failover'), stdout('mgr_dump_after_failover')
    if before and taken:
        found['failover_from'] = before['active_name']
        found['failover_to'] = taken['active_name']
    # the device of the admin host's first OSD (osd.0) and the free one the sets osd and writes used
    for meta in stdout('osd_metadata') or []:
        if int(meta['id']) == 0:
            found['osd0_device'] = meta['bluestore_bdev_dev_node']
    added, dry_run = fixture('orch_daemon_add_osd_raw'), fixture('orch_apply_osd_dry_run')
    if added:
        found['free_device'] = added['command'][-2].split(':', 1)[1]
    elif dry_run:
        found['free_device'] = json.loads(dry_run['stdin'])['spec']['data_devices']['paths'][0]
    new = fixture('osd_safe_to_destroy_new')
    if new:
        found['new_osd_id'] = int(new['command'][-1])
    # cephadm's memory autotuner: its value for each host in the config dump of the reads
    for entry in stdout('config_dump') or []:
        if entry['name'] == 'osd_memory_target' and str(entry.get('mask', '')).startswith('host:'):
            found['autotuned_%s' % entry['mask'][5:]] = entry['value']
    run = fixture('toolbox_run')
    if run:
        found['toolbox_image'] = run['command'][-2]
    if stdout('toolbox_status'):
        found['toolbox_fsid'] = stdout('toolbox_status')['fsid']
    for key, name, option in (
        ('bootstrap_fsid', 'cephadm_bootstrap', '--fsid'),
        ('half_mon_fsid', 'cephadm_rm_cluster_half_mon', '--fsid'),
        ('half_mgr_fsid', 'cephadm_rm_cluster_half_mgr', '--fsid'),
        ('raw_fsid', 'cephadm_rm_cluster_raw', '--fsid'),
    ):
        value = after(name, option)
        if value:
            found[key] = value
    ps = fixture('podman_ps_cluster')
    for name in ps['stdout'].split() if ps else []:
        if '-mgr-' in name:
            found['mgr_container'] = name
    raw = [d for d in stdout('cephadm_ls_raw') or [] if d.get('fsid') == found.get('raw_fsid')]
    if raw:
        found['raw_daemons'] = sorted(d['name'] for d in raw)
    image = after('cephadm_bootstrap', '--image')
    if image:
        found['bootstrap_image'] = image
    activated = fixture('osd_activate')
    if activated:
        found['activate_stdout'] = activated['stdout'].strip()
    return dict(sorted(found.items()))


def write_identity(directory: pathlib.Path) -> None:
    identity = derive_identity(directory)
    lines = ['%s: %s' % (k, json.dumps(v)) for k, v in identity.items()]
    (directory / 'identity.yml').write_text(IDENTITY_HEADER + '---\n' + '\n'.join(lines) + '\n', encoding='utf-8')
    print('identity of %s: %d value(s)' % (directory, len(identity)))


def target_from_inventory(path: str, host: str) -> tuple[str, str | None, int | None]:
    out = subprocess.run(
        ['ansible-inventory', '-i', path, '--host', host], capture_output=True, text=True, check=True
    ).stdout
    hostvars = json.loads(out)
    addr = hostvars.get('ansible_host', host)
    user = hostvars.get('ansible_user', 'root')
    return '%s@%s' % (user, addr), hostvars.get('ansible_ssh_private_key_file'), hostvars.get('ansible_port')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument('--inventory', help='Ansible inventory (with --host)')
    where.add_argument('--ssh', help='user@address of an admin host of the cluster')
    where.add_argument(
        '--identity-only',
        type=pathlib.Path,
        metavar='DIR',
        help='only (re)write DIR/identity.yml from the fixtures in DIR (no cluster needed)',
    )
    parser.add_argument('--host', help='inventory host name (with --inventory); also the host name in the cluster')
    parser.add_argument('--key', help='SSH private key (with --ssh)')
    parser.add_argument('--port', type=int, help='SSH port (with --ssh)')
    parser.add_argument(
        '--sets',
        nargs='+',
        default=['reads'],
        choices=[
            'reads',
            'writes',
            'guards',
            'gates',
            'memory',
            'foreign',
            'osd',
            'osd_batch',
            'toolbox',
            'clean',
            'raw_purge',
            'bootstrap',
            'activate',
            'redeploy',
            'upgrade',
            'no_standby',
            'half_bootstrap',
            'all_hosts',
            'mgr_failover',
        ],
    )
    parser.add_argument('--fsid', help='fsid (read from the cluster when not given)')
    parser.add_argument('--label-host', help='host whose labels/daemons are recorded (default: the admin host)')
    parser.add_argument('--osd-device', help='HOST:DEV of a free device for the osd set (and the OSD dry-run)')
    parser.add_argument('--osd-devices', help='HOST:DEV1,DEV2 of free devices of one host, for the osd_batch set')
    parser.add_argument('--activate-host', help='host whose OSDs the activate set reads (and activates)')
    parser.add_argument('--redeploy-image', help='image the redeploy set points node-exporter at')
    parser.add_argument('--upgrade-image', help='image the upgrade set upgrades to (its recorder: the version before)')
    parser.add_argument('--standby-host', help='inventory host of the standby mgr, for the no_standby set')
    parser.add_argument('--upgrade-missing', help='an image the registry lacks, for the upgrade set')
    parser.add_argument('--mon-ip', help='mon IP of the host, for the bootstrap set')
    parser.add_argument('--image', default='quay.io/ceph/ceph:v16', help='image for the bootstrap set')
    parser.add_argument('--out', type=pathlib.Path, help='output directory (default tests/unit/fixtures/<version>)')
    args = parser.parse_args()

    if args.identity_only:
        write_identity(args.identity_only)
        return 0
    if args.inventory:
        if not args.host:
            parser.error('--inventory needs --host')
        target, key, port = target_from_inventory(args.inventory, args.host)
    else:
        target, key, port = args.ssh, args.key, args.port
    remote = Remote(target, key, port)
    host = args.host or target.split('@')[-1]
    rec = Recorder(remote, host, args.out, args.image)
    fsid = args.fsid
    if not fsid and not {'clean', 'bootstrap', 'half_bootstrap'} & set(args.sets):
        rc, out, err = remote.run(['ceph', 'fsid'])
        if rc != 0:
            raise SystemExit('cannot read the fsid: %s' % err)
        fsid = out.strip()
    if not fsid and 'clean' in args.sets:
        parser.error('--fsid is needed for the clean set')
    label_host = args.label_host or host
    osd_host = args.osd_device.split(':', 1)[0] if args.osd_device else host
    if 'reads' in args.sets:
        record_reads(rec, fsid, label_host, osd_host)
    if 'writes' in args.sets:
        record_writes(rec, label_host, args.osd_device)
    if 'guards' in args.sets:
        record_guards(rec)
    if 'all_hosts' in args.sets:
        record_all_hosts(rec)
    if 'gates' in args.sets:
        record_gates(rec)
    if 'mgr_failover' in args.sets:
        record_mgr_failover(rec)
    if 'memory' in args.sets:
        record_memory(rec)
    if 'redeploy' in args.sets:
        if not args.redeploy_image:
            parser.error('the redeploy set needs --redeploy-image')
        record_redeploy(rec, args.redeploy_image)
    if 'upgrade' in args.sets:
        if not args.upgrade_image or not args.upgrade_missing:
            parser.error('the upgrade set needs --upgrade-image and --upgrade-missing')
        record_upgrade(rec, args.upgrade_image, args.upgrade_missing, args.image)
    if 'no_standby' in args.sets:
        if not args.upgrade_image or not args.standby_host or not args.inventory:
            parser.error('the no_standby set needs --inventory, --standby-host and --upgrade-image')
        record_no_standby(rec, Remote(*target_from_inventory(args.inventory, args.standby_host)), args.upgrade_image)
    if 'foreign' in args.sets:
        if not args.osd_device:
            parser.error('the foreign set needs --osd-device HOST:DEV')
        record_foreign(rec, args.osd_device)
    if 'osd' in args.sets:
        if not args.osd_device:
            parser.error('the osd set needs --osd-device HOST:DEV')
        record_osd(rec, args.osd_device)
    if 'osd_batch' in args.sets:
        if not args.osd_devices:
            parser.error('the osd_batch set needs --osd-devices HOST:DEV1,DEV2')
        record_osd_batch(rec, args.osd_devices)
    if 'toolbox' in args.sets:
        record_toolbox(rec)
    if 'clean' in args.sets:
        record_clean(rec, fsid)
    if 'bootstrap' in args.sets:
        if not args.mon_ip:
            parser.error('the bootstrap set needs --mon-ip')
        record_bootstrap(rec, args.mon_ip, args.image)
    if 'half_bootstrap' in args.sets:
        if not args.mon_ip:
            parser.error('the half_bootstrap set needs --mon-ip')
        record_half_bootstrap(rec, args.mon_ip, args.image)
    if 'activate' in args.sets:
        if not args.activate_host:
            parser.error('the activate set needs --activate-host HOST')
        record_activate(rec, args.activate_host)
    if 'raw_purge' in args.sets:  # last: it removes the cluster from the host
        record_raw_purge(rec, fsid)
    print('%d fixture(s) in %s (ceph %s)' % (rec.count, rec.dir, rec.version))
    write_identity(rec.dir)
    return 0


if __name__ == '__main__':
    sys.exit(main())
