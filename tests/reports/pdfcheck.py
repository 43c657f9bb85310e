"""What a filed PDF must hold: every font embedded, text that extracts."""

from __future__ import annotations

import io
from typing import Any

import pypdf


def reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in reader(pdf).pages)


def _descriptors(font: Any) -> list[Any]:
    font = font.get_object()
    if "/FontDescriptor" in font:
        return [font["/FontDescriptor"].get_object()]
    return [
        d.get_object()["/FontDescriptor"].get_object()
        for d in font.get("/DescendantFonts", [])
        if "/FontDescriptor" in d.get_object()
    ]


def fonts(pdf: bytes) -> dict[str, bool]:
    """Every font resource of every page (and of its form XObjects): base name → embedded
    as TrueType (``FontFile2`` in its descriptor)."""
    out: dict[str, bool] = {}

    def visit(resources: Any) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptors = _descriptors(font)
            out[str(font["/BaseFont"])] = bool(descriptors) and all(
                "/FontFile2" in d for d in descriptors
            )
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                visit(xobject.get("/Resources"))

    for page in reader(pdf).pages:
        visit(page.get("/Resources"))
    return out


def assert_fonts_embedded(pdf: bytes) -> dict[str, bool]:
    found = fonts(pdf)
    assert found, "the PDF has no font resources"
    missing = sorted(name for name, embedded in found.items() if not embedded)
    assert not missing, f"fonts not embedded: {missing}"
    assert b"UniKS-UCS2" not in pdf and b"HYGothic" not in pdf and b"HYSMyeongJo" not in pdf
    return found
