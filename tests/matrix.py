"""The access table's vocabulary, shared by tests/core/test_access_matrix.py and the apps' own
tables.

An app adds its endpoints without touching the central file: it writes ``tests/<app>/matrix.py``
with ``ENDPOINTS`` (a tuple of :class:`Endpoint`) and, when its URLs name records, a function
``records(side, tag, personas)`` that builds them on each side of the map (``side`` holds the
side's commune, village, agency and user; ``tag`` is "a", "b" or "c"; ``personas`` maps persona
names to users), and, for records that show by something other than their ``name``, a function
``marker(obj)`` returning that text (None for objects not its own). The central test collects
every such module (:func:`app_tables`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, SimpleNamespace

Build = Callable[[SimpleNamespace], dict]


@dataclass(frozen=True)
class Endpoint:
    """One URL name and method, and who may use it."""

    name: str
    method: str = "get"
    api: bool = False
    permitted: str | None = "officer_a"  # None: public, no sign-in needed
    denied: str | None = None  # a persona holding no permission for it
    open_to_all: str = ""  # why any signed-in user may use it (when ``denied`` is None)
    record: str | None = None  # the side's record the URL names (``pk``)
    kwargs: Build | None = None  # URL arguments, when more than the record's pk
    data: Build | None = None  # request body for a side
    ok: int = 200
    events: int = 0  # audit events written by one successful call
    out_status: int = 404  # for a record (or unit in the body) of someone else's side
    shown: Callable[[SimpleNamespace], list] | None = None  # records the list must show
    anonymous: int | None = None  # status for anonymous callers of a public endpoint
    public: str = ""  # why it needs no sign-in
    variant: str = ""  # tells two lines of the same URL and method apart
    query: dict | None = None  # a fixed query string (not a record: the entry stays unscoped)
    forged_key: str = "pk"  # the URL argument the forged-identifier test replaces

    @property
    def id(self) -> str:
        suffix = f"[{self.variant}]" if self.variant else ""
        return f"{self.name}:{self.method.upper()}{suffix}"

    @property
    def scoped(self) -> bool:
        return self.record is not None or self.data is not None

    def url_kwargs(self, side) -> dict:
        if self.kwargs is not None:
            return self.kwargs(side)
        return {"pk": getattr(side, self.record).pk} if self.record else {}


def app_tables() -> list[ModuleType]:
    """Every ``tests/<app>/matrix.py``, in the order of the app folders' names."""
    here = Path(__file__).parent
    return [
        importlib.import_module(f"tests.{path.parent.name}.matrix")
        for path in sorted(here.glob("*/matrix.py"))
    ]
