"""Audit events told in words: what happened, to what, field by field; never the action's code.

An event's ``action`` (``children.child.registered``) is a key for programs and filters. People
read a sentence: the verb (the action's last part, from ``VERBS``, or a whole sentence for the
few actions in ``ACTIONS``) with the kind of record (its model's verbose name). Field changes
show the field's verbose name and, for fields with choices, the label of each value.

The home page's feed is read by more people than the audit log: it never names the record of
the kinds in ``FEED_UNNAMED`` (a child's special-circumstance group is a kind of harm beside
a name; a report, an assessment or a note is about a child), only what happened to one.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from treem.accounts.roles import ROLES_BY_SLUG

# The last part of an action → the sentence, with the kind of record as %(kind)s.
VERBS: dict[str, Promise] = {
    "accepted": _("accepted the %(kind)s"),
    "added": _("added the %(kind)s"),
    "advanced": _("moved the %(kind)s to its next step"),
    "alerted": _("sent an alert about the %(kind)s"),
    "answered": _("answered the %(kind)s"),
    "approved": _("approved the %(kind)s"),
    "areas_changed": _("changed the solution areas of the %(kind)s"),
    "assigned": _("assigned the %(kind)s"),
    "bound": _("linked the %(kind)s"),
    "changed": _("changed the %(kind)s"),
    "child_linked": _("linked the %(kind)s to a child"),
    "chosen": _("chose the %(kind)s"),
    "cleared": _("cleared the %(kind)s"),
    "closed": _("closed the %(kind)s"),
    "closure_refused": _("refused to close the %(kind)s"),
    "closure_requested": _("asked to close the %(kind)s"),
    "created": _("created the %(kind)s"),
    "deactivated": _("deactivated the %(kind)s"),
    "decided": _("decided the %(kind)s"),
    "deleted": _("deleted the %(kind)s"),
    "dismissed": _("dismissed the %(kind)s"),
    "done": _("completed the %(kind)s"),
    "downloaded": _("downloaded the %(kind)s"),
    "drafted": _("drafted the %(kind)s"),
    "due": _("the %(kind)s fell due"),
    "due_soon": _("the %(kind)s is due soon"),
    "enrolled": _("set up the %(kind)s"),
    "entered": _("added a child to the %(kind)s"),
    "escalated": _("escalated the %(kind)s"),
    "exact_viewed": _("opened exact %(kind)s"),
    "exported": _("exported %(kind)s"),
    "failed": _("the %(kind)s failed"),
    "followed_up": _("followed up the %(kind)s"),
    "generated": _("made the %(kind)s"),
    "glass_broken": _("opened the %(kind)s outside its group"),
    "id_checked": _("checked the ID number of the %(kind)s"),
    "imported": _("imported %(kind)s"),
    "interrupted": _("the %(kind)s was interrupted"),
    "issued": _("issued the %(kind)s"),
    "left": _("ended a child's %(kind)s"),
    "loaded": _("loaded the %(kind)s"),
    "merged": _("merged the %(kind)s"),
    "merged_away": _("merged the %(kind)s into another"),
    "moved": _("moved the %(kind)s"),
    "opened": _("opened the %(kind)s"),
    "overdue": _("the %(kind)s is overdue"),
    "passed_to_successor": _("passed the %(kind)s to a successor agency"),
    "published": _("published the %(kind)s"),
    "received": _("received the %(kind)s"),
    "received_online": _("received the %(kind)s online"),
    "recorded": _("recorded the %(kind)s"),
    "refused": _("refused the %(kind)s"),
    "registered": _("registered the %(kind)s"),
    "rejected": _("rejected the %(kind)s"),
    "removed": _("removed the %(kind)s"),
    "report_added": _("added a report to the %(kind)s"),
    "republished": _("published the %(kind)s again"),
    "requested": _("requested the %(kind)s"),
    "reset": _("reset the %(kind)s"),
    "results_exported": _("exported the results of the %(kind)s"),
    "retired": _("retired the %(kind)s"),
    "retried": _("retried the %(kind)s"),
    "returned": _("returned the %(kind)s"),
    "revoked": _("revoked the %(kind)s"),
    "rotated": _("changed the %(kind)s"),
    "run": _("ran the %(kind)s"),
    "searched": _("searched for %(kind)s"),
    "sent": _("sent the %(kind)s"),
    "sessions_ended": _("ended every session of the %(kind)s"),
    "set": _("set the %(kind)s"),
    "settlement": _("recorded the settlement of the %(kind)s"),
    "shared": _("shared the %(kind)s"),
    "status_changed": _("changed the status of the %(kind)s"),
    "submitted": _("submitted the %(kind)s"),
    "succeeded": _("recorded the successor of the %(kind)s"),
    "transferred": _("transferred the %(kind)s"),
    "unlocked": _("unlocked the %(kind)s"),
    "updated": _("changed the %(kind)s"),
    "verified": _("verified the %(kind)s"),
    "viewed": _("opened the %(kind)s"),
    "withdrawn": _("withdrew the %(kind)s"),
}

# The kind of record for actions whose event names no record, by the action's middle part.
KINDS: dict[str, Promise] = {
    "catalogue": _("indicator catalogue"),
    "duplicates": _("possible duplicates"),
    "field_keys": _("encryption keys"),
    "lockout": _("sign-in lockout"),
    "preferences": _("e-mail preferences"),
    "reminders": _("reminder"),
    "reorganisation": _("reorganisation"),
    "statistics": _("statistics"),
    "two_factor": _("two-step sign-in"),
    "units": _("administrative units"),
}

# Values that are codes of the program rather than choices of a field (how a case was opened,
# who issues a consolidated report): their words.
VALUE_WORDS: dict[str, Promise] = {
    "member": _("in the case's group"),
    "glass": _("outside the group, with a reason"),
    "exists": _("number and status only"),
    "committee": _("the People's Committee"),
}

# Names of what an event's changes hold besides a record's own fields.
CHANGE_KEYS: dict[str, Promise] = {
    "access": _("access given"),
    "created": _("created"),
    "form": _("form"),
    "indicators": _("Indicators"),
    "member": _("member"),
    "mode": _("mode"),
    "moved": _("moved"),
    "output": _("file"),
    "period": _("period"),
    "reason": _("reason"),
    "record": _("record"),
    "record_type": _("kind of record"),
    "reports_accepted": _("reports accepted"),
    "rows": _("rows"),
    "step": _("step"),
    "tasks": _("Tasks"),
    "units": _("Units"),
    "totals": _("totals"),
}

# Records the home page's feed never names ("app_label.model").
FEED_UNNAMED = frozenset(
    {
        "children.circumstancemembership",
        "children.support",
        "children.consent",
        "children.caregiver",
        "cases.report",
        "cases.assessment",
        "cases.note",
        "cases.referral",
        "cases.attachment",
        "cases.plan",
        "complaints.complaint",
        "funding.sponsorship",
    }
)


def _model(event):
    return event.content_type.model_class() if event.content_type_id else None


def record_kind(event) -> str:
    """The kind of record an event is about, in words."""
    model = _model(event)
    if model is not None:
        return str(model._meta.verbose_name)
    parts = event.action.split(".")
    kind = KINDS.get(parts[1]) if len(parts) == 3 else None
    return str(kind) if kind else _g("record")


def action_sentence(event) -> str:
    """What happened, in words ("registered a child")."""
    verb = event.action.rsplit(".", 1)[-1]
    sentence = VERBS.get(verb)
    kind = record_kind(event)
    if sentence is None:  # an action written after this table: still words, never the code
        return _g("%(kind)s: other change") % {"kind": kind}
    return str(sentence) % {"kind": kind}


def feed_label(event) -> str:
    """The record's label for the home page's feed: empty for the records it never names."""
    if event.content_type_id and f"{event.content_type.app_label}.{event.content_type.model}" in FEED_UNNAMED:
        return ""
    return event.object_label


@functools.cache
def _known_words() -> tuple[dict[str, Promise], dict[str, Promise]]:
    """Every choice of the project (value → label) and every field (name → verbose name) whose
    words are the same wherever it appears: the fallback for values kept in JSON fields (a
    campaign's channels) and for fields of a related record named in an event's changes."""
    choices: dict[str, set] = defaultdict(set)
    fields: dict[str, set] = defaultdict(set)
    for model in apps.get_models():
        if not model.__module__.startswith("treem."):
            continue
        for field in model._meta.concrete_fields:
            fields[field.name].add(field.verbose_name)
    pending = list(models.Choices.__subclasses__())
    while pending:
        enum = pending.pop()
        pending.extend(enum.__subclasses__())
        if enum.__module__.startswith("treem."):
            for value, label in enum.choices:
                choices[str(value)].add(label)
    return (
        {value: next(iter(labels)) for value, labels in choices.items() if len(labels) == 1},
        {name: next(iter(labels)) for name, labels in fields.items() if len(labels) == 1},
    )


def _value(field, value):
    if value is None or value == "":
        return value
    if isinstance(value, list):
        return ", ".join(str(_value(field, v)) for v in value)
    if isinstance(value, dict):  # the changes of a related record, field by field
        parts = []
        for name, change in value.items():
            label = _known_words()[1].get(name, name)
            if isinstance(change, list) and len(change) == 2:
                old, new = (_value(None, v) for v in change)
                parts.append(f"{label}: {'∅' if old is None else old} → {'∅' if new is None else new}")
            else:
                parts.append(f"{label}: {_value(None, change)}")
        return "; ".join(parts)
    if getattr(field, "choices", None):
        labels = {str(k): v for k, v in field.flatchoices}
        return labels.get(str(value), value)
    if isinstance(value, bool):
        return _g("yes") if value else _g("no")
    if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_]*", value):  # a code, not typed text
        if value in VALUE_WORDS:
            return str(VALUE_WORDS[value])
        return _known_words()[0].get(value, value)
    return value


def changes_shown(event) -> list[dict]:
    """The event's changes: the field's name in words, and the old and new values (``pair``) or
    the one value recorded."""
    if not isinstance(event.changes, dict):
        return []
    model = _model(event)
    rows = []
    for name, change in event.changes.items():
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
        if name in ("roles", "groups"):
            label = _g("Roles")
            values = [
                ", ".join(str(ROLES_BY_SLUG[s].label) if s in ROLES_BY_SLUG else s for s in (v or []))
                if isinstance(v, list)
                else v
                for v in (change if isinstance(change, list) and len(change) == 2 else [None, change])
            ]
            rows.append({"label": label, "old": values[0], "new": values[1], "pair": True})
            continue
        # A relation seen from the other side has no verbose name of its own: its model's has.
        verbose = getattr(field, "verbose_name", None) or (
            field.related_model._meta.verbose_name_plural if getattr(field, "related_model", None) else None
        )
        label = str(CHANGE_KEYS.get(name) or verbose or _known_words()[1].get(name) or name.replace("_", " "))
        if isinstance(change, list) and len(change) == 2:
            rows.append(
                {
                    "label": label,
                    "old": _value(field, change[0]),
                    "new": _value(field, change[1]),
                    "pair": True,
                }
            )
        else:
            rows.append({"label": label, "old": None, "new": _value(field, change), "pair": False})
    return rows
