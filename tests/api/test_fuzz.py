"""The OpenAPI schema fuzzed with schemathesis against a server on loopback (issue 7).

Every operation of the published schema gets a bounded number of generated requests — valid ones
and ones that break the schema — from two callers: a provincial coordinator's session (reads and
writes) and a machine client's token (a viewer); the hotline push also from a hotline system's
token. The rule: never a 5xx, and every 4xx says what was wrong in a body a client can show
(``detail`` or field messages), in JSON.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from tests.factories import ChildFactory
from treem.accounts import services as account_services

# Bounded so that CI stays short: TREEM_FUZZ_EXAMPLES raises it for a longer run by hand.
EXAMPLES = int(os.environ.get("TREEM_FUZZ_EXAMPLES", "10"))


def _published_schema() -> dict:
    """The schema exactly as /api/schema/ serves it (the test below checks they are the same)."""
    generator = SchemaGenerator()
    return json.loads(json.dumps(generator.get_schema(request=None, public=True), cls=DjangoJSONEncoder))


schema = schemathesis.openapi.from_dict(_published_schema())


@pytest.fixture
def server(live_server, geo, settings) -> str:
    """The live server on loopback, with a few children on both sides of the map."""
    settings.TREEM_RATE_LIMITS = {
        **settings.TREEM_RATE_LIMITS,
        "api": "100000/m",
        "api_anonymous": "100000/m",
    }
    for name in ("Lò Thị Mai", "Vừ Văn Páo", "Đặng Thu Hà"):
        ChildFactory(commune=geo.commune_a, full_name=name)
    ChildFactory(commune=geo.commune_b, full_name="Hà Văn Bình")
    return live_server.url


def test_the_fuzzed_schema_is_the_served_one(server):
    served = requests.get(f"{server}/api/schema/?format=json", timeout=30)
    assert served.status_code == 200
    assert served.json()["paths"].keys() == _published_schema()["paths"].keys()
    assert len(served.json()["paths"]) >= 8


def _session_headers(user) -> dict:
    """Cookie and CSRF headers of a signed-in session (one-time code passed, as tests/conftest
    arranges for force_login)."""
    browser = Client()
    browser.force_login(user)
    csrf = _get_new_csrf_string()
    cookie = f"sessionid={browser.cookies['sessionid'].value}; csrftoken={csrf}"
    return {"Cookie": cookie, "X-CSRFToken": csrf}


def _check(response) -> None:
    status = response.status_code
    assert status < 500, (status, response.request.method, response.request.url, response.text[:500])
    if 400 <= status < 500 and status != 405:
        content_type = (response.headers.get("content-type") or [""])[0]
        assert content_type.startswith("application/json"), (content_type, response.text[:300])
        body = response.json()
        assert body, "an empty 4xx body says nothing"
        if isinstance(body, dict) and "detail" in body:
            assert str(body["detail"]).strip()


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every CI run: a failure can be replayed
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def coordinator_headers(coordinator, server) -> Iterator[dict]:
    """One signed-in session for all the test's requests (signing in again for each request
    cost more than the request itself); still signed in at the end, so that no request was
    answered as to a stranger."""
    headers = _session_headers(coordinator)
    yield headers
    still = requests.get(f"{server}/api/v1/children/", headers=headers, timeout=30)
    assert still.status_code == 200, "the coordinator's session ended during the fuzzing"


@schema.parametrize()
@FUZZ
def test_coordinator_session_never_gets_5xx(case, server, coordinator_headers):
    _check(case.call(base_url=server, headers=coordinator_headers))


@pytest.fixture
def machine_token(admin, geo) -> str:
    client = account_services.api_client_create(
        acting_user=admin, name="Cổng dữ liệu", roles=["viewer"], units=[geo.commune_a]
    )
    return account_services.api_token_issue(acting_user=admin, client=client, days=1)


@schema.parametrize()
@FUZZ
def test_machine_client_token_never_gets_5xx(case, server, machine_token):
    _check(case.call(base_url=server, headers={"Authorization": f"Token {machine_token}"}))


# The hotline push (issue 16) with a hotline system's token: the endpoint its role may write to,
# on top of the two callers above (for whom it is a 400 or a 403).
hotline_schema = schema.include(path_regex=r"^/api/v1/reports/")


@pytest.fixture
def hotline_token(admin, geo) -> str:
    client = account_services.api_client_create(
        acting_user=admin, name="Tổng đài 111", roles=["hotline_client"], units=[geo.province]
    )
    return account_services.api_token_issue(acting_user=admin, client=client, days=1)


def test_the_hotline_push_is_fuzzed():
    assert {operation.path for operation in _operations(hotline_schema)} == {
        "/api/v1/reports/",
        "/api/v1/reports/{tracking_code}/",
    }


def _operations(filtered) -> list:
    return [result.ok() for result in filtered.get_all_operations()]


@hotline_schema.parametrize()
@FUZZ
def test_hotline_client_token_never_gets_5xx(case, server, hotline_token):
    _check(case.call(base_url=server, headers={"Authorization": f"Token {hotline_token}"}))
