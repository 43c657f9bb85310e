"""Interop's background jobs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from bioproof.core.jobs import job


@job("interop.webhook_deliver", title=_("Webhook delivery"))
def webhook_deliver(progress: Any, *, by: Any, delivery_id: int) -> dict[str, Any]:
    from bioproof.interop import webhooks

    return {"status": webhooks.deliver(delivery_id)}
