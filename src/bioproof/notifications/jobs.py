"""Job kinds of the notifications: e-mail sending runs on the queue, never in a request."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bioproof.core import jobs


@jobs.job("notifications.email", title=gettext_lazy("Sending notification e-mails"))
def send_email(progress: Any, *, by: Any, notification_ids: list[int]) -> dict[str, Any]:
    from bioproof.notifications import mail

    sent = mail.send_each(notification_ids, progress)
    return {"sent": sent, "message": _("%(n)d e-mail(s) sent.") % {"n": sent}}


@jobs.job("notifications.digest", title=gettext_lazy("Sending the daily digests"))
def send_digest(progress: Any, *, by: Any) -> dict[str, Any]:
    from bioproof.notifications import mail

    sent = mail.send_digests(progress)
    return {"sent": sent, "message": _("%(n)d digest(s) sent.") % {"n": sent}}
