#!/usr/bin/python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ceph_rm_cluster
short_description: Remove every trace of one Ceph cluster from a host
version_added: 0.1.0
description:
  - Runs C(cephadm rm-cluster --fsid FSID --force) on the host, for the fsid given and no other.
    It stops and removes the cluster's daemons, systemd units, data and logs.
  - Run it on every host of the cluster.
  - Nothing of that fsid on the host is fine and reports no change.
  - Afterwards it checks that no daemon, systemd unit, container, data directory or log directory of the
    fsid is left on the host, and fails naming what is.
  - B(Destroys the cluster's data on the host.)
author:
  - cephkit maintainers (@cephkit)
options:
  fsid:
    description:
      - fsid of the cluster to remove. Only that cluster is touched.
    type: str
    required: true
  zap_osds:
    description:
      - Also wipe the devices of the cluster's OSDs on this host (C(--zap-osds) for LVM OSDs).
      - Raw-mode OSDs, whose devices C(--zap-osds) does not wipe on Pacific, are wiped by the module
        (C(wipefs -a) and the first 10 MiB zeroed), after their daemons are stopped.
      - Before anything is removed, the module reads the bluestore label of each raw OSD's device and refuses,
        naming the device, when the label belongs to another cluster or another OSD than the one whose data
        directory points at it. A device without a bluestore label holds nothing of Ceph; it is left alone and
        listed in RV(removed.skipped_devices).
    type: bool
    default: false
  purge_config:
    description:
      - Also remove C(/etc/ceph/ceph.conf), C(/etc/ceph/ceph.client.admin.keyring), C(/etc/ceph/ceph.pub)
        when C(ceph.conf) belongs to this fsid, and the dashboard password file of that fsid written by
        M(cephkit.cephadm.ceph_bootstrap).
      - Note that cephadm 16.2 C(rm-cluster) itself removes the first three whenever C(ceph.conf) names the fsid.
    type: bool
    default: false
extends_documentation_fragment:
  - cephkit.cephadm.cephadm
  - cephkit.cephadm.cephadm.attributes
attributes:
  check_mode:
    support: full
    details: Lists what would be removed.
  diff_mode:
    support: none
  idempotent:
    support: full
notes:
  - Starts no helper container. With O(zap_osds=true), cephadm itself runs C(ceph-volume) in a container.
seealso:
  - module: cephkit.cephadm.ceph_bootstrap
'''

EXAMPLES = r'''
- name: Remove the lab cluster from every host
  cephkit.cephadm.ceph_rm_cluster:
    fsid: "{{ ceph_fsid }}"
    zap_osds: true
    purge_config: true
'''

RETURN = r'''
removed:
  description: What was found of the fsid on the host and removed (or would be, in check mode).
  returned: success
  type: dict
  contains:
    daemons:
      description: Daemons (C(cephadm ls) names).
      type: list
      elements: str
      sample: [mon.ceph1, mgr.ceph1.abcdef, osd.0]
    containers:
      description: Container names.
      type: list
      elements: str
      sample: [ceph-2c1e4a3c-0b6f-11ef-9a41-525400a1b2c3-mon-ceph1]
    units:
      description: systemd unit files.
      type: list
      elements: str
      sample: [/etc/systemd/system/ceph-2c1e4a3c-0b6f-11ef-9a41-525400a1b2c3@.service]
    directories:
      description: Data and log directories.
      type: list
      elements: str
      sample: [/var/lib/ceph/2c1e4a3c-0b6f-11ef-9a41-525400a1b2c3]
    files:
      description: Configuration files.
      type: list
      elements: str
      sample: [/etc/ceph/ceph.conf]
    zapped_devices:
      description: Devices of raw OSDs wiped by the module (their bluestore label named this fsid and that OSD).
      type: list
      elements: str
      sample: [/dev/loop10]
    skipped_devices:
      description: Devices an OSD data directory of the fsid points at that carry no bluestore label, left alone,
        with the reason.
      type: dict
      sample: {"/dev/loop11": "osd.3's block has no bluestore label"}
cmds:
  description: Every command the module ran, as argv lists with secrets masked.
  returned: always
  type: list
  elements: list
  sample: [["/usr/sbin/cephadm", "rm-cluster", "--fsid", "2c1e4a3c-0b6f-11ef-9a41-525400a1b2c3", "--force"]]
containers_started:
  description: Number of helper containers the module started (and removed) during this call; always 0 here.
  returned: always
  type: int
  sample: 0
'''

import glob
import os
import stat
import typing as t

from ansible_collections.cephkit.cephadm.plugins.module_utils import _paths
from ansible_collections.cephkit.cephadm.plugins.module_utils._bluestore import LabelError, read_label
from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import CephError, CephRunner
from ansible_collections.cephkit.cephadm.plugins.module_utils._module import CephModule

# Where cephadm keeps a cluster on a host (module attributes: the unit tests point them at a temporary tree).
DATA_DIR = _paths.DATA_DIR
LOG_DIR = _paths.LOG_DIR
UNIT_DIR = _paths.UNIT_DIR
CONF_DIR = _paths.ETC_CEPH
ACTIVE_STATES = ('active', 'activating', 'deactivating', 'reloading')


def config_files(fsid: str) -> list[str]:
    files: list[str] = []
    conf = os.path.join(CONF_DIR, 'ceph.conf')
    try:
        with open(conf, encoding='utf-8', errors='replace') as handle:
            owned = fsid in handle.read()
    except OSError:
        owned = False
    if owned:
        for name in _paths.BOOTSTRAP_FILES:
            path = os.path.join(CONF_DIR, os.path.basename(name))
            if os.path.exists(path):
                files.append(path)
    pw_file = os.path.join(CONF_DIR, os.path.basename(_paths.dashboard_password_file(fsid)))
    if os.path.exists(pw_file):
        files.append(pw_file)
    return files


def is_block_device(path: str) -> bool:
    try:
        return stat.S_ISBLK(os.stat(path).st_mode)
    except OSError:
        return False


def raw_osd_devices(fsid: str) -> list[tuple[str, str]]:
    """(OSD id, block device) of the raw-mode OSDs of ``fsid`` on this host (LVM and device-mapper ones excluded)."""
    devices: list[tuple[str, str]] = []
    for block in sorted(glob.glob(os.path.join(DATA_DIR, fsid, 'osd.*', 'block'))):
        target = os.path.realpath(block)
        if os.path.basename(target).startswith('dm-') or target.startswith('/dev/mapper/'):
            continue
        if not is_block_device(target):
            continue
        devices.append((os.path.basename(os.path.dirname(block))[len('osd.') :], target))
    return devices


def devices_to_wipe(fsid: str, raw: list[tuple[str, str]]) -> tuple[list[str], dict[str, str]]:
    """The devices whose bluestore label is this fsid's OSD, and those without a label (left alone).

    Raises CephError, before anything changed, for a label of another cluster or another OSD.
    """
    wipe: list[str] = []
    skipped: dict[str, str] = {}
    for osd_id, device in raw:
        try:
            label = read_label(device)
        except (OSError, LabelError) as exc:
            raise CephError(
                'refusing to wipe %s (the block of osd.%s of cluster %s): its bluestore label cannot be read: %s'
                % (device, osd_id, fsid, exc)
            ) from exc
        if label is None:
            skipped[device] = "osd.%s's block has no bluestore label" % osd_id
        elif label.ceph_fsid != fsid or label.whoami != osd_id:
            raise CephError(
                'refusing to wipe %s: the data directory of osd.%s of cluster %s points at it, but its bluestore '
                'label says %s (osd uuid %s); nothing was removed. Check the device (ceph-volume raw list), fix or '
                'remove %s, and run again'
                % (
                    device,
                    osd_id,
                    fsid,
                    label.describe(),
                    label.osd_uuid,
                    os.path.join(DATA_DIR, fsid, 'osd.%s' % osd_id, 'block'),
                )
            )
        elif device not in wipe:
            wipe.append(device)
    return wipe, skipped


def inventory(runner: CephRunner, fsid: str) -> dict[str, list[str]]:
    """Everything of ``fsid`` on this host."""
    daemons = sorted(str(d.get('name')) for d in runner.cephadm_ls(refresh=True) if d.get('fsid') == fsid)
    res = runner.run([runner.engine(), 'ps', '--all', '--filter', 'name=ceph-%s' % fsid, '--format', '{{.Names}}'])
    containers = sorted(n.strip() for n in res.stdout.splitlines() if n.strip())
    units = sorted(
        glob.glob(os.path.join(UNIT_DIR, 'ceph-%s*' % fsid))
        + glob.glob(os.path.join(UNIT_DIR, '*.wants', 'ceph-%s*' % fsid))
    )
    systemctl = runner.bin_path('systemctl', required=False)
    if systemctl:
        res = runner.run(
            [systemctl, 'list-units', '--all', '--plain', '--no-legend', '--no-pager', 'ceph-%s*' % fsid], check=False
        )
        for line in res.stdout.splitlines():
            cols = line.split()
            if len(cols) >= 3 and cols[2] in ACTIVE_STATES and cols[0] not in units:
                units.append(cols[0])
    directories = [d for d in (os.path.join(DATA_DIR, fsid), os.path.join(LOG_DIR, fsid)) if os.path.exists(d)]
    return {
        'daemons': daemons,
        'containers': containers,
        'units': units,
        'directories': directories,
        'files': config_files(fsid),
    }


def leftovers(found: dict[str, list[str]], purge_config: bool) -> list[str]:
    """What of the cluster is on the host; configuration files count only with purge_config."""
    return [
        '%s: %s' % (kind, ', '.join(items))
        for kind, items in found.items()
        if items and (purge_config or kind != 'files')
    ]


def zap_raw(runner: CephRunner, device: str) -> None:
    runner.run([str(runner.bin_path('wipefs')), '--all', device])
    runner.run([str(runner.bin_path('dd')), 'if=/dev/zero', 'of=%s' % device, 'bs=1M', 'count=10', 'conv=fsync'])


def remove(mod: CephModule) -> dict[str, t.Any]:
    params, runner = mod.params, mod.runner
    fsid = params['fsid']
    purge = params['purge_config']
    found = inventory(runner, fsid)
    raw_devices, skipped = devices_to_wipe(fsid, raw_osd_devices(fsid) if params['zap_osds'] else [])
    removed: dict[str, t.Any] = dict(found, zapped_devices=raw_devices, skipped_devices=skipped)
    for device, reason in skipped.items():
        mod.warn('%s is not wiped: %s' % (device, reason))
    if not leftovers(found, purge):
        return {'changed': False, 'removed': dict({k: [] for k in found}, zapped_devices=[], skipped_devices={})}
    if mod.check_mode:
        if not purge:
            # cephadm rm-cluster removes ceph.conf, the keyring and ceph.pub of the fsid by itself
            removed['files'] = [f for f in found['files'] if not f.endswith('.password')] if found['daemons'] else []
        return {'changed': True, 'removed': removed}

    if found['daemons'] or found['units'] or found['directories'] or found['containers']:
        args = ['rm-cluster', '--fsid', fsid, '--force'] + (['--zap-osds'] if params['zap_osds'] else [])
        runner.cephadm(args, with_image=True)
    for device in raw_devices:
        zap_raw(runner, device)
    if purge:
        for path in config_files(fsid):
            os.unlink(path)

    after = inventory(runner, fsid)
    # cephadm removes ceph.conf, the admin keyring and ceph.pub of the fsid by itself: report what went.
    removed['files'] = [f for f in found['files'] if f not in after['files']]
    left = leftovers(after, purge)
    if left:
        raise CephError(
            'cephadm rm-cluster ran but these of cluster %s are still on the host: %s' % (fsid, '; '.join(left)),
            changed=True,
            removed=removed,
        )
    return {'changed': True, 'removed': removed}


def main() -> None:
    CephModule(
        {
            'fsid': {'type': 'str', 'required': True},
            'zap_osds': {'type': 'bool', 'default': False},
            'purge_config': {'type': 'bool', 'default': False},
        },
    ).run(remove)


if __name__ == '__main__':
    main()
