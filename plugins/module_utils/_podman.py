# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one private way to podman's image store and to a registry: the podman Python library over the podman service.

:class:`PodmanImages` talks to the podman service socket of the host (``/run/podman/podman.sock``, systemd's
``podman.socket``), or, where none answers or another image store is asked for, to a podman service it starts for
the length of the module run.  :class:`Registry` reads what a registry holds (the Docker Registry HTTP API V2):
the digest of a tag's manifest and the image ID (config digest) it points at, which does not change when the layers
are recompressed on push, so it proves that the registry holds the very image.

Every failure is a :class:`~._ceph.CephError`, turned into one ``fail_json`` by the module.

Private to the collection (leading underscore): its API may change without notice.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import signal
import tempfile
import time
import typing as t
import urllib.parse

from ansible.module_utils.urls import Request

from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import CephError, CephNotFound
from ansible_collections.cephkit.cephadm.plugins.module_utils._images import split_reference

try:
    import podman
    from podman.errors import APIError, ImageNotFound, PodmanError

    HAS_PODMAN = True
    PODMAN_IMPORT_ERROR = ''
except ImportError as exc:  # pragma: no cover - depends on the host
    HAS_PODMAN = False
    PODMAN_IMPORT_ERROR = str(exc)

DEFAULT_SOCKET = 'unix:///run/podman/podman.sock'
MANIFEST_TYPES = ', '.join(
    [
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.oci.image.manifest.v1+json',
    ]
)


class PodmanServiceError(CephError):
    """The podman service cannot be reached, or it refused a request."""


class RegistryError(CephError):
    """The registry cannot be read, or it holds something else than expected."""


def image_id(value: str) -> str:
    """``sha256:<hex>`` of an image ID given with or without the prefix."""
    return value if value.startswith('sha256:') else 'sha256:' + value


class PodmanImages:
    """The image store of one podman service, through the podman library."""

    def __init__(
        self,
        run_command: t.Callable[..., tuple[int, str, str]],
        socket: str = '',
        storage_root: str = '',
        timeout: int = 600,
    ) -> None:
        if not HAS_PODMAN:
            raise CephNotFound(
                'the podman Python library is needed on the host that runs this module (pip install podman): '
                + PODMAN_IMPORT_ERROR
            )
        self.run_command = run_command
        self.timeout = timeout
        self.pid = 0
        self.tmpdir = ''
        self.storage_root = storage_root
        if storage_root or (not socket and not self._answers(DEFAULT_SOCKET)):
            socket = self._start(storage_root)
        self.socket = socket or DEFAULT_SOCKET
        self.client = podman.PodmanClient(base_url=self.socket, timeout=timeout)
        try:
            self.version = str(self.client.version().get('Version', ''))
        except (APIError, PodmanError, OSError) as exc:
            self.close()
            raise PodmanServiceError(
                'cannot reach the podman service at %s (%s): start it with `systemctl enable --now podman.socket`, '
                'or leave podman_socket empty to let the module start one' % (self.socket, exc)
            ) from exc

    # ---------------------------------------------------------------- the service
    @staticmethod
    def _answers(socket: str) -> bool:
        path = socket[len('unix://') :] if socket.startswith('unix://') else ''
        if not path or not os.path.exists(path):
            return False
        try:
            with podman.PodmanClient(base_url=socket, timeout=5) as client:
                return bool(client.ping())
        except (APIError, PodmanError, OSError):
            return False

    def _start(self, storage_root: str) -> str:
        """A podman service of this module run (on its own store when ``storage_root`` is set), in the background.

        It ends when the module closes it, or on its own after 10 minutes without a request.
        """
        binary = shutil.which('podman')
        if not binary:
            raise CephNotFound('podman is not installed on this host: it holds and pushes the images')
        self.tmpdir = tempfile.mkdtemp(prefix='cephkit-podman-')
        path = os.path.join(self.tmpdir, 'podman.sock')
        log = os.path.join(self.tmpdir, 'service.log')
        argv = [binary]
        if storage_root:
            argv += ['--root', os.path.join(storage_root, 'storage'), '--runroot', os.path.join(self.tmpdir, 'run')]
        argv += ['system', 'service', '--time=600', 'unix://' + path]
        # sh starts it in the background with its output in the log file, so that run_command returns at once
        rc, out, err = self.run_command(['/bin/sh', '-c', '"$@" >"$0" 2>&1 </dev/null & echo $!', log, *argv])
        if rc != 0 or not out.strip().isdigit():
            self.close()
            raise PodmanServiceError('could not start `%s`: %s' % (' '.join(argv), (err or out).strip()))
        self.pid = int(out.strip())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if os.path.exists(path) and self._answers('unix://' + path):
                return 'unix://' + path
            if not self._alive():
                break
            time.sleep(0.2)
        with open(log, encoding='utf-8', errors='replace') as said:
            text = said.read()[-2000:]
        self.close()
        raise PodmanServiceError('could not start `%s`: %s' % (' '.join(argv), text.strip() or 'no answer in 30 s'))

    def _alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except OSError:
            return False
        return True

    def close(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGTERM)
                deadline = time.monotonic() + 15
                while self._alive() and time.monotonic() < deadline:
                    time.sleep(0.1)
                if self._alive():
                    os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
            self.pid = 0
            self._unmount_store()
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = ''

    def _unmount_store(self) -> None:
        """The storage driver mounts below its own store (overlay/ onto itself): undo that once the service is gone."""
        if not self.storage_root:
            return
        root = os.path.realpath(self.storage_root)
        try:
            with open('/proc/self/mounts', encoding='utf-8') as mounts:
                points = [line.split()[1].replace('\\040', ' ') for line in mounts]
        except OSError:
            return
        for point in sorted((p for p in points if p == root or p.startswith(root + '/')), reverse=True):
            self.run_command(['umount', point])

    def __enter__(self) -> PodmanImages:
        return self

    def __exit__(self, *exc_info: t.Any) -> None:
        self.close()

    # ---------------------------------------------------------------- the store
    def local_id(self, ref: str) -> str:
        """The image ID (``sha256:<hex>``) of ``ref`` in the store, or an empty string."""
        try:
            return image_id(str(self.client.images.get(ref).id))
        except ImageNotFound:
            return ''
        except (APIError, PodmanError) as exc:
            raise PodmanServiceError('podman could not inspect %s: %s' % (ref, exc)) from exc

    def pull(self, ref: str, tls_verify: bool = True) -> str:
        """Pull ``ref``; its image ID."""
        name, _sep, digest = ref.partition('@')
        repo, tag = (name, digest) if digest else self._repo_tag(name)
        try:
            self.client.images.pull(repo, tag, tls_verify=tls_verify)
        except (APIError, PodmanError) as exc:
            raise PodmanServiceError('cannot pull %s: %s' % (ref, exc), image=ref) from exc
        found = self.local_id(ref)
        if not found:
            raise PodmanServiceError('podman pulled %s but does not list it' % ref, image=ref)
        return found

    @staticmethod
    def _repo_tag(name: str) -> tuple[str, str]:
        _reg, _path, tag, _digest = split_reference(name)
        return (name[: -(len(tag) + 1)], tag) if tag else (name, 'latest')

    def push(self, local: str, target: str, tls_verify: bool, auth: dict[str, str] | None = None) -> None:
        """Push the local image ``local`` to ``target``; podman's own error when it fails."""
        headers = {}
        if auth:
            headers['X-Registry-Auth'] = base64.urlsafe_b64encode(json.dumps(auth).encode()).decode()
        params = {'destination': target, 'tlsVerify': tls_verify}
        try:
            response = self.client.api.post(
                '/images/%s/push' % urllib.parse.quote_plus(local), params=params, headers=headers, stream=True
            )
            response.raise_for_status()
            for line in response.iter_lines():
                if not line:
                    continue
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if isinstance(event, dict) and event.get('error'):
                    raise PodmanServiceError('cannot push %s to %s: %s' % (local, target, event['error']), image=target)
        except (APIError, PodmanError) as exc:
            raise PodmanServiceError('cannot push %s to %s: %s' % (local, target, exc), image=target) from exc

    def save(self, refs: list[str], path: str) -> None:
        """Write the images ``refs`` (by name, so that their names travel) into one docker-archive at ``path``."""
        params = {'format': 'docker-archive', 'references': refs}
        try:
            response = self.client.api.get('/images/export', params=params, stream=True)
            response.raise_for_status()
            with open(path, 'wb') as out:
                for chunk in response.iter_content(chunk_size=1 << 20):
                    out.write(chunk)
        except (APIError, PodmanError) as exc:
            raise PodmanServiceError('podman could not save %s: %s' % (', '.join(refs), exc)) from exc

    def load(self, path: str) -> list[str]:
        """Load the docker-archive at ``path`` (streamed, not read into memory); the names podman loaded."""
        try:
            with open(path, 'rb') as archive:
                response = self.client.api.post(
                    '/images/load', data=archive, headers={'Content-type': 'application/x-tar'}
                )
            response.raise_for_status()
            body = response.json()
        except (APIError, PodmanError, ValueError) as exc:
            raise PodmanServiceError('podman could not load %s: %s' % (path, exc)) from exc
        return [str(n) for n in body.get('Names', [])] if isinstance(body, dict) else []


class Registry:
    """Read access to the registries of image references (Docker Registry HTTP API V2), basic auth or none."""

    def __init__(self, tls_verify: bool = True, username: str = '', password: str = '', timeout: int = 30) -> None:
        self.tls_verify = tls_verify
        self.username = username
        self.password = password
        self.timeout = timeout

    def manifest(self, ref: str) -> dict[str, str]:
        """``{digest, config}`` of the manifest ``ref`` names, or ``{}`` when the registry does not have it."""
        registry, path, tag, digest = split_reference(ref)
        reference = digest or tag or 'latest'
        schemes = ['https'] if self.tls_verify else ['http', 'https']
        last: Exception | None = None
        for scheme in schemes:
            url = '%s://%s/v2/%s/manifests/%s' % (scheme, registry, path, reference)
            request = Request(
                headers={'Accept': MANIFEST_TYPES},
                validate_certs=self.tls_verify,
                url_username=self.username or None,
                url_password=self.password or None,
                force_basic_auth=bool(self.username),
                timeout=self.timeout,
            )
            try:
                response = request.open('GET', url)
                raw = response.read()
                body = json.loads(raw)
                found = response.headers.get('Docker-Content-Digest', '') or 'sha256:' + hashlib.sha256(raw).hexdigest()
                config = body.get('config', {}).get('digest', '') if isinstance(body, dict) else ''
                return {'digest': str(found), 'config': str(config)}
            except Exception as exc:
                code = getattr(exc, 'code', None)
                if code == 404:
                    return {}
                if code in (401, 403):
                    raise RegistryError(
                        'registry %s refused to show %s (HTTP %s): give registry_username and registry_password'
                        % (registry, ref, code),
                        image=ref,
                    ) from exc
                last = exc
        raise RegistryError('cannot read %s from registry %s: %s' % (ref, registry, last), image=ref)
