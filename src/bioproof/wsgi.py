"""WSGI entry point (``gunicorn bioproof.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bioproof.settings")
application = get_wsgi_application()
# Load every view, template and lazily imported module when the worker boots, not in its first
# requests (bioproof.core.warmup: ~4 s per worker, once). The demo's single process turns it off
# (BIOPROOF_WARM_UP=false): its first page matters more than its first evaluation page.
from bioproof.core.warmup import enabled, warm  # noqa: E402

if enabled():
    warm()
