"""Running commands: argv lists only, output captured, failures explained."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

VERBOSE = os.environ.get("LAB_VERBOSE", "") not in ("", "0")


class LabError(RuntimeError):
    """A lab step failed; the message says which and why."""


def log(msg: str) -> None:
    sys.stderr.write(f"[lab {time.strftime('%H:%M:%S')}] {msg}\n")
    sys.stderr.flush()


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    check: bool = True,
    input_data: str | bytes | None = None,
    env: dict[str, str] | None = None,
    timeout: float | None = 1800,
    quiet: bool = False,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv``; raise LabError with its stderr when it fails and ``check``."""
    args = [os.fspath(a) for a in argv]
    if VERBOSE and not quiet:
        log("$ " + " ".join(args))
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    data = input_data.decode() if isinstance(input_data, bytes) else input_data
    try:
        proc = subprocess.run(
            args,
            input=data,
            capture_output=True,
            text=True,
            env=full_env,
            cwd=cwd,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise LabError(f"{args[0]}: not installed ({exc})") from exc
    except subprocess.TimeoutExpired as exc:
        raise LabError(f"timed out after {timeout}s: {' '.join(args)}") from exc
    if check and proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip()[-3000:]
        raise LabError(f"failed (rc={proc.returncode}): {' '.join(args)}\n{tail}")
    return proc


class Podman:
    """The podman CLI with the lab's containers.conf."""

    def __init__(self, containers_conf: Path) -> None:
        self.env = {"CONTAINERS_CONF": str(containers_conf)}

    def __call__(self, *args: str | os.PathLike[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        env.update(kwargs.pop("env", None) or {})
        return run(["podman", *args], env=env, **kwargs)

    def json(self, *args: str) -> Any:
        out = self(*args, quiet=True).stdout
        return json.loads(out) if out.strip() else []

    def exists(self, kind: str, name: str) -> bool:
        return self(kind, "exists", name, check=False, quiet=True).returncode == 0

    def image_label(self, image: str, label: str) -> str | None:
        if not self.exists("image", image):
            return None
        data = self.json("image", "inspect", image)
        labels = (data[0].get("Labels") or {}) if data else {}
        value = labels.get(label)
        return str(value) if value is not None else None

    def sh(self, container: str, script: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        """Run a fixed lab script (never user input) in a container."""
        return self("exec", container, "/bin/sh", "-ec", script, **kwargs)


def wait_for(what: str, probe: Any, timeout: float = 120, interval: float = 0.5) -> Any:
    """Poll ``probe`` until it returns something true; return that."""
    deadline = time.monotonic() + timeout
    last_exc: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = probe()
        except (LabError, OSError) as exc:
            last_exc = exc
            result = None
        if result:
            return result
        time.sleep(interval)
    raise LabError(f"timed out after {timeout}s waiting for {what}" + (f": {last_exc}" if last_exc else ""))
