"""Every role's argument spec is in step with the inventory interface (tests/roles/specs.py), in `make unit`."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SPECS = Path(__file__).resolve().parents[1] / "roles" / "specs.py"


def test_role_specs_in_step_with_the_interface() -> None:
    spec = importlib.util.spec_from_file_location("cephkit_role_specs", SPECS)
    assert spec is not None and spec.loader is not None
    specs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(specs)
    assert len(specs.roles()) >= 11
    assert specs.check() == [], "run tests/roles/specs.py --write (and declare the dependency where it says so)"
