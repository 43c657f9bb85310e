#!/usr/bin/env python3
"""BioProof developer commands. Needs only Python >= 3.11 on the machine.

    python3 dev.py demo   # venv, install, migrate SQLite under var/, load demo data, serve :8000
                          # (and a background-job worker beside the server, stopped with it)
    python3 dev.py test   # venv, install, run the whole test suite (extra args go to pytest)

The virtual environment lives in ``.venv`` (override with ``BIOPROOF_VENV``) and is
reinstalled only when ``pyproject.toml`` changes.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("BIOPROOF_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def _stamp() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv() -> None:
    """Create the virtual environment and install the project with its dev extras."""
    if sys.version_info < (3, 11):  # noqa: UP036 — dev.py runs under whatever python3 is on PATH
        sys.exit(f"BioProof needs Python >= 3.11; this is {sys.version.split()[0]}")
    marker = VENV / ".bioproof-installed"
    if marker.exists() and marker.read_text() == _stamp():
        return
    if not PY.exists():
        print(f"· creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("· installing BioProof and its dependencies", flush=True)
    run([PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([PY, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev]"])
    marker.write_text(_stamp())


def run(cmd: list[object], **kw: object) -> None:
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, check=False, **kw)
    if result.returncode:
        sys.exit(result.returncode)


def demo(args: list[str]) -> None:
    ensure_venv()
    bioproof = [PY, "-m", "bioproof"]
    run([*bioproof, "migrate", "--noinput", "-v", "0"])
    run([*bioproof, "load_demo"])
    addr = args[0] if args else "127.0.0.1:8000"
    # Background jobs (analysis, reports, uploads' parsing, e-mail) run in a worker beside the
    # server; it stops with it.
    # a SIGTERM (service manager, `timeout`) stops the server and the worker too, not only us
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print("· starting the background worker", flush=True)
    worker = subprocess.Popen([str(c) for c in [*bioproof, "worker", "-v", "0"]], cwd=ROOT)
    print(f"· serving on http://{addr}/  (Ctrl-C to stop)", flush=True)
    try:
        result = subprocess.run(
            [str(c) for c in [*bioproof, "runserver", addr, "--noreload"]], cwd=ROOT, check=False
        )
    except KeyboardInterrupt:
        result = subprocess.CompletedProcess([], 0)
    finally:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    if result.returncode:
        sys.exit(result.returncode)


def test(args: list[str]) -> None:
    ensure_venv()
    run([PY, "-m", "pytest", *args])


def main() -> None:
    commands = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: python3 dev.py {{{','.join(commands)}}} [args...]")
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
