#!/usr/bin/python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ceph_image_mirror
short_description: Mirror an image set into an intranet registry, directly or through an archive carried in
version_added: 0.1.0
description:
  - Works on the image store of the host it runs on through the podman service socket, with the C(podman) Python
    library. Where no podman service answers at O(podman_socket), or O(storage_root) names another store, it starts a
    podman service of its own for the length of the call.
  - O(mode=push) (a connected bastion) pulls each source that is not in the store and pushes it to its target in the
    intranet registry.
  - O(mode=save) (a connected machine) pulls each source that is not in the store and writes them all into one
    docker-archive at O(archive), with a manifest (C(cephkit-manifest.yml) inside the archive) of each image's option,
    source and image ID. C(podman load -i) reads the archive as well.
  - O(mode=load) (a host inside) reads the manifest of O(archive), loads the archive when the registry lacks one of
    its images and pushes those to their targets.
  - A target whose manifest in the registry already points at the same image ID (the config digest, which
    recompression on push does not change) is not pushed again. After each push the registry is read back, and the
    module fails unless it holds that very image. It returns the registry's manifest digest of every target, for the
    lock file that pins the cluster to them.
  - A target's tag may differ from its source's (an arch-tagged source such as C(ceph-grafana:6.7.4-x86_64) pushed as
    the C(6.7.4) cephadm asks for).
  - Registry authentication - basic auth only (O(registry_username), O(registry_password)); registries that
    only hand out bearer tokens are not supported yet.
requirements:
  - podman on the host, and the C(podman) Python library (5.x; tested with podman 4.3)
author:
  - cephkit maintainers (@cephkit)
options:
  mode:
    description: What to do, see the description.
    type: str
    required: true
    choices: [push, save, load]
  images:
    description:
      - The images, with the keys of the C(cephkit.cephadm.image_set) filter's entries that matter here.
    type: list
    elements: dict
    required: true
    suboptions:
      option:
        description: The cephadm option the image is for (C(prometheus), C(ceph), ...).
        type: str
        required: true
      source:
        description: Where the image comes from (O(mode=push), O(mode=save)); the name it has in the archive.
        type: str
        required: true
      target:
        description: Its name in the intranet registry (O(mode=push), O(mode=load)).
        type: str
  archive:
    description: Path of the archive on this host; written by O(mode=save), read by O(mode=load).
    type: path
  tls_verify:
    description:
      - Verify the TLS certificate of the intranet registry. V(false) also allows plain http (a registry without TLS).
      - The sources are always pulled with TLS verified.
    type: bool
    default: true
  registry_username:
    description: User for the intranet registry.
    type: str
  registry_password:
    description: Password for the intranet registry.
    type: str
  podman_socket:
    description:
      - The podman service to use, C(unix:///path). Empty means C(unix:///run/podman/podman.sock) when it answers,
        else a service the module starts for this call.
    type: str
    default: ""
  storage_root:
    description:
      - Use the image store below this directory instead of the host's (a service is started on it). For a mirror
        host that should not keep the images in its own store, and for tests.
    type: path
  pull:
    description: V(missing) pulls a source only when the store lacks it, V(always) pulls every source again.
    type: str
    choices: [missing, always]
    default: missing
  timeout:
    description: Seconds any one request to the podman service or the registry may take.
    type: int
    default: 600
extends_documentation_fragment:
  - cephkit.cephadm.cephadm.attributes
attributes:
  check_mode:
    support: full
    details: Reads the store, the archive's manifest and the registry, and reports what it would pull, write and push.
  diff_mode:
    support: none
  idempotent:
    support: full
seealso:
  - module: cephkit.cephadm.ceph_bootstrap
'''

EXAMPLES = r'''
- name: Save the monitoring images of Pacific into one archive to carry in
  cephkit.cephadm.ceph_image_mirror:
    mode: save
    archive: /srv/cephkit-images.tar
    images: "{{ '16.2.15' | cephkit.cephadm.image_set(['prometheus', 'alertmanager', 'node-exporter']) }}"

- name: Inside, push them to the intranet registry and keep the digests
  cephkit.cephadm.ceph_image_mirror:
    mode: load
    archive: /srv/cephkit-images.tar
    images: "{{ '16.2.15' | cephkit.cephadm.image_set(['prometheus', 'alertmanager', 'node-exporter'], {}, 'registry.example:5000') }}"
  register: mirrored
'''

RETURN = r'''
images:
  description: Every image, in the order given.
  returned: success
  type: list
  elements: dict
  contains:
    option:
      description: The cephadm option.
      type: str
      sample: prometheus
    source:
      description: Where it came from.
      type: str
      sample: quay.io/prometheus/prometheus:v2.33.4
    target:
      description: Its name in the intranet registry (empty with O(mode=save)).
      type: str
      sample: registry.example:5000/prometheus/prometheus:v2.33.4
    image_id:
      description: Its image ID (the digest of its config).
      type: str
      sample: sha256:514e6a882f6e74806a5856468489eeff8d7106095557578da96935e4d0ba4d9d
    digest:
      description: The digest of its manifest in the intranet registry (empty with O(mode=save), and in check mode before a push).
      type: str
      sample: sha256:7e0a5b3a6d0a3c5d83b13de9fbc7d7e1e1f7c8e9b1f3f3a45f8c38f0f9d14a21
    pushed:
      description: Whether this call pushed it (would push it, in check mode).
      type: bool
      sample: false
pulled:
  description: The sources pulled (that would be pulled, in check mode).
  returned: success
  type: list
  elements: str
  sample: [quay.io/prometheus/prometheus:v2.33.4]
archive:
  description: The archive written or read, with its size in bytes.
  returned: with O(mode=save) or O(mode=load)
  type: dict
  sample: {path: /srv/cephkit-images.tar, size: 297795584, written: true, loaded: false}
'''

import io
import os
import tarfile
import typing as t

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import CephError, CephInputError
from ansible_collections.cephkit.cephadm.plugins.module_utils._podman import (
    HAS_PODMAN,
    PODMAN_IMPORT_ERROR,
    PodmanImages,
    Registry,
    RegistryError,
)

MANIFEST_NAME = 'cephkit-manifest.yml'
MANIFEST_HEADER = (
    '# cephkit.cephadm image archive: the images it holds, by cephadm option (written by ceph_image_mirror)\n'
)


def validate(params: dict[str, t.Any]) -> None:
    mode = params['mode']
    if mode in ('save', 'load') and not params.get('archive'):
        raise CephInputError('archive is required with mode=%s: the path of the archive on this host' % mode)
    seen = set()
    for index, image in enumerate(params['images']):
        for key in ('option', 'source'):
            if not str(image.get(key) or '').strip():
                raise CephInputError(
                    'images[%d].%s is empty: expected %s'
                    % (index, key, 'an option name' if key == 'option' else 'an image reference')
                )
        if mode in ('push', 'load') and not str(image.get('target') or '').strip():
            raise CephInputError(
                'images[%d].target is empty with mode=%s: expected the image name in the intranet registry '
                '(the image_set filter gives it when cephkit_image_registry is set)' % (index, mode)
            )
        if image['option'] in seen:
            raise CephInputError('images: the option %s is listed twice' % image['option'])
        seen.add(image['option'])
        if mode in ('push', 'load') and image['target'] == image['source']:
            raise CephInputError(
                'images[%d]: target %s is its source: set the intranet registry (cephkit_image_registry)'
                % (index, image['target'])
            )


# ------------------------------------------------------------------ the archive's manifest
def manifest_text(entries: list[dict[str, str]]) -> str:
    lines = [MANIFEST_HEADER, 'images:\n']
    for e in entries:
        lines.append('  - option: %s\n    source: %s\n    image_id: %s\n' % (e['option'], e['source'], e['image_id']))
    return ''.join(lines)


def parse_manifest(text: str) -> list[dict[str, str]]:
    """The manifest this module writes (a fixed, flat form, read without a YAML library on the host)."""
    entries: list[dict[str, str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith('- option:'):
            entries.append({'option': stripped.split(':', 1)[1].strip()})
        elif entries and ':' in stripped and not stripped.startswith('#'):
            key, _sep, value = stripped.partition(':')
            entries[-1][key.strip()] = value.strip()
    return entries


def read_manifest(path: str) -> list[dict[str, str]] | None:
    """The manifest of the archive at ``path``; None when there is no such archive."""
    if not os.path.exists(path):
        return None
    try:
        with tarfile.open(path, 'r:') as archive:
            member = archive.extractfile(MANIFEST_NAME)
            if member is None:
                raise KeyError(MANIFEST_NAME)
            return parse_manifest(member.read().decode('utf-8'))
    except (KeyError, tarfile.TarError, OSError) as exc:
        raise CephInputError('%s is not an archive written by ceph_image_mirror (mode=save): %s' % (path, exc)) from exc


def append_manifest(path: str, text: str) -> None:
    data = text.encode('utf-8')
    info = tarfile.TarInfo(MANIFEST_NAME)
    info.size = len(data)
    info.mode = 0o644
    with tarfile.open(path, 'a:') as archive:
        archive.addfile(info, io.BytesIO(data))


# ------------------------------------------------------------------ the modes
class Mirror:
    def __init__(self, module: AnsibleModule) -> None:
        self.module = module
        self.params = module.params
        self.check = bool(module.check_mode)
        self.registry = Registry(
            tls_verify=self.params['tls_verify'],
            username=self.params.get('registry_username') or '',
            password=self.params.get('registry_password') or '',
            timeout=min(self.params['timeout'], 60),
        )
        self.store: PodmanImages | None = None
        self.pulled: list[str] = []

    def podman(self) -> PodmanImages:
        if self.store is None:
            self.store = PodmanImages(
                self.module.run_command,
                self.params['podman_socket'],
                self.params.get('storage_root') or '',
                self.params['timeout'],
            )
        return self.store

    def close(self) -> None:
        if self.store is not None:
            self.store.close()

    def source_id(self, source: str) -> str:
        """The local image ID of ``source``, pulled first where needed ('' in check mode when it would be pulled)."""
        have = '' if self.params['pull'] == 'always' else self.podman().local_id(source)
        if have:
            return have
        self.pulled.append(source)
        if self.check:
            return self.podman().local_id(source)
        return self.podman().pull(source, tls_verify=True)

    def in_registry(self, target: str, want_id: str) -> dict[str, str]:
        found = self.registry.manifest(target)
        if found and want_id and found.get('config') == want_id:
            return found
        return {}

    def push_one(self, local: str, target: str, want_id: str) -> str:
        auth = None
        if self.params.get('registry_username'):
            auth = {
                'username': self.params['registry_username'],
                'password': self.params.get('registry_password') or '',
            }
        self.podman().push(local, target, self.params['tls_verify'], auth)
        found = self.registry.manifest(target)
        if found.get('config') != want_id:
            raise RegistryError(
                'pushed %s, but the registry now holds image %s under it, not %s (another push at the same time?)'
                % (target, found.get('config') or 'nothing', want_id),
                image=target,
            )
        return found['digest']

    def run(self) -> dict[str, t.Any]:
        mode = self.params['mode']
        if mode == 'save':
            return self.save()
        if mode == 'push':
            return self.push()
        return self.load()

    def push(self) -> dict[str, t.Any]:
        images = []
        for entry in self.params['images']:
            want = self.source_id(entry['source'])
            there = self.in_registry(entry['target'], want) if want else {}
            row = {'option': entry['option'], 'source': entry['source'], 'target': entry['target'], 'image_id': want}
            if there:
                row.update(digest=there['digest'], pushed=False)
            elif self.check:
                row.update(digest='', pushed=True)
            else:
                row.update(digest=self.push_one(entry['source'], entry['target'], want), pushed=True)
            images.append(row)
        changed = bool(self.pulled) or any(r['pushed'] for r in images)
        return {'changed': changed, 'images': images, 'pulled': self.pulled}

    def save(self) -> dict[str, t.Any]:
        path = self.params['archive']
        images = []
        for entry in self.params['images']:
            images.append(
                {
                    'option': entry['option'],
                    'source': entry['source'],
                    'target': '',
                    'image_id': self.source_id(entry['source']),
                    'digest': '',
                    'pushed': False,
                }
            )
        current = read_manifest(path)
        wanted = [{'option': r['option'], 'source': r['source'], 'image_id': r['image_id']} for r in images]
        same = current is not None and sorted(map(sorted_items, current)) == sorted(map(sorted_items, wanted))
        written = False
        if not same and not self.check:
            tmp = path + '.tmp'
            self.podman().save([r['source'] for r in images], tmp)
            append_manifest(tmp, manifest_text(wanted))
            os.replace(tmp, path)
            written = True
        size = os.path.getsize(path) if os.path.exists(path) else 0
        return {
            'changed': not same or bool(self.pulled),
            'images': images,
            'pulled': self.pulled,
            'archive': {'path': path, 'size': size, 'written': written or (not same and self.check), 'loaded': False},
        }

    def load(self) -> dict[str, t.Any]:
        path = self.params['archive']
        manifest = read_manifest(path)
        if manifest is None:
            raise CephInputError(
                'archive %s does not exist on this host: carry in the archive that mode=save wrote' % path
            )
        by_source = {e.get('source'): e for e in manifest}
        rows = []
        for entry in self.params['images']:
            held = by_source.get(entry['source'])
            if held is None or not held.get('image_id'):
                raise CephInputError(
                    'archive %s lacks %s (the image of %s); it holds %s: save it again with this image set'
                    % (
                        path,
                        entry['source'],
                        entry['option'],
                        ', '.join(sorted(str(s) for s in by_source)) or 'nothing',
                    )
                )
            want = held['image_id']
            there = self.in_registry(entry['target'], want)
            rows.append(
                {
                    'option': entry['option'],
                    'source': entry['source'],
                    'target': entry['target'],
                    'image_id': want,
                    'digest': there.get('digest', ''),
                    'pushed': not there,
                }
            )
        todo = [r for r in rows if r['pushed']]
        loaded = False
        if todo and not self.check:
            self.podman().load(path)
            loaded = True
            for row in todo:
                have = self.podman().local_id(row['source'])
                if have != row['image_id']:
                    raise CephInputError(
                        'after loading %s, podman has %s as %s, but the manifest says %s: the archive is damaged'
                        % (path, row['source'], have or 'nothing', row['image_id'])
                    )
                row['digest'] = self.push_one(row['source'], row['target'], row['image_id'])
        return {
            'changed': bool(todo),
            'images': rows,
            'pulled': [],
            'archive': {'path': path, 'size': os.path.getsize(path), 'written': False, 'loaded': loaded},
        }


def sorted_items(entry: dict[str, str]) -> list[tuple[str, str]]:
    return sorted((k, str(v)) for k, v in entry.items() if k in ('option', 'source', 'image_id'))


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            'mode': {'type': 'str', 'required': True, 'choices': ['push', 'save', 'load']},
            'images': {
                'type': 'list',
                'elements': 'dict',
                'required': True,
                'options': {
                    'option': {'type': 'str', 'required': True},
                    'source': {'type': 'str', 'required': True},
                    'target': {'type': 'str'},
                },
            },
            'archive': {'type': 'path'},
            'tls_verify': {'type': 'bool', 'default': True},
            'registry_username': {'type': 'str'},
            'registry_password': {'type': 'str', 'no_log': True},
            'podman_socket': {'type': 'str', 'default': ''},
            'storage_root': {'type': 'path'},
            'pull': {'type': 'str', 'choices': ['missing', 'always'], 'default': 'missing'},
            'timeout': {'type': 'int', 'default': 600},
        },
        supports_check_mode=True,
    )
    mirror = None
    try:
        validate(module.params)
        if not HAS_PODMAN:
            module.fail_json(msg=missing_required_lib('podman'), exception=PODMAN_IMPORT_ERROR)
        mirror = Mirror(module)
        result = mirror.run()
    except CephError as exc:
        kwargs = exc.fail_kwargs()
        if mirror is not None:
            kwargs.setdefault('pulled', mirror.pulled)
            kwargs['changed'] = bool(mirror.pulled)
        module.fail_json(**kwargs)
    finally:
        if mirror is not None:
            mirror.close()
    module.exit_json(**result)


if __name__ == '__main__':
    main()
