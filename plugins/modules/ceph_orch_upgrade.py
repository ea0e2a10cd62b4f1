#!/usr/bin/python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ceph_orch_upgrade
short_description: Upgrade a cephadm cluster to another Ceph image, with cephadm's own upgrade
version_added: 0.1.0
description:
  - Drives C(ceph orch upgrade) as a state machine. It reads whether an upgrade is under way
    (C(ceph orch upgrade status)). When none is, it asks cephadm which daemons the target needs to change
    (C(ceph orch upgrade check), whose verdict on the target is enforced) and starts an upgrade only when
    some daemon does. When one is under way to the same image it resumes it if paused, and waits.
  - "Before starting, it refuses, naming what it found: a downgrade, a jump of more than two releases,
    a cluster whose health is not C(HEALTH_OK) (save the checks in O(allowed_health_checks)), fewer than two
    running mgrs (cephadm upgrades the active mgr by failing over to a standby), and a host in maintenance."
  - While waiting it polls the upgrade status. When cephadm pauses the upgrade on an error
    (C(UPGRADE_FAILED_PULL), C(UPGRADE_REDEPLOY_DAEMON), C(UPGRADE_BAD_TARGET_VERSION), C(UPGRADE_NO_STANDBY_MGR),
    C(UPGRADE_EXCEPTION), C(UPGRADE_OFFLINE_HOST)), the module fails with the cluster's own words and leaves the
    upgrade paused; running it again resumes it.
  - "One pause it heals by itself: C(UPGRADE_NO_STANDBY_MGR) while a mgr daemon runs but is in the mgr map neither as
    active nor as standby. cephadm 16.2 fails over to the standby mgr it has just redeployed; a mgr activated while it
    still loads its modules can hang, and cephadm then finds no standby. The module restarts that mgr once
    (C(ceph orch daemon restart)), waits for it to join as a standby and resumes the upgrade (RV(recovered) says so)."
  - With O(wait_for) naming a daemon type, the module returns as soon as the daemons of that type run the target,
    while cephadm goes on with the others; a role calls it once per type to show the progress.
  - After a whole upgrade (no O(daemon_types), O(hosts), O(services) or O(limit)) it checks that every daemon
    reports the target version (C(ceph versions)) and that C(require_osd_release) is the target's release. After a
    staggered one (without O(limit)) it checks that cephadm lists no daemon of the selection as still to upgrade
    (cephadm 16.2 can end a staggered upgrade as complete right after pausing it).
  - cephadm upgrades in this order, one daemon at a time where it must (mons and OSDs after C(ok-to-stop)), mgr,
    mon, crash, osd, mds, rgw, rbd-mirror, cephfs-mirror, ceph-exporter, iscsi, nfs, then it redeploys the
    monitoring daemons with the images of their options.
  - Runs on an admin host of the cluster.
author:
  - cephkit maintainers (@cephkit)
options:
  target_image:
    description:
      - The Ceph image to upgrade to, by tag (C(quay.io/ceph/ceph:v18.2.7)) or digest
        (C(registry.intra:5000/ceph/ceph@sha256:...)). Required with O(state=upgraded) and O(state=started).
      - Every host must be able to pull it; cephadm pins it by digest when it starts.
    type: str
  state:
    description:
      - V(upgraded) starts (or resumes) the upgrade when a daemon still runs another image, and waits until it is done
        (or until the daemons of O(wait_for) are).
      - V(started) starts or resumes it and returns at once.
      - V(paused) pauses an upgrade under way; V(stopped) stops it (the daemons already upgraded stay so).
    type: str
    choices: [upgraded, started, paused, stopped]
    default: upgraded
  wait_for:
    description:
      - With O(state=upgraded), the daemon type (C(mgr), C(mon), C(crash), C(osd), ...) to wait for; V(all) waits for
        the whole upgrade.
    type: str
    default: all
  daemon_types:
    description:
      - Upgrade only the daemons of these types (C(--daemon-types)); cephadm refuses types whose predecessors in
        its order still run the old image.
    type: list
    elements: str
  hosts:
    description:
      - Upgrade only the daemons on these hosts (C(--hosts)).
    type: list
    elements: str
  services:
    description:
      - Upgrade only the daemons of these services (C(--services)), such as C(rgw.default); not with O(daemon_types).
    type: list
    elements: str
  limit:
    description:
      - Upgrade at most this many daemons (C(--limit)); the upgrade then ends and a later run goes on.
    type: int
  allowed_health_checks:
    description:
      - Health checks (C(OSDMAP_FLAGS), C(MON_DISK_LOW), ...) that may be raised, as warnings, when the upgrade
        starts. Any other check, or any error, refuses the start.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - cephkit.cephadm.cephadm
  - cephkit.cephadm.cephadm.wait
  - cephkit.cephadm.cephadm.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the upgrade status, the daemons and the health and runs C(ceph orch upgrade check), which makes cephadm
        pull the target image on one host to learn its version and digest (no daemon is touched); returns the
        daemons of each type that would be upgraded, and starts nothing.
  diff_mode:
    support: full
  idempotent:
    support: full
notes:
  - Install the target release's cephadm on the hosts first (the C(cephkit.cephadm.upgrade) playbook does); the
    mgr copies its own cephadm to the hosts as soon as it is upgraded.
  - Point the monitoring image options (C(mgr/cephadm/container_image_*)) at the target release's images first,
    unless they are pinned, because cephadm redeploys the monitoring daemons with them at the end.
seealso:
  - module: cephkit.cephadm.ceph_cluster_wait
  - name: Upgrading Ceph (cephadm)
    description: The upstream description of C(ceph orch upgrade).
    link: https://docs.ceph.com/en/reef/cephadm/upgrade/
'''

EXAMPLES = r'''
- name: Upgrade the cluster to Reef and wait until every daemon runs it
  cephkit.cephadm.ceph_orch_upgrade:
    target_image: quay.io/ceph/ceph:v18.2.7
    wait_timeout: 3600

- name: Start the upgrade, then wait for the mgrs, the mons and the OSDs one after the other
  cephkit.cephadm.ceph_orch_upgrade:
    target_image: quay.io/ceph/ceph:v18.2.7
    state: started
  register: upgrade

- name: Wait for each daemon type
  cephkit.cephadm.ceph_orch_upgrade:
    target_image: quay.io/ceph/ceph:v18.2.7
    wait_for: "{{ item }}"
    wait_timeout: 1800
  loop: "{{ upgrade.pending | list }}"

- name: Upgrade only the mgrs and the mons for now (staggered)
  cephkit.cephadm.ceph_orch_upgrade:
    target_image: quay.io/ceph/ceph:v18.2.7
    daemon_types: [mgr, mon]

- name: Stop an upgrade under way
  cephkit.cephadm.ceph_orch_upgrade:
    state: stopped
'''

RETURN = r'''
target_version:
  description: The Ceph version of O(target_image), as cephadm read it from the image.
  returned: when an upgrade was checked, started or waited for
  type: str
  sample: 18.2.7
pending:
  description:
    - Per daemon type, in cephadm's upgrade order, the number of daemons (of the selection) that ran another image
      when the module started. Empty when nothing was to upgrade.
  returned: with O(state=upgraded) and O(state=started)
  type: dict
  sample: {"mgr": 2, "mon": 3, "crash": 3, "osd": 6}
started:
  description: Whether the module started an upgrade (would start, in check mode).
  returned: success
  type: bool
  sample: true
resumed:
  description: Whether the module resumed a paused upgrade (would resume, in check mode).
  returned: success
  type: bool
  sample: false
status:
  description: The last C(ceph orch upgrade status) the module read.
  returned: success
  type: dict
  sample:
    in_progress: true
    target_image: "quay.io/ceph/ceph@sha256:5b7c5e2f..."
    which: Upgrading all daemon types on all hosts
    services_complete: [mgr, mon]
    progress: 5/14 daemons upgraded
    message: Currently upgrading osd daemons
    is_paused: false
waited:
  description: Seconds spent waiting.
  returned: when the module waited
  type: float
  sample: 182.4
versions:
  description: Per daemon type, the versions the daemons report (C(ceph versions)) at the end, with their counts.
  returned: when the module checked a whole upgrade
  type: dict
  sample: {"mon": {"18.2.7": 3}, "mgr": {"18.2.7": 2}, "osd": {"18.2.7": 6}, "overall": {"18.2.7": 11}}
require_osd_release:
  description: The OSD map's C(require_osd_release) at the end.
  returned: when the module checked a whole upgrade of a cluster with OSDs
  type: str
  sample: reef
recovered:
  description: What the module did to get past C(UPGRADE_NO_STANDBY_MGR) (a mgr restarted, the upgrade resumed).
  returned: when it did
  type: list
  elements: str
  sample: ["restarted mgr.node2.cuvkmq, which ran but was no mgr of the map", "resumed once a standby mgr was back: node1.jngfwl, node2.cuvkmq"]
preview:
  description: Commands that would run, in check mode (argv lists, as in RV(cmds)).
  returned: in check mode when a change is predicted
  type: list
  elements: list
  sample: [["orch", "upgrade", "start", "--image", "quay.io/ceph/ceph:v18.2.7"]]
diff:
  description: The versions of the daemon types concerned, before and after.
  returned: when diff mode is on and an upgrade is predicted or started
  type: dict
  sample:
    before: {"mgr": ["16.2.15"], "mon": ["16.2.15"]}
    after: {"mgr": ["18.2.7"], "mon": ["18.2.7"]}
cmds:
  description: Every command the module ran, as argv lists with secrets masked.
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/ceph", "orch", "upgrade", "status", "--format", "json"]]
containers_started:
  description: Number of helper containers the module started (and removed) during this call; 0 or 1.
  returned: always
  type: int
  sample: 0
'''

import json
import time
import typing as t

from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import (
    CEPH_DAEMON_TYPES,
    RELEASE_NAMES,
    CephCommandError,
    CephError,
    CephInputError,
    CephParseError,
    validate_hostname,
    wait_argument_spec,
)
from ansible_collections.cephkit.cephadm.plugins.module_utils._cluster import (
    as_list,
    ceph_versions,
    daemon_name,
    health_details,
    orch_daemons,
    orch_hosts,
    require_osd_release,
    upgrade_status,
    version_key,
    version_of,
)
from ansible_collections.cephkit.cephadm.plugins.module_utils._gates import gate_reason, read_cluster
from ansible_collections.cephkit.cephadm.plugins.module_utils._module import CephModule

# A look at the upgrade status while waiting: the mgr fails over during the upgrade, and a ceph command
# addressed to the orchestrator then waits for the new one; a look that takes longer counts as "not yet".
POLL_TIMEOUT = 60
# How many running mgrs cephadm needs to upgrade the active one (it fails over to a standby).
MIN_MGRS = 2
# UPGRADE_NO_STANDBY_MGR (see Upgrade.recover_standby_mgr): seconds a restarted mgr has to join as a standby, and
# how often one call resumes the upgrade after it.
RECOVER_GRACE = 180
MAX_RESUMES = 3


def validate(params: dict[str, t.Any]) -> None:
    state = params['state']
    image = params.get('target_image')
    if state in ('upgraded', 'started') and (not image or not image.strip() or any(c.isspace() for c in image)):
        raise CephInputError(
            'target_image %r: expected the image to upgrade to, such as quay.io/ceph/ceph:v18.2.7' % (image,)
        )
    if params['wait_for'] != 'all' and params['wait_for'] not in CEPH_DAEMON_TYPES:
        raise CephInputError(
            'wait_for %r: expected all or a Ceph daemon type (%s)' % (params['wait_for'], ', '.join(CEPH_DAEMON_TYPES))
        )
    for daemon_type in params.get('daemon_types') or []:
        if daemon_type not in CEPH_DAEMON_TYPES:
            raise CephInputError(
                'daemon_types: %r is not a daemon type cephadm upgrades: expected some of %s'
                % (daemon_type, ', '.join(CEPH_DAEMON_TYPES))
            )
    if params.get('daemon_types') and params.get('services'):
        raise CephInputError('daemon_types and services: give one or the other (cephadm takes only one of them)')
    for host in params.get('hosts') or []:
        validate_hostname(host, 'hosts')
    if params.get('limit') is not None and params['limit'] < 1:
        raise CephInputError('limit %r: expected a positive number of daemons' % params['limit'])


def digest_of(image: str) -> str:
    """The ``sha256:...`` part of a reference by digest ('' for a tag)."""
    return image.rsplit('@', 1)[1] if '@' in image else ''


def selected(params: dict[str, t.Any], daemon: dict[str, t.Any]) -> bool:
    """Whether ``daemon`` is one the upgrade (with the staggering options) would touch."""
    if daemon.get('daemon_type') not in CEPH_DAEMON_TYPES:
        return False
    if params.get('daemon_types') and daemon.get('daemon_type') not in params['daemon_types']:
        return False
    if params.get('services') and daemon.get('service_name') not in params['services']:
        return False
    return not (params.get('hosts') and daemon.get('hostname') not in params['hosts'])


def staggered(params: dict[str, t.Any]) -> bool:
    return any(params.get(k) for k in ('daemon_types', 'hosts', 'services')) or params.get('limit') is not None


def start_argv(params: dict[str, t.Any]) -> list[str]:
    argv = ['orch', 'upgrade', 'start', '--image', params['target_image'].strip()]
    for option, flag in (('daemon_types', '--daemon-types'), ('hosts', '--hosts'), ('services', '--services')):
        if params.get(option):
            argv += [flag, ','.join(params[option])]
    if params.get('limit') is not None:
        argv += ['--limit', str(params['limit'])]
    return argv


class Upgrade:
    """One call of the module: what it read, decided and did."""

    def __init__(self, mod: CephModule) -> None:
        self.mod = mod
        self.params = mod.params
        self.runner = mod.runner
        self.target = (self.params.get('target_image') or '').strip()
        self.result: dict[str, t.Any] = {'changed': False, 'started': False, 'resumed': False}
        self.restarted: set[str] = set()
        self.restarted_at = 0.0

    # -- reads ----------------------------------------------------------------------------------------------
    def check(self) -> dict[str, t.Any]:
        """``ceph orch upgrade check --image TARGET``: cephadm's verdict, enforced (it answers an incompatible
        target with a sentence and rc 0)."""
        try:
            res = self.runner.ceph(['orch', 'upgrade', 'check', '--image', self.target])
        except CephCommandError as exc:
            raise CephError(
                'cephadm could not check target_image %s: %s' % (self.target, (exc.stderr or exc.stdout).strip())
            ) from None
        text = res.stdout.strip()
        if not text.startswith('{'):
            raise CephError('cephadm refuses the upgrade to %s: %s' % (self.target, text or res.stderr.strip()))
        data = res.json()
        version = version_of(data.get('target_version'))
        if not version:
            raise CephParseError('ceph orch upgrade check gave no version for %s: %r' % (self.target, data))
        self.result['target_version'] = version
        return t.cast('dict[str, t.Any]', data)

    def target_digests(self) -> set[str]:
        """The digests of TARGET: its own, or those of the image the admin host pulled (no registry asked)."""
        if digest_of(self.target):
            return {digest_of(self.target)}
        res = self.runner.run([self.runner.engine(), 'image', 'inspect', self.target], check=False)
        if res.rc != 0:
            return set()
        try:
            images = json.loads(res.stdout)
        except ValueError:
            return set()
        return {digest_of(str(d)) for i in images if isinstance(i, dict) for d in i.get('RepoDigests') or []}

    def same_target(self, status: dict[str, t.Any]) -> bool:
        running = str(status.get('target_image') or '')
        if running == self.target:
            return True
        return bool(digest_of(running)) and digest_of(running) in self.target_digests()

    @staticmethod
    def count(daemons: list[dict[str, t.Any]]) -> dict[str, int]:
        """Daemons per type, in cephadm's upgrade order."""
        counts = {ty: sum(1 for d in daemons if d.get('daemon_type') == ty) for ty in CEPH_DAEMON_TYPES}
        return {ty: n for ty, n in counts.items() if n}

    # -- guards before a start ----------------------------------------------------------------------------------
    def refuse_version(self, versions: dict[str, dict[str, int]], target: str) -> None:
        running = sorted(versions.get('overall', {}), key=version_key)
        if not running:
            return
        lowest, highest = running[0], running[-1]
        if version_key(target) < version_key(highest):
            raise CephError(
                'target_image %s is Ceph %s, older than the %s the cluster runs: a downgrade is not supported'
                % (self.target, target, highest),
                versions=versions,
            )
        if version_key(target)[0] - version_key(lowest)[0] > 2:
            raise CephError(
                'target_image %s is Ceph %s: from %s that is a jump of more than two releases; upgrade to an '
                'earlier release first' % (self.target, target, lowest),
                versions=versions,
            )

    def refuse_unready(self, daemons: list[dict[str, t.Any]]) -> None:
        reason = gate_reason(
            read_cluster(self.runner, ['status']),
            'health',
            {'allowed_warnings': self.params['allowed_health_checks']},
        )
        if reason:
            raise CephError(
                'the cluster is not ready for an upgrade: %s. Fix it first, or list the checks that may stay '
                'raised in allowed_health_checks' % reason
            )
        mgrs = [d for d in daemons if d.get('daemon_type') == 'mgr' and d.get('status') == 1]
        if len(mgrs) < MIN_MGRS:
            raise CephError(
                'the cluster runs %d mgr daemon(s) (%s); cephadm needs at least %d to upgrade the active one: '
                'add a mgr first' % (len(mgrs), ', '.join(daemon_name(d) for d in mgrs) or 'none', MIN_MGRS)
            )
        maintenance = sorted(
            str(h.get('hostname')) for h in orch_hosts(self.runner) if h.get('status') == 'maintenance'
        )
        if maintenance:
            raise CephError(
                'hosts in maintenance: %s; cephadm upgrades no cluster with a host in maintenance: take them out '
                '(ceph orch host maintenance exit HOST) first' % ', '.join(maintenance)
            )

    # -- the states -----------------------------------------------------------------------------------------------
    def upgrade(self) -> dict[str, t.Any]:
        status = upgrade_status(self.runner)
        self.result['status'] = status
        if status['in_progress']:
            if not self.same_target(status):
                raise CephError(
                    'an upgrade to %s is under way, not to target_image %s: let it finish, or stop it '
                    '(state=stopped, or ceph orch upgrade stop) first' % (status.get('target_image'), self.target),
                    status=status,
                )
            complete = set(status.get('services_complete') or [])
            self.result['pending'] = self.count(
                [d for d in orch_daemons(self.runner) if selected(self.params, d) and d['daemon_type'] not in complete]
            )
            if status.get('is_paused'):
                self.result.update(changed=True, resumed=True)
                if self.mod.check_mode:
                    self.result['preview'] = [['orch', 'upgrade', 'resume']]
                    return self.result
                self.runner.ceph(['orch', 'upgrade', 'resume'])
        else:
            versions = ceph_versions(self.runner)
            check = self.check()
            target = self.result['target_version']
            self.refuse_version(versions, target)
            daemons = orch_daemons(self.runner)
            needs: dict[str, t.Any] = check.get('needs_update') or {}
            pending = [d for d in daemons if selected(self.params, d) and daemon_name(d) in needs]
            self.result['pending'] = self.count(pending)
            if not pending:
                if not staggered(self.params):
                    self.verify(target)
                return self.result
            if self.mod.diff:
                types = list(self.result['pending'])
                self.result['diff'] = {
                    'before': {
                        ty: sorted({version_of(d.get('version')) or '?' for d in pending if d.get('daemon_type') == ty})
                        for ty in types
                    },
                    'after': {ty: [target] for ty in types},
                }
            self.refuse_unready(daemons)
            argv = start_argv(self.params)
            self.result.update(changed=True, started=True)
            if self.mod.check_mode:
                self.result['preview'] = [argv]
                return self.result
            self.runner.ceph(argv)
        if self.params['state'] == 'upgraded':
            self.wait()
        return self.result

    def wait(self) -> None:
        wait_for = self.params['wait_for']
        last: dict[str, t.Any] = {}
        start = time.monotonic()

        def probe() -> bool | None:
            try:
                status = upgrade_status(self.runner, timeout=min(self.runner.timeout, POLL_TIMEOUT))
            except CephError:
                return None  # the mgr is failing over: not yet
            last.clear()
            last.update(status)
            if not status['in_progress']:
                return True
            if status.get('is_paused'):
                if self.recover_standby_mgr(status):
                    return None
                raise CephError(self.paused_message(status), changed=self.result['changed'], status=status)
            if wait_for != 'all' and wait_for in (status.get('services_complete') or []):
                return True
            return None

        def describe() -> str:
            return 'the upgrade to %s is not done%s: %s (%s)' % (
                self.target,
                '' if wait_for == 'all' else ' for the %s daemons' % wait_for,
                last.get('progress') or 'no progress reported',
                last.get('message') or last.get('which') or 'no status read',
            )

        self.mod.wait(probe, describe, changed=self.result['changed'])
        self.result['waited'] = round(time.monotonic() - start, 1)
        self.result['status'] = dict(last)
        if not last.get('in_progress'):
            if not staggered(self.params):
                self.verify(self.result.get('target_version') or '')
            elif self.params.get('limit') is None:
                self.verify_selection()

    def recover_standby_mgr(self, status: dict[str, t.Any]) -> bool:
        """The one pause the module heals: ``UPGRADE_NO_STANDBY_MGR`` when a mgr daemon runs but is in the mgr map
        neither as active nor as standby. cephadm 16.2 fails over to the standby mgr it has just redeployed (within
        seconds); a mgr activated while it still loads its modules can hang (seen on the lab, Pacific to Reef), and
        cephadm then finds no standby and pauses. The module restarts such a mgr once (``ceph orch daemon restart``),
        waits up to RECOVER_GRACE seconds for it to join as a standby, and resumes the upgrade (at most MAX_RESUMES
        times in a call). True when it acted or is still waiting for the restarted mgr; False: fail as paused."""
        if 'UPGRADE_NO_STANDBY_MGR' not in str(status.get('message') or ''):
            return False
        mgr = self.runner.ceph_json(['mgr', 'dump'])
        mgr = mgr if isinstance(mgr, dict) else {}
        known = {str(mgr.get('active_name') or '')} | {str(m.get('name')) for m in as_list(mgr.get('standbys'))}
        recovered: list[str] = self.result.setdefault('recovered', [])
        if len(known - {''}) > 1:
            if sum(1 for r in recovered if r.startswith('resumed')) >= MAX_RESUMES:
                return False
            self.runner.ceph(['orch', 'upgrade', 'resume'])
            self.result['changed'] = True
            recovered.append('resumed once a standby mgr was back: %s' % ', '.join(sorted(known - {''})))
            return True
        stuck = [
            daemon_name(d)
            for d in orch_daemons(self.runner, daemon_type='mgr')
            if str(d.get('daemon_id')) not in known and d.get('status') == 1
        ]
        restart = [name for name in stuck if name not in self.restarted]
        if not restart:
            # a restarted mgr is given its time to start and join
            return bool(self.restarted) and time.monotonic() - self.restarted_at <= RECOVER_GRACE
        for name in restart:
            self.runner.ceph(['orch', 'daemon', 'restart', name])
            self.restarted.add(name)
            recovered.append('restarted %s, which ran but was no mgr of the map' % name)
        self.restarted_at = time.monotonic()
        self.result['changed'] = True
        return True

    def paused_message(self, status: dict[str, t.Any]) -> str:
        """The cluster's own words on why the upgrade paused, and what to do."""
        try:
            checks = health_details(self.runner, 'UPGRADE_')
        except CephError:
            checks = {}
        words = '; '.join('%s: %s' % (name, ' '.join(lines)) for name, lines in checks.items())
        return (
            'the upgrade to %s is paused: %s%s. It stays paused: fix the cause and run again (it resumes, as '
            '"ceph orch upgrade resume" does), or stop it with state=stopped ("ceph orch upgrade stop")'
            % (
                status.get('target_image') or self.target,
                status.get('message') or 'paused',
                ' (%s)' % words if words else '',
            )
        )

    def verify_selection(self) -> None:
        """After a staggered upgrade (no limit): cephadm lists none of the selected daemons as needing the target.
        (cephadm 16.2 can end a staggered upgrade as complete right after pausing it on UPGRADE_NO_STANDBY_MGR.)"""
        check = self.check()
        needs: dict[str, t.Any] = check.get('needs_update') or {}
        left = sorted(
            daemon_name(d) for d in orch_daemons(self.runner) if selected(self.params, d) and daemon_name(d) in needs
        )
        if left:
            raise CephError(
                'the upgrade to %s ended, but cephadm lists these daemons of the selection as still to upgrade: %s. '
                'Look at "ceph health detail" and "ceph log last cephadm", then run again'
                % (self.target, ', '.join(left)),
                changed=self.result['changed'],
            )

    def verify(self, target: str) -> None:
        """Every daemon reports ``target`` and the OSD map requires its release."""
        versions = ceph_versions(self.runner)
        self.result['versions'] = versions
        if not target:
            target = max(versions.get('overall', {'': 0}), key=version_key)
            self.result['target_version'] = target
        others = {
            ty: sorted(v for v in counts if v != target)
            for ty, counts in versions.items()
            if ty != 'overall' and any(v != target for v in counts)
        }
        if others:
            raise CephError(
                'the upgrade to %s ended, but daemons still report other versions: %s'
                % (target, '; '.join('%s %s' % (ty, ', '.join(v)) for ty, v in sorted(others.items()))),
                changed=self.result['changed'],
                versions=versions,
            )
        if 'osd' in versions:
            release = require_osd_release(self.runner)
            self.result['require_osd_release'] = release
            wanted = RELEASE_NAMES.get(version_key(target)[0], '')
            if wanted and release != wanted:
                raise CephError(
                    'every daemon runs %s, but require_osd_release is %s, not %s: cephadm sets it at the end of the '
                    'OSD upgrade; set it with "ceph osd require-osd-release %s" once every OSD is up'
                    % (target, release, wanted, wanted),
                    changed=self.result['changed'],
                    versions=versions,
                )

    def pause_or_stop(self) -> dict[str, t.Any]:
        state = self.params['state']
        status = upgrade_status(self.runner)
        self.result['status'] = status
        if not status['in_progress'] or (state == 'paused' and status.get('is_paused')):
            return self.result
        argv = ['orch', 'upgrade', 'pause' if state == 'paused' else 'stop']
        self.result['changed'] = True
        if self.mod.check_mode:
            self.result['preview'] = [argv]
            return self.result
        self.runner.ceph(argv)
        self.result['status'] = upgrade_status(self.runner)
        return self.result


def manage(mod: CephModule) -> dict[str, t.Any]:
    upgrade = Upgrade(mod)
    if mod.params['state'] in ('paused', 'stopped'):
        return upgrade.pause_or_stop()
    return upgrade.upgrade()


def main() -> None:
    CephModule(
        {
            'target_image': {'type': 'str'},
            'state': {'type': 'str', 'default': 'upgraded', 'choices': ['upgraded', 'started', 'paused', 'stopped']},
            'wait_for': {'type': 'str', 'default': 'all'},
            'daemon_types': {'type': 'list', 'elements': 'str'},
            'hosts': {'type': 'list', 'elements': 'str'},
            'services': {'type': 'list', 'elements': 'str'},
            'limit': {'type': 'int'},
            'allowed_health_checks': {'type': 'list', 'elements': 'str', 'default': []},
            **wait_argument_spec(),
        },
        validate=validate,
    ).run(manage)


if __name__ == '__main__':
    main()
