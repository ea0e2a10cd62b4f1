# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Print, as JSON, whether a cephadm file is there and the Ceph release it was
made for, read from its own source: DEFAULT_IMAGE_RELEASE and DEFAULT_IMAGE.
Reads the single-file script (Pacific, Quincy) and the zipapp (Reef and later)
alike, without running cephadm (`cephadm version` starts a container in
Pacific).  Given a package name too, also the version of that package
(dpkg-query or rpm: the one package, not every package of the host).

    cephadm_release.py PATH [PACKAGE]"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile


def sources(path):
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith('.py'):
                    yield archive.read(name).decode('utf-8', 'replace')
    else:
        with open(path, encoding='utf-8', errors='replace') as handle:
            yield handle.read()


def package_version(package):
    """The installed version of ``package``, '' when it is not installed."""
    for tool, argv in (
        ('dpkg-query', ['dpkg-query', '--show', '--showformat=${Version}', package]),
        ('rpm', ['rpm', '--query', '--queryformat=%{VERSION}', package]),
    ):
        if shutil.which(tool):
            res = subprocess.run(argv, capture_output=True, text=True, env=dict(os.environ, LC_ALL='C'), check=False)
            return res.stdout.strip() if res.returncode == 0 else ''
    return ''


def main():
    path = sys.argv[1]
    found = {}
    exists = os.path.isfile(path)
    for text in sources(path) if exists else []:
        for key in ('DEFAULT_IMAGE_RELEASE', 'DEFAULT_IMAGE'):
            match = re.search(r'^%s\s*=\s*[\'"]([^\'"]+)[\'"]' % key, text, re.MULTILINE)
            if match and key not in found:
                found[key] = match.group(1)
    print(
        json.dumps(
            {
                'exists': exists,
                'release': found.get('DEFAULT_IMAGE_RELEASE', ''),
                'image': found.get('DEFAULT_IMAGE', ''),
                'package_version': package_version(sys.argv[2]) if exists and len(sys.argv) > 2 else '',
            }
        )
    )


if __name__ == '__main__':
    main()
