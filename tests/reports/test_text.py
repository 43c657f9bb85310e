"""Text helpers of the PDF: font runs, number and time formatting."""

from __future__ import annotations

import datetime as dt

import pytest

from bioproof.reports.text import (
    BODY,
    FALLBACK,
    MONO,
    font_files,
    font_runs,
    format_number,
    format_seoul,
    korean_font_path,
    mono,
    rich,
    string_width,
)


def test_fonts_are_the_shipped_truetype_files() -> None:
    files = font_files()
    assert korean_font_path().name == "NanumGothic.ttf"
    assert korean_font_path().parent.parent.name == "koreanize_matplotlib"
    for path in files.values():
        assert path.is_file(), path
        assert path.read_bytes()[:4] in (b"\x00\x01\x00\x00", b"true")  # TrueType outlines


def test_font_runs_use_nanum_and_fall_back_to_dejavu() -> None:
    # NanumGothic prints Hangul, Latin, Greek and ≥; it lacks the minus sign and superscript 6
    assert font_runs("최종 역가 Δ = 0.12 g/L ≥ α") == [("body", "최종 역가 Δ = 0.12 g/L ≥ α")]
    assert font_runs("[−0.05, 10⁶]") == [
        ("body", "["),
        ("fallback", "−"),
        ("body", "0.05, 10"),
        ("fallback", "⁶"),
        ("body", "]"),
    ]
    assert font_runs("") == []


def test_rich_escapes_markup_and_marks_fallback_runs() -> None:
    assert rich("a < b & 검토") == "a &lt; b &amp; 검토"
    assert rich("−1") == f'<font face="{FALLBACK}">−</font>1'


def test_mono_only_for_ascii() -> None:
    assert mono("ab12") == f'<font face="{MONO}">ab12</font>'
    assert mono("가나") == "가나"


def test_string_width_is_positive_and_grows() -> None:
    assert 0 < string_width("검토", 10) < string_width("검토 완료", 10)
    assert BODY == "NanumGothic"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (float("nan"), "—"),
        (0, "0"),
        (0.52449, "0.5245"),
        (31.7166, "31.72"),
        (25.0, "25"),
        (12345.6, "12,346"),
        (1.9403e7, "1.94×10<super>7</super>"),
        (1.4751e8, "1.475×10<super>8</super>"),
        (-2.5e-5, "-2.5×10<super>-5</super>"),
        ("n/a", "n/a"),
    ],
)
def test_format_number(value: object, text: str) -> None:
    assert format_number(value) == text


def test_format_seoul() -> None:
    utc = dt.datetime(2026, 3, 12, 5, 5, 9, tzinfo=dt.UTC)
    assert format_seoul(utc) == "2026-03-12 14:05:09 KST (UTC+09:00)"
    assert format_seoul(utc.replace(tzinfo=None)) == "2026-03-12 14:05:09 KST (UTC+09:00)"
    new_york = dt.timezone(dt.timedelta(hours=-5))
    assert format_seoul(dt.datetime(2026, 1, 1, 10, tzinfo=new_york)).startswith(
        "2026-01-02 00:00:00 KST"
    )
