"""The lab smoke tests: a real lab instance, brought up once for the session.

They run as root on the machine that hosts the lab (``make lab-test``), with
their own instance (LAB_NAME, default ``cephkit-ci``) so that a developer's
lab is never touched.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))

from cephkit_lab.config import LabConfig
from cephkit_lab.lab import Lab


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    os.environ.setdefault("LAB_NAME", "cephkit-ci")
    os.environ.setdefault("LAB_SUBNET", "10.89.79.0/24")
    instance = Lab(LabConfig.from_env())
    instance.up()
    yield instance
    instance.down()
