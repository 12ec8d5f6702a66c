"""Audit events in words in templates: ``{{ event|action_sentence }}``, ``{{ event|feed_label }}``,
``{% for row in event|changes_shown %}`` (see treem.audit.wording)."""

from django import template

from treem.audit import wording

register = template.Library()

register.filter("action_sentence", wording.action_sentence)
register.filter("feed_label", wording.feed_label)
register.filter("changes_shown", wording.changes_shown)
