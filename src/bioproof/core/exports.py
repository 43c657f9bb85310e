"""CSV and XLSX export of a list exactly as the user may see it.

A list page passes the queryset it shows — already cut by ``visible_to(user)`` and by the
page's filters (:mod:`<app>.filters`) — and its columns; ``?export=csv`` or ``?export=xlsx``
returns every matching row (up to :data:`MAX_ROWS`), not only the current page.

Spreadsheet formula injection (CWE-1236, OWASP "CSV injection"): a text cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'`` so Excel,
LibreOffice and Google Sheets show it as text instead of evaluating it. Numbers, dates and
booleans are written as such (a negative number is a number, not a formula).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise

#: the most rows one export returns
MAX_ROWS = 20_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Column:
    """One exported column: a header (translated at export time) and how to read the cell."""

    header: str | Promise
    value: Callable[[Any], Any]


def safe_cell(value: Any) -> Any:
    """A cell value that no spreadsheet evaluates: text starting with a formula character gets
    a leading ``'``; ``None`` → ``""``; aware datetimes are shown in local time without zone
    (XLSX cannot hold a zone); lazy strings and other objects become text."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def _rows(objects: Iterable[Any], columns: Sequence[Column]) -> Iterator[list[Any]]:
    for n, obj in enumerate(objects):
        if n >= MAX_ROWS:
            break
        yield [safe_cell(c.value(obj)) for c in columns]


def _header(columns: Sequence[Column]) -> list[Any]:
    return [safe_cell(str(c.header)) for c in columns]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, columns: Sequence[Column], objects: Iterable[Any]) -> Any:
    """A streamed UTF-8 CSV (with a BOM, so Excel reads Korean correctly)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        yield writer.writerow(_header(columns))
        for row in _rows(objects, columns):
            yield writer.writerow(
                [v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v for v in row]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_bytes(columns: Sequence[Column], objects: Iterable[Any], *, title: str = "") -> bytes:
    """An XLSX workbook (openpyxl, write-only) of the header and rows."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=(title or "export")[:31])
    sheet.append(_header(columns))
    for row in _rows(objects, columns):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(filename: str, columns: Sequence[Column], objects: Iterable[Any]) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(columns, objects, title=filename),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(
    request: HttpRequest, objects: Any, columns: Sequence[Column], filename: str
) -> HttpResponse | None:
    """The export the request asks for (``?export=csv|xlsx``), else ``None``. ``objects`` is
    the visible, filtered queryset of the page (iterated in chunks)."""
    fmt = request.GET.get("export", "")
    if fmt not in FORMATS:
        return None
    rows = objects.iterator(chunk_size=2000) if hasattr(objects, "iterator") else objects
    stamp = timezone.localdate().isoformat()
    name = f"{filename}-{stamp}"
    if fmt == "csv":
        return csv_response(name, columns, rows)
    return xlsx_response(name, columns, rows)


def filtered_list(
    request: HttpRequest,
    filterset_class: Any,
    queryset: Any,
    *,
    columns: Sequence[Column],
    filename: str,
    per_page: int = 25,
) -> tuple[Any, Any, HttpResponse | None]:
    """``(filterset, page, export)`` of a list page: the page's filters applied to its visible
    queryset, the requested page, and the export response when ``?export=`` asks for one (the
    caller returns it). The same ``filterset_class`` filters the API's list."""
    from bioproof.core.web import paginate

    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    for field in filterset.form.fields.values():  # a choice applies as soon as it is made
        if getattr(field.widget, "input_type", "") == "select":
            field.widget.attrs["data-autosubmit"] = ""
    qs = filterset.qs
    export = export_response(request, qs, columns, filename)
    if export is not None:
        return filterset, None, export
    return filterset, paginate(request, qs, per_page), None


def api_filtered(request: HttpRequest, filterset_class: Any, queryset: Any) -> Any:
    """The API's list filtered by the page's own filter definition (same names, same rules)."""
    return filterset_class(request.GET or None, queryset=queryset, request=request).qs
