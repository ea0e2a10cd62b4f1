"""Every role's argument spec is in step with the inventory interface (tests/roles/specs.py), and the bad-inputs
table is generated from the tests (tests/roles/bad_inputs.py), in `make unit`."""

from __future__ import annotations

import importlib.util
import types
from pathlib import Path

ROLES = Path(__file__).resolve().parents[1] / "roles"


def load_script(name: str) -> types.ModuleType:
    """tests/roles/<name>.py, imported as a module."""
    spec = importlib.util.spec_from_file_location("cephkit_%s" % name, ROLES / ("%s.py" % name))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_role_specs_in_step_with_the_interface() -> None:
    specs = load_script("specs")
    assert len(specs.roles()) >= 11
    assert specs.check() == [], "run tests/roles/specs.py --write (and declare the dependency where it says so)"


def test_bad_inputs_table_generated_from_the_tests() -> None:
    bad = load_script("bad_inputs")
    assert len(bad.role_cases()) + len(bad.module_cases()) >= 30
    assert bad.main([]) == 0, "run python tests/roles/bad_inputs.py --write"
