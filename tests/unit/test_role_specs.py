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


BAD_INPUTS = Path(__file__).resolve().parents[1] / "roles" / "bad_inputs.py"


def test_bad_inputs_table_generated_from_the_tests() -> None:
    spec = importlib.util.spec_from_file_location("cephkit_bad_inputs", BAD_INPUTS)
    assert spec is not None and spec.loader is not None
    bad = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bad)
    assert len(bad.role_cases()) + len(bad.module_cases()) >= 30
    assert bad.main([]) == 0, "run python tests/roles/bad_inputs.py --write"
