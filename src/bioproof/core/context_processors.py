from __future__ import annotations

from typing import Any

from django.http import HttpRequest

import bioproof


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    org = user.primary_organization if user is not None and user.is_authenticated else None
    administers = org is not None and user.has_role(org, "org_admin")
    return {
        "bioproof_version": bioproof.__version__,
        "current_org": org,
        "administered_org": org if administers else None,
    }
