# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The image set a cluster runs (the data: module_utils/_images.py)."""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.cephkit.cephadm.plugins.module_utils._images import ImageSetError
from ansible_collections.cephkit.cephadm.plugins.module_utils._images import image_set as _image_set


def image_set(
    release: t.Any,
    services: t.Any,
    overrides: t.Any = None,
    registry: t.Any = '',
    lock: t.Any = None,
    ceph_image: t.Any = '',
) -> list[dict[str, t.Any]]:
    """Return the entries of the image set of ``release`` that ``services`` run."""
    if not isinstance(services, (list, tuple)):
        raise AnsibleFilterError(f'image_set: expected a list of service types, got {type(services).__name__}')
    if overrides is not None and not isinstance(overrides, dict):
        raise AnsibleFilterError(f'image_set: cephkit_images must be a dict, got {type(overrides).__name__}')
    if lock is not None and not isinstance(lock, dict):
        raise AnsibleFilterError(f'image_set: the lock must be a dict of options, got {type(lock).__name__}')
    try:
        return _image_set(str(release), services, overrides, str(registry or ''), lock, str(ceph_image or ''))
    except ImageSetError as exc:
        raise AnsibleFilterError(str(exc)) from exc


class FilterModule:
    """cephkit.cephadm image set filter."""

    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {'image_set': image_set}
