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
