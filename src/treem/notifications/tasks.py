"""Background jobs of notifications: the periodic check of case deadlines (``cases.check_deadlines``).

The work is ``cases.deadline_checks.check_deadlines``; as a job it runs in one transaction with its
commit mark (``atomic``), so a worker killed halfway sends nothing twice: the alerts it recorded
die with its transaction, and the e-mails leave only on commit.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from treem.jobs.registry import register

CHECK_DEADLINES_KIND = "cases.check_deadlines"


@register(
    CHECK_DEADLINES_KIND,
    label=_("Check case deadlines"),
    stages={"check": _("Checking the deadlines")},
)
def check_deadlines_job(run) -> dict:
    from treem.cases.deadline_checks import check_deadlines

    return check_deadlines(progress=run.progress).as_dict()
