"""Where the current request came from, for audit events written deep inside services."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    request_id: str = ""


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "treem_request_context",
    default=RequestContext(),  # noqa: B039 - frozen, so immutable
)


def current() -> RequestContext:
    return _current.get()


def bind(ctx: RequestContext) -> contextvars.Token:
    return _current.set(ctx)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)
