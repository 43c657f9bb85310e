"""WSGI entry point (``gunicorn bioproof.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bioproof.settings")
application = get_wsgi_application()
# Load every view, template and lazily imported module when the worker boots, not in its first
# requests (bioproof.core.warmup: ~3 s per worker, once).
from bioproof.core.warmup import warm  # noqa: E402

warm()
