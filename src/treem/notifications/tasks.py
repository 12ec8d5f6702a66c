"""Background jobs of notifications: the e-mails of notifications (``notifications.email``) and the
periodic check of case deadlines (``cases.check_deadlines``).

An e-mail job is queued when the transaction that wrote its notifications commits; it sends each
e-mail not sent yet and records when, so a retry after a failure sends only the rest.

The work is ``cases.deadline_checks.check_deadlines``; as a job it runs in one transaction with its
commit mark (``atomic``), so a worker killed halfway sends nothing twice: the alerts it recorded
die with its transaction, and the e-mails leave only on commit.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from treem.jobs.registry import register

CHECK_DEADLINES_KIND = "cases.check_deadlines"
EMAIL_KIND = "notifications.email"


@register(
    EMAIL_KIND,
    label=_("Send notification e-mails"),
    atomic=False,  # each e-mail sent is recorded at once: a retry does not send it again
    stages={"send": _("Sending the e-mails")},
)
def notifications_email_job(run) -> dict:
    from treem.notifications.services import notifications_email

    ids = [int(i) for i in run.arguments.get("notifications", [])]
    sent, failed = notifications_email(ids)
    run.progress("send", sent + failed, len(ids))
    if failed:
        raise ValidationError(
            ngettext(
                "%(failed)s e-mail could not be sent (the mail server refused or did not answer).",
                "%(failed)s e-mails could not be sent (the mail server refused or did not answer).",
                failed,
            )
            % {"failed": failed}
        )
    return {"sent": sent}


@register(
    CHECK_DEADLINES_KIND,
    label=_("Check case deadlines"),
    stages={"check": _("Checking the deadlines")},
)
def check_deadlines_job(run) -> dict:
    from treem.cases.deadline_checks import check_deadlines

    return check_deadlines(progress=run.progress).as_dict()
