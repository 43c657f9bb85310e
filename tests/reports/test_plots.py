"""Plots: PNG/SVG output, the reference envelope, thread safety."""

from __future__ import annotations

import struct
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from bioproof.reports.data import RunSeries
from bioproof.reports.plots import (
    growth_and_titer_png,
    reference_envelope,
    run_points,
    time_course_png,
    time_course_svg,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_MAGIC
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def ref(label: str, time_h: list[float], vcd: list[float | None], **kw: object) -> RunSeries:
    return RunSeries(label, "reference", time_h, vcd, titer=[0.0] * len(time_h), **kw)


# -- reference envelope -----------------------------------------------------------------------


def test_envelope_of_two_reference_runs_at_known_times() -> None:
    rising = ref("R-1", [0, 24, 48], [0.0, 2e6, 4e6])  # 0, 2, 4 × 10^6 on days 0, 1, 2
    flat = ref("R-2", [0, 24, 48], [2e6, 2e6, 2e6])
    lo, mean, hi = reference_envelope([rising, flat], [0.0, 0.5, 1.0, 1.5, 2.0])
    np.testing.assert_allclose(lo, [0, 1e6, 2e6, 2e6, 2e6])
    np.testing.assert_allclose(hi, [2e6, 2e6, 2e6, 3e6, 4e6])
    np.testing.assert_allclose(mean, [1e6, 1.5e6, 2e6, 2.5e6, 3e6])


def test_envelope_ignores_candidates_and_reads_the_requested_variable() -> None:
    r1 = RunSeries("R-1", "reference", [0, 24], [1e6, 1e6], titer=[0.0, 1.0])
    r2 = RunSeries("R-2", "reference", [0, 24], [1e6, 1e6], titer=[0.0, 3.0])
    cand = RunSeries("C-1", "candidate", [0, 24], [9e9, 9e9], titer=[9.0, 9.0])
    lo, mean, hi = reference_envelope([r1, cand, r2], np.array([1.0]), variable="titer")
    assert (lo[0], mean[0], hi[0]) == (1.0, 2.0, 3.0)


def test_envelope_counts_a_run_only_inside_its_own_time_span() -> None:
    long = ref("R-1", [0, 48], [1e6, 3e6])
    short = ref("R-2", [0, 24], [5e6, 5e6])
    lo, mean, hi = reference_envelope([long, short], [1.0, 1.5, 3.0])
    np.testing.assert_allclose(lo[:2], [2e6, 2.5e6])
    np.testing.assert_allclose(hi[:2], [5e6, 2.5e6])  # day 1.5: only the long run
    np.testing.assert_allclose(mean[:2], [3.5e6, 2.5e6])
    assert np.isnan([lo[2], mean[2], hi[2]]).all()  # day 3: no run


def test_envelope_skips_missing_values_and_unsorted_times() -> None:
    run = ref("R-1", [48, 0, 24, 36], [4e6, 0.0, None, float("nan")])
    lo, _, hi = reference_envelope([run], [1.0])
    assert lo[0] == hi[0] == pytest.approx(2e6)


def test_envelope_without_reference_runs_is_nan() -> None:
    cand = RunSeries("C-1", "candidate", [0, 24], [1e6, 2e6], [0, 1])
    lo, mean, hi = reference_envelope([cand], [0.0, 1.0])
    assert lo.shape == mean.shape == hi.shape == (2,)
    assert np.isnan(np.concatenate([lo, mean, hi])).all()


def test_envelope_of_sample_runs_lies_between_them(runs: tuple[RunSeries, ...]) -> None:
    refs = [r for r in runs if r.arm == "reference"]
    days = np.asarray(refs[0].time_h) / 24
    lo, mean, hi = reference_envelope(runs, days)
    a, b = (np.asarray(r.vcd) for r in refs)
    np.testing.assert_allclose(lo, np.minimum(a, b))
    np.testing.assert_allclose(hi, np.maximum(a, b))
    np.testing.assert_allclose(mean, (a + b) / 2)


def test_run_points_rejects_length_mismatch_and_handles_missing_viability() -> None:
    bad = RunSeries("C-9", "candidate", [0, 24, 48], [1e6, 2e6], [0, 1, 2])
    with pytest.raises(ValueError, match=r"C-9.*3 time points but 2 vcd"):
        run_points(bad, "vcd")
    t, y = run_points(RunSeries("C-1", "candidate", [0, 24], [1e6, 2e6], [0, 1]), "viability")
    assert t.size == y.size == 0


def test_unknown_variable_is_refused(runs: tuple[RunSeries, ...]) -> None:
    with pytest.raises(ValueError, match="unknown variable 'glucose'"):
        time_course_png(runs, variable="glucose")
    with pytest.raises(ValueError, match="unknown variable"):
        reference_envelope(runs, [0.0], variable="ph")


# -- images -----------------------------------------------------------------------------------


@pytest.mark.parametrize("variable", ["vcd", "titer", "viability"])
@pytest.mark.parametrize("language", ["ko", "en"])
def test_time_course_png(runs: tuple[RunSeries, ...], variable: str, language: str) -> None:
    png = time_course_png(runs, variable=variable, language=language, width_px=640, dpi=80)
    assert png_size(png) == (640, 384)
    assert 5_000 < len(png) < 500_000


def test_time_course_png_is_deterministic(runs: tuple[RunSeries, ...]) -> None:
    assert time_course_png(runs, variable="vcd") == time_course_png(runs, variable="vcd")


def test_time_course_svg(runs: tuple[RunSeries, ...]) -> None:
    svg = time_course_svg(runs, variable="titer", language="en")
    assert isinstance(svg, str)
    assert "<svg" in svg
    assert svg.rstrip().endswith("</svg>")


def test_growth_and_titer_png(runs: tuple[RunSeries, ...]) -> None:
    png = growth_and_titer_png(runs, "ko", width_px=1200, dpi=150)
    width, height = png_size(png)
    assert width == 1200
    assert 400 < height < 600
    assert len(png) > 20_000


def test_plots_without_data_still_render() -> None:
    assert png_size(time_course_png([], variable="vcd"))[0] == 800
    assert png_size(growth_and_titer_png([]))[0] > 0
    no_viability = [RunSeries("C-1", "candidate", [0, 24], [1e6, 2e6], [0, 1])]
    assert time_course_png(no_viability, variable="viability").startswith(PNG_MAGIC)


def test_bad_size_is_refused(runs: tuple[RunSeries, ...]) -> None:
    with pytest.raises(ValueError, match="positive"):
        time_course_png(runs, variable="vcd", width_px=0)


def test_plots_are_thread_safe(runs: tuple[RunSeries, ...]) -> None:
    jobs = [("vcd", "ko"), ("titer", "en"), ("viability", "ko"), ("vcd", "en")] * 3
    serial = [time_course_png(runs, variable=v, language=lang) for v, lang in jobs]
    with ThreadPoolExecutor(max_workers=6) as pool:
        parallel = list(
            pool.map(lambda job: time_course_png(runs, variable=job[0], language=job[1]), jobs)
        )
    assert parallel == serial
