#!/usr/bin/env python3
"""BioProof developer commands. Needs only Python >= 3.11 on the machine.

    python3 dev.py demo   # venv, install, migrate SQLite under var/, load the demo accounts,
                          # serve :8000; a background-job worker beside the server (stopped
                          # with it) loads the rest of the demo data
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
import threading
import time
import urllib.request
import venv
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("BIOPROOF_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
#: Every page carries it while the worker is still loading the demo (core/base.html).
LOADING_MARK = b'id="demo-loading"'


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


def _announce_first_page(url: str, started: float, then: Callable[[], None]) -> None:
    """Wait for the server's first page, print the time since ``dev.py`` started (issue 13
    asks for it), then call ``then`` (starts the worker: it does not compete with start-up),
    then wait until the pages no longer say the demo data are loading and print that time."""
    deadline = time.monotonic() + 600
    page = b""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                page = response.read()
            print(
                f"· first page served {time.monotonic() - started:.1f} s after start ({url})",
                flush=True,
            )
            break
        except (OSError, ValueError):
            time.sleep(0.05)
    then()
    # the worker loads the rest of the demo (load_demo --background); every page says so
    while LOADING_MARK in page and time.monotonic() < deadline:
        time.sleep(0.5)
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                page = response.read()
        except (OSError, ValueError):
            continue
        if LOADING_MARK not in page:
            print(
                f"· demo data complete {time.monotonic() - started:.1f} s after start",
                flush=True,
            )


def demo(args: list[str]) -> None:
    started = time.monotonic()
    ensure_venv()
    bioproof = [PY, "-m", "bioproof"]
    addr = args[0] if args else "127.0.0.1:8000"
    # Background jobs (analysis, reports, uploads' parsing, e-mail) run in a worker beside the
    # server; it stops with it.
    # a SIGTERM (service manager, `timeout`) stops the server and the worker too, not only us
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workers: list[subprocess.Popen[bytes]] = []
    lock = threading.Lock()
    stopping = threading.Event()

    def start_worker() -> None:
        with lock:
            if stopping.is_set():
                return
            print("· starting the background worker", flush=True)
            workers.append(
                subprocess.Popen([str(c) for c in [*bioproof, "worker", "-v", "0"]], cwd=ROOT)
            )

    print(f"· loading the demo, then serving on http://{addr}/  (Ctrl-C to stop)", flush=True)
    threading.Thread(
        target=_announce_first_page,
        args=(f"http://{addr}/", started, start_worker),
        daemon=True,
    ).start()
    try:
        # migrate, load the accounts and serve in one process (one Django start-up; a new
        # SQLite database starts from the schema snapshot); the worker loads the rest of the
        # demo part by part, then rebuilds the search index
        command = [*bioproof, "load_demo", "--migrate", "--background", "--serve", addr]
        result = subprocess.run(
            [str(c) for c in command],
            cwd=ROOT,
            check=False,
        )
    except KeyboardInterrupt:
        result = subprocess.CompletedProcess([], 0)
    finally:
        with lock:
            stopping.set()
        for worker in workers:
            _stop(worker)
    if result.returncode:
        sys.exit(result.returncode)


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


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
