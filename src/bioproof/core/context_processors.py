from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

import bioproof


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    org = user.primary_organization if user is not None and user.is_authenticated else None
    administers = org is not None and user.has_role(org, "org_admin")
    return {
        "bioproof_version": bioproof.__version__,
        "current_org": org,
        "administered_org": org if administers else None,
        # (parts loaded, parts) while `load_demo --background` is loading, else None
        "demo_loading": SimpleLazyObject(_demo_loading),
    }


def _demo_loading() -> Any:
    from bioproof import demo

    return demo.loading() or ()
