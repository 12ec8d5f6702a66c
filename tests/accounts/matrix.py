"""Access lines of the accounts pages added after the central table: machine clients of the API."""

from __future__ import annotations

from tests.matrix import Endpoint
from treem.accounts import services


def records(side, tag: str, personas: dict) -> None:
    side.api_client = services.api_client_create(
        acting_user=personas["admin"],
        name=f"Hệ thống thống kê {tag}",
        roles=["viewer"],
        units=[side.commune],
    )


def _client(side) -> dict:
    return {"pk": side.api_client.pk}


# Administrators only (tokens are secrets of the whole system); not limited by place.
ENDPOINTS = (
    Endpoint("accounts:api_client_list", permitted="admin", denied="coordinator"),
    Endpoint("accounts:api_client_add", permitted="admin", denied="coordinator"),
    # An empty form names no client: the form comes back with its messages, nothing written.
    Endpoint("accounts:api_client_add", "post", permitted="admin", denied="coordinator", ok=400),
    Endpoint("accounts:api_client_detail", permitted="admin", denied="coordinator", kwargs=_client),
    # No number of days: the form's message, no token.
    Endpoint(
        "accounts:api_token_issue", "post", permitted="admin", denied="coordinator", kwargs=_client, ok=400
    ),
    Endpoint(
        "accounts:api_token_revoke",
        "post",
        permitted="admin",
        denied="coordinator",
        kwargs=_client,
        ok=302,
        events=1,
    ),
)
