"""What a web worker loads when it boots rather than in its first requests.

A worker that met its first evaluation page imported the analysis engine there (SciPy, ~1 s);
its first page of any kind compiled the templates it used (~0.1 s each page) — a request made
to wait for that was the 1-in-20 slow request (p95 0.9 s) of the evaluation page at 1 client.
:func:`warm` is called by :mod:`bioproof.wsgi` once per worker; tests and commands do not pay it.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import time
from pathlib import Path

from django.apps import apps
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import get_resolver

#: modules imported lazily by views and context processors (with the analysis engine's)
MODULES = ("bioproof.evaluations.family_layouts", "bioproof.evaluations.samples", "bioproof.demo")


def _analysis_modules() -> list[str]:
    import bioproof.analysis

    return [
        f"bioproof.analysis.{m.name}"
        for m in pkgutil.iter_modules(bioproof.analysis.__path__)
        if not m.name.startswith(("cli", "__"))
    ]


def _templates() -> list[str]:
    names = []
    for config in apps.get_app_configs():
        root = Path(config.path) / "templates"
        if root.is_dir():
            names += [str(p.relative_to(root)) for p in root.rglob("*.html")]
    return sorted(set(names))


def enabled() -> bool:
    """``BIOPROOF_WARM_UP`` (default true): whether the WSGI entry point warms up at boot."""
    return os.environ.get("BIOPROOF_WARM_UP", "true").strip().lower() not in ("0", "false", "no")


def warm() -> float:
    """Import the lazily imported modules, the URL configuration, the template engine (its tag
    libraries and context processors), compile every template of the project's apps and run the
    search analyzer once; the seconds it took."""
    started = time.perf_counter()
    get_resolver().url_patterns  # noqa: B018  (imports every view and API schema)
    for name in (*MODULES, *_analysis_modules()):
        importlib.import_module(name)
    engine = engines["django"]
    engine.engine.template_context_processors  # noqa: B018
    for name in _templates():
        try:
            engine.get_template(name)  # kept by the cached loader
        except (TemplateDoesNotExist, TemplateSyntaxError):
            continue  # a fragment of another engine's; the page that uses it says so
    from bioproof.search.text import analyze

    # the Korean analyzer: its model loads in ~1 s and its first analysis takes ~1.6 s; a worker
    # that met its first search under load made 50 concurrent searches wait (55 req/s)
    analyze("세포 배양 배지")
    return time.perf_counter() - started
