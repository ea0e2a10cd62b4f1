"""Offline stand-in for the get-pip bootstrap script that ansible-test downloads.

ansible-test creates each sanity test's virtual environment without pip and
then bootstraps pip with a get-pip script fetched from a host that is not
reachable here.  It first looks for the script in its cache
(~/.ansible/test/cache/get_pip_<version>.py) and hack/seed_get_pip.py copies
this file there.  ansible-test runs it through its quiet_pip.py wrapper as::

    python quiet_pip.py --disable-pip-version-check pip==X.Y [--no-setuptools] [--no-wheel]

This stand-in does what get-pip would: it installs pip with the interpreter's
bundled ensurepip, then installs the requested packages (pip==X.Y and, unless
told not to, setuptools and wheel) from the configured package index.
"""

from __future__ import annotations

import re
import subprocess
import sys

# Marker that lets hack/seed_get_pip.py recognise (and refresh) its own copies.
STANDIN_MARKER = 'cephkit-get-pip-standin'


def run(*args: str, quiet: bool = False) -> None:
    """Run a command with the current interpreter and fail on error."""
    subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL if quiet else None)


def installed(distribution: str) -> bool:
    """Return True if the distribution is installed in the current environment."""
    probe = [sys.executable, '-m', 'pip', 'show', '--quiet', distribution]
    return subprocess.run(probe, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def requested(name: str, packages: list[str]) -> bool:
    """Return True if a requirement for the named distribution is in packages."""
    return any(re.split(r'[<>=!~\[;@ ]', pkg, maxsplit=1)[0].lower() == name for pkg in packages)


def main() -> None:
    """Bootstrap pip into the running interpreter's environment."""
    argv = sys.argv[1:]
    flags = [arg for arg in argv if arg.startswith('-')]
    packages = [arg for arg in argv if not arg.startswith('-')]

    no_setuptools = '--no-setuptools' in flags
    no_wheel = '--no-wheel' in flags
    pip_options = [flag for flag in flags if flag not in ('--no-setuptools', '--no-wheel')]

    run('-m', 'ensurepip', '--upgrade', '--default-pip', quiet=True)

    # ensurepip of Python < 3.12 also installs setuptools; get-pip would not.
    if no_setuptools and installed('setuptools'):
        run('-m', 'pip', 'uninstall', '--yes', '--quiet', *pip_options, 'setuptools')
    elif not no_setuptools and not requested('setuptools', packages):
        packages.append('setuptools')

    if not no_wheel and not requested('wheel', packages):
        packages.append('wheel')

    if packages:
        run('-m', 'pip', 'install', '--quiet', *pip_options, *packages)


if __name__ == '__main__':
    main()
