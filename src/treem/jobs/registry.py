"""The kinds of background job: each app registers its tasks in its own ``tasks`` module.

A task is a function of one argument, the ``JobRun`` (the job's arguments, its input file, the
progress callback); it returns the job's result as JSON-safe data. A ``ValidationError`` it raises
is shown to the user as the job's error; any other exception fails the job with a generic message
(the details go to the log and to administrators).

``atomic=True`` (the default) runs the task in one transaction with the mark that its work is
committed: an error or a killed worker leaves nothing written. A task that manages its own
transactions (``atomic=False``) calls ``run.mark_committed()`` inside the transaction that writes
its work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_registry: dict[str, JobKind] = {}


@dataclass(frozen=True)
class JobKind:
    name: str
    func: Callable[[Any], Any]
    label: Any
    atomic: bool = True
    stages: dict[str, Any] = field(default_factory=dict)
    result_template: str = ""
    result_context: Callable[[Any], dict] | None = None


def register(
    name: str,
    *,
    label,
    atomic: bool = True,
    stages: dict[str, Any] | None = None,
    result_template: str = "",
    result_context: Callable[[Any], dict] | None = None,
):
    """Decorator: declare ``func`` as the task of jobs of kind ``name``."""

    def decorate(func):
        _registry[name] = JobKind(
            name=name,
            func=func,
            label=label,
            atomic=atomic,
            stages=dict(stages or {}),
            result_template=result_template,
            result_context=result_context,
        )
        return func

    return decorate


def find(name: str) -> JobKind | None:
    return _registry.get(name)


def unregister(name: str) -> None:
    """Forget a kind (tests register throw-away kinds)."""
    _registry.pop(name, None)
