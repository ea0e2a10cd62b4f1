"""Pre-seed ansible-test's get-pip cache with the offline stand-in.

Run with the Python of the venv that holds ansible-test::

    .venv/bin/python hack/seed_get_pip.py

It asks ansible-test which pip version it bootstraps for this interpreter and
writes hack/get_pip_standin.py to the cache path ansible-test reads
(~/.ansible/test/cache/get_pip_<version>.py).  A cached file that is not ours
(a real get-pip downloaded earlier) is left alone.
"""

from __future__ import annotations

import os
import pathlib
import re
import sys
import types

HERE = pathlib.Path(__file__).resolve().parent
STANDIN = HERE / 'get_pip_standin.py'
MARKER = 'cephkit-get-pip-standin'


def bootstrap_pip_version() -> str:
    """Return the pip version ansible-test bootstraps for this interpreter."""
    # pylint: disable-next=import-outside-toplevel
    from ansible_test._internal import python_requirements

    python = types.SimpleNamespace(version='%d.%d' % sys.version_info[:2])
    try:
        return str(python_requirements.get_venv_packages(python)['pip'])
    except (AttributeError, KeyError, TypeError):
        # fall back to reading the default out of the source
        source = pathlib.Path(python_requirements.__file__).read_text(encoding='utf-8')
        match = re.search(r"""\bpip=['"]([0-9.]+)['"]""", source)
        if not match:
            raise SystemExit('seed-get-pip: cannot find the pip version ansible-test bootstraps') from None
        return match.group(1)


def main() -> None:
    """Write the stand-in to ansible-test's cache path."""
    version = bootstrap_pip_version()
    cache = pathlib.Path(os.path.expanduser('~/.ansible/test/cache'))
    target = cache / ('get_pip_%s.py' % version.replace('.', '_'))
    content = STANDIN.read_text(encoding='utf-8')

    if target.exists():
        current = target.read_text(encoding='utf-8', errors='replace')
        if current == content:
            print('seed-get-pip: %s is current' % target)
            return
        if MARKER not in current:
            print('seed-get-pip: %s exists and is not ours, leaving it' % target)
            return

    cache.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix('.tmp')
    tmp.write_text(content, encoding='utf-8')
    tmp.replace(target)
    print('seed-get-pip: wrote offline get-pip stand-in for pip %s to %s' % (version, target))


if __name__ == '__main__':
    main()
