# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where cephadm keeps a cluster's files on a host (the one place the collection spells them out).

Private to the collection (leading underscore): its API may change without notice.
"""

from __future__ import annotations

import os

ETC_CEPH = '/etc/ceph'
CEPH_CONF = os.path.join(ETC_CEPH, 'ceph.conf')
CEPH_ADMIN_KEYRING = os.path.join(ETC_CEPH, 'ceph.client.admin.keyring')
CEPH_PUB = os.path.join(ETC_CEPH, 'ceph.pub')
# What `cephadm bootstrap` writes to /etc/ceph (and `cephadm rm-cluster` removes again).
BOOTSTRAP_FILES = (CEPH_CONF, CEPH_ADMIN_KEYRING, CEPH_PUB)
# The registry login cephadm passes to its pulls (role cephkit_registry writes it): the host's, not a cluster's,
# though Reef's `cephadm rm-cluster` removes it with the cluster's files.
PODMAN_AUTH_NAME = 'podman-auth.json'
DATA_DIR = '/var/lib/ceph'
LOG_DIR = '/var/log/ceph'
UNIT_DIR = '/etc/systemd/system'


def dashboard_password_file(fsid: str) -> str:
    """The 0600 file ceph_bootstrap writes a generated dashboard password to."""
    return os.path.join(ETC_CEPH, 'dashboard.%s.password' % fsid)
