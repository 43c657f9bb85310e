"""The web worker's boot loads what views would otherwise import in their first requests."""

from __future__ import annotations

import sys

import pytest

from bioproof.core import warmup


@pytest.mark.slow
def test_warm_loads_analysis_templates_and_the_analyzer() -> None:
    seconds = warmup.warm()
    assert seconds > 0
    assert "bioproof.analysis.bioreactor" in sys.modules
    assert "scipy.stats" in sys.modules
    assert len(warmup._templates()) > 100
    from bioproof.search import text

    assert text._kiwi is not None


def test_warm_up_is_on_unless_turned_off(monkeypatch) -> None:
    monkeypatch.delenv("BIOPROOF_WARM_UP", raising=False)
    assert warmup.enabled()
    for off in ("false", "0", "No "):
        monkeypatch.setenv("BIOPROOF_WARM_UP", off)
        assert not warmup.enabled()
    monkeypatch.setenv("BIOPROOF_WARM_UP", "true")
    assert warmup.enabled()


@pytest.mark.django_db
def test_the_demo_server_does_not_wait_for_the_warm_up(monkeypatch) -> None:
    """The demo's first page comes before a production worker's boot warm-up (~4 s)."""
    import os

    from django.core import management

    from bioproof import demo

    monkeypatch.delenv("BIOPROOF_WARM_UP", raising=False)
    seen: list[tuple[str, str | None]] = []
    real = management.call_command

    def call_command(name: str, *args, **kwargs):
        if name == "runserver":
            seen.append((name, os.environ.get("BIOPROOF_WARM_UP")))
            return None
        return real(name, *args, **kwargs)

    monkeypatch.setattr(management, "call_command", call_command)
    monkeypatch.setattr(demo, "load", lambda **kw: demo.DemoSummary(created=False, users=[]))
    try:
        real("load_demo", serve="127.0.0.1:0")
    finally:
        os.environ.pop("BIOPROOF_WARM_UP", None)
    assert seen == [("runserver", "false")]
