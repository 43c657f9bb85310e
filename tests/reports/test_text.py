"""Text helpers of the PDF: font runs, number and time formatting."""

from __future__ import annotations

import datetime as dt

import pytest

from bioproof.reports.text import (
    CID_FONT,
    font_runs,
    format_number,
    format_seoul,
    mono,
    rich,
)


def test_font_runs_split_latin_symbol_and_hangul() -> None:
    assert font_runs("최종 역가 Δ = 0.12 g/L") == [
        ("cid", "최종"),
        ("latin", " "),
        ("cid", "역가"),
        ("latin", " "),
        ("symbol", "Δ"),
        ("latin", " = 0.12 g/L"),
    ]
    assert font_runs("") == []


def test_minus_sign_becomes_en_dash() -> None:
    assert font_runs("[−0.05, 0.29]") == [("latin", "[–0.05, 0.29]")]


def test_rich_escapes_markup_and_wraps_hangul() -> None:
    assert rich("a < b & 검토") == f'a &lt; b &amp; <font face="{CID_FONT}">검토</font>'
    assert rich("α") == '<font face="Symbol">α</font>'


def test_mono_only_for_ascii() -> None:
    assert mono("ab12") == '<font face="Courier">ab12</font>'
    assert CID_FONT in mono("가나")


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
