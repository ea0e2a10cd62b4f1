# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Print, as JSON, the Ceph release a cephadm file was made for, read from its
own source: DEFAULT_IMAGE_RELEASE and DEFAULT_IMAGE.  Reads the single-file
script (Pacific, Quincy) and the zipapp (Reef and later) alike, without
running cephadm (`cephadm version` starts a container in Pacific)."""

from __future__ import annotations

import json
import re
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


def main():
    found = {}
    for text in sources(sys.argv[1]):
        for key in ('DEFAULT_IMAGE_RELEASE', 'DEFAULT_IMAGE'):
            match = re.search(r'^%s\s*=\s*[\'"]([^\'"]+)[\'"]' % key, text, re.MULTILINE)
            if match and key not in found:
                found[key] = match.group(1)
    print(json.dumps({'release': found.get('DEFAULT_IMAGE_RELEASE', ''), 'image': found.get('DEFAULT_IMAGE', '')}))


if __name__ == '__main__':
    main()
