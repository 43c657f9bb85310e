"""Property-based fuzzing of every data layout's reader (issue 11, point 6).

Valid files are built per layout (CSV from the layout's worked example, XLSX = the layout's
downloadable template), then mutated: truncated, bytes inserted, units swapped for hostile or
odd ones, cells set to huge, non-finite or odd values, NUL bytes, line endings changed,
re-encoded, rows multiplied, and for XLSX the worksheet XML, shared strings and the zip's
declared sizes rewritten. Every case must end in a frame or a DomainError with a message —
no other exception, no process abort — within a bounded time. The default profile runs a few
thousand cases in well under a minute; the ``slow`` one runs many more with random seeds.
"""

from __future__ import annotations

import io
import math
import os
import re
import struct
import time
import zipfile
import zlib
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bioproof.core.errors import DomainError
from bioproof.evaluations import layouts, results

LAYOUTS = sorted(layouts.all_layouts())
SECONDS_PER_FILE = 5.0  # warm cases take < 0.5 s; loose for a busy 2-core CI; bombs took minutes

NASTY_UNITS = [
    "9**9**9 s",
    "__import__('os')",
    "10**1000 h",
    "1e400 h",
    "1e-400 h",
    "°F",
    "K",
    "degC",
    "x10E6 cells/mL",
    "×10⁶ cells/mL",
    "10e6 cells/mL",
    "mg/mL",
    "mmol/(L·h)",
    "",
    " ",
    "h^99",
    "((((h))))",
    "h" * 100,
    "1/0",
    "0 h",
    "-1 h",
    "nan h",
    "inf h",
    "%",
    "µL",
    "m²",
    "EU/mL",
    "a.u.",
    "[",
    "]]",
    "{h}",
    "h; import os",
]
NASTY_VALUES = [
    "1e400",
    "-1e400",
    "1e308",
    "-1e308",
    "1e-400",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "-0",
    "−0.3",
    "1,5",
    "",
    " ",
    "9" * 400,
    "0x10",
    "1_000",
    "True",
    "#DIV/0!",
    "=1+1",
    "<0.5",
    "5 mg/mL",
    "10e6 cells/mL",
    "1.2 x10E6 cells/mL",
    "≤ 5",
    "conforms",
    '"',
    "9" * 70_000,
]
CHUNKS = [
    b"\x00",
    b"\r",
    b"\r\n",
    b"\n\n\n",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b'"',
    b",,,,,,,,",
    b";",
    b"\t",
    b"\xe2\x88\x92",
    b"\x80",
    b"1e400",
    b"<",
    b"&",
]


# ---------------------------------------------------------------- valid files per layout
@cache
def _valid_csv(key: str) -> bytes:
    layout = layouts.get(key)
    n = max(len(example) for _h, example in layout.columns)
    lines = [",".join(h for h, _e in layout.columns)]
    for i in range(n):
        lines.append(",".join(str(e[i]) if i < len(e) else "" for _h, e in layout.columns))
    return ("\n".join(lines) + "\n").encode()


@cache
def _valid_xlsx(key: str) -> bytes:
    return layouts.excel_template(layouts.get(key))


@cache
def _valid_xlsx_shared(key: str) -> bytes:
    """The template with its text in a shared-strings part, as Excel itself writes it."""
    strings: list[bytes] = []

    def share(m: re.Match[bytes]) -> bytes:
        strings.append(m[1])
        return b't="s"><v>%d</v>' % (len(strings) - 1)

    def edit(name: str, content: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            return re.sub(rb't="inlineStr"><is><t>([^<]*)</t></is>', share, content)
        if name == "xl/_rels/workbook.xml.rels":
            return content.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.'
                b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
                b"</Relationships>",
            )
        if name == "[Content_Types].xml":
            return content.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        return content

    data = _rewrite(_valid_xlsx(key), edit)
    sst = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" ' % (
        len(strings)
    )
    sst += b'uniqueCount="%d">' % len(strings)
    sst += b"".join(b"<si><t>%s</t></si>" % t for t in strings) + b"</sst>"
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", sst)
    return out.getvalue()


@pytest.fixture(scope="module", autouse=True)
def _warm_up() -> None:
    """Import calamine and build pint's registry before any case is timed."""
    for key in LAYOUTS:
        layouts.get(key).parse(_valid_csv(key), "a.csv")
        layouts.get(key).parse(_valid_xlsx(key), "a.xlsx")


def test_the_valid_files_are_read() -> None:
    for key in LAYOUTS:
        layout = layouts.get(key)
        csv_frame = layout.parse(_valid_csv(key), "a.csv")
        for data in (_valid_xlsx(key), _valid_xlsx_shared(key)):
            frame = layout.parse(data, "a.xlsx")
            assert frame.equals(csv_frame), key


# ---------------------------------------------------------------- mutations
def _text_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    kind = draw(
        st.sampled_from(
            [
                "truncate",
                "insert",
                "unit",
                "cell",
                "newline",
                "encode",
                "repeat",
                "random_cell",
            ]
        )
    )
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if kind == "insert":
        pos = draw(st.integers(0, len(data)))
        chunk = draw(st.one_of(st.sampled_from(CHUNKS), st.binary(max_size=12)))
        return data[:pos] + chunk + data[pos:]
    text = data.decode("utf-8", "replace")
    lines = text.split("\n")
    if kind == "unit":
        units = list(re.finditer(r"\[([^\]]*)\]", lines[0]))
        if not units:
            return data
        m = draw(st.sampled_from(units))
        new = draw(st.one_of(st.sampled_from(NASTY_UNITS), st.text(max_size=20)))
        lines[0] = lines[0][: m.start(1)] + new + lines[0][m.end(1) :]
        return "\n".join(lines).encode("utf-8", "surrogatepass")
    if kind in ("cell", "random_cell"):
        row = draw(st.integers(0, max(0, len(lines) - 1)))
        fields = lines[row].split(",")
        col = draw(st.integers(0, max(0, len(fields) - 1)))
        if kind == "cell":
            value = draw(st.sampled_from(NASTY_VALUES))
        else:
            value = draw(
                st.one_of(
                    st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.integers(-(10**400), 10**400).map(str),
                    st.text(max_size=16),
                )
            )
        fields[col] = value
        lines[row] = ",".join(fields)
        return "\n".join(lines).encode("utf-8", "surrogatepass")
    if kind == "newline":
        return data.replace(b"\n", draw(st.sampled_from([b"\r", b"\r\n", b"\n\r", b"\x85"])))
    if kind == "encode":
        encoding = draw(st.sampled_from(["utf-16", "utf-8-sig", "cp949", "latin-1", "utf-32"]))
        return text.encode(encoding, "replace")
    # repeat: many copies of one data line (bounded)
    row = draw(st.integers(1, max(1, len(lines) - 2)))
    times = draw(st.sampled_from([10, 1_000, 5_000]))
    return "\n".join(lines[:row] + [lines[min(row, len(lines) - 1)]] * times + lines[row:]).encode(
        "utf-8", "surrogatepass"
    )


def _rewrite(data: bytes, edit) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, edit(item.filename, src.read(item)), zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _xml_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    kind = draw(
        st.sampled_from(
            ["dimension", "far_cell", "drop_refs", "value", "shared", "garbage", "inline_big"]
        )
    )
    col = draw(st.sampled_from(["A", "Z", "GR", "GS", "XFD", "ZZZZ", "a", "$A"]))
    row = draw(st.sampled_from([0, 1, 2, 100_001, 100_002, 1_048_576, 99_999_999, 2**32 + 1]))
    ref = f"{col}{row}".encode()
    nasty = draw(st.sampled_from(NASTY_VALUES)).encode()
    unit = draw(st.sampled_from(NASTY_UNITS)).encode()
    garbage = draw(st.one_of(st.sampled_from(CHUNKS), st.binary(max_size=12)))

    def edit(name: str, content: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            if kind == "dimension":
                return re.sub(
                    rb'<dimension ref="[^"]*"', b'<dimension ref="A1:' + ref + b'"', content
                )
            if kind == "far_cell":
                return content.replace(
                    b"</sheetData>",
                    b'<row r="%d"><c r="%s"><v>1</v></c></row></sheetData>' % (row, ref),
                )
            if kind == "drop_refs":
                return re.sub(rb' r="[A-Z]+[0-9]+"', b"", content)
            if kind == "value":
                return re.sub(rb"<v>[^<]*</v>", b"<v>" + nasty + b"</v>", content, count=3)
            if kind == "inline_big":
                return content.replace(
                    b"</sheetData>",
                    b'<row r="3"><c r="B3" t="inlineStr"><is><t>'
                    + b"9" * 70_000
                    + b"</t></is></c></row></sheetData>",
                )
            if kind == "garbage":
                pos = len(content) // 2
                return content[:pos] + garbage + content[pos:]
        if name == "xl/sharedStrings.xml" and kind == "shared":
            content = re.sub(rb"\[[^\]<]*\]", b"[" + unit + b"]", content, count=1)
            return re.sub(
                rb'(unique)?[cC]ount="\d+"',
                lambda m: m[0][: m[0].index(b'"')] + b'="%d"' % row,
                content,
            )
        return content

    return _rewrite(data, edit)


def _zip_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """Lie in the central directory: declared uncompressed sizes, or the local headers."""
    kind = draw(st.sampled_from(["central_size", "local_size", "flip", "truncate", "insert"]))
    buf = bytearray(data)
    if kind in ("central_size", "local_size"):
        magic, offset = (b"PK\x01\x02", 24) if kind == "central_size" else (b"PK\x03\x04", 22)
        spots = [m.start() for m in re.finditer(re.escape(magic), bytes(buf))]
        if not spots:
            return data
        at = draw(st.sampled_from(spots)) + offset
        size = draw(st.sampled_from([0, 1, 2**20, 2**31, 2**32 - 1]))
        buf[at : at + 4] = struct.pack("<I", size)
        return bytes(buf)
    if kind == "flip":
        if not buf:
            return data
        pos = draw(st.integers(0, len(buf) - 1))
        buf[pos] ^= draw(st.integers(1, 255))
        return bytes(buf)
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    pos = draw(st.integers(0, len(data)))
    return data[:pos] + draw(st.binary(max_size=32)) + data[pos:]


@st.composite
def hostile_files(draw: st.DrawFn, key: str) -> tuple[bytes, str]:
    kind = draw(st.sampled_from(["csv", "xlsx", "xlsx-shared"]))
    xlsx = kind != "csv"
    data = {"csv": _valid_csv, "xlsx": _valid_xlsx, "xlsx-shared": _valid_xlsx_shared}[kind](key)
    for _ in range(draw(st.integers(1, 3))):
        if xlsx:
            mutate = draw(st.sampled_from([_xml_mutation, _xml_mutation, _zip_mutation]))
            try:
                data = mutate(draw, data)
            except (
                zipfile.BadZipFile,
                ValueError,
                OSError,
                EOFError,
                KeyError,
                RuntimeError,
                NotImplementedError,
                zlib.error,
            ):
                data = _zip_mutation(draw, data)  # the workbook is already broken: lie more
        else:
            data = _text_mutation(draw, data)
    return data, "fuzz.xlsx" if xlsx else "fuzz.csv"


# ---------------------------------------------------------------- the property
def _check(key: str, data: bytes, name: str) -> None:
    layout = layouts.get(key)
    started = time.perf_counter()
    try:
        frame = layout.parse(data, name)
    except DomainError as exc:
        assert exc.message.strip() and exc.field == "file"
        assert name in exc.message or "fuzz" not in name, exc.message
    else:
        table = results.frame_to_table(frame)  # what the upload action stores
        for column, values in table.items():
            numbers = [v for v in values if isinstance(v, float)]
            assert all(math.isfinite(v) and abs(v) <= 1e300 for v in numbers), column
        if key == "qc":  # QC values are read (and unit-converted) when evaluated
            try:
                layout.kpis(frame)
            except Exception as exc:  # only the engine's InputError may escape
                from bioproof.analysis.errors import InputError

                assert isinstance(exc, InputError), repr(exc)
    assert time.perf_counter() - started < SECONDS_PER_FILE


settings.register_profile(
    "fuzz-default",
    max_examples=250,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz-slow",
    max_examples=1_000,
    deadline=None,
    database=None,
    # CI stays deterministic; BIOPROOF_FUZZ_RANDOM=1 explores new seeds (how the zip-version
    # abort was found)
    derandomize=not os.environ.get("BIOPROOF_FUZZ_RANDOM"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("key", LAYOUTS)
@settings(settings.get_profile("fuzz-default"))
@given(data=st.data())
def test_every_layout_survives_hostile_files(key: str, data: st.DataObject) -> None:
    content, name = data.draw(hostile_files(key))
    _check(key, content, name)


@pytest.mark.slow
@pytest.mark.parametrize("key", LAYOUTS)
@settings(settings.get_profile("fuzz-slow"))
@given(data=st.data())
def test_every_layout_survives_hostile_files_at_length(key: str, data: st.DataObject) -> None:
    content, name = data.draw(hostile_files(key))
    _check(key, content, name)
