"""WSGI entry point (``gunicorn bioproof.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bioproof.settings")
application = get_wsgi_application()
# Import every view, API schema and template tag library when the worker boots, not in its first
# request: the URL configuration costs ~2 s to import, which a worker's first request (an upload
# that should answer in < 1 s, say) would otherwise pay.
get_resolver().url_patterns  # noqa: B018

# Likewise the Korean analyzer of the search: its model loads in ~1 s and its first analysis
# takes another ~1.6 s; a worker that met its first search under load made 50 concurrent
# searches wait for it (55 req/s; 116–137 req/s with the model loaded but not yet used).
from bioproof.search.text import analyze  # noqa: E402

analyze("세포 배양 배지")
