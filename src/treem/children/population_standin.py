"""A stand-in for the national population database: the contract of docs/population-api.md served
from memory by a small HTTP server, for the demo (``treem population_standin``) and the tests.

It binds to 127.0.0.1 and an ephemeral port by default. ``behaviour`` simulates a slow or failing
service: ``delay`` seconds before each answer (for the next ``slow_next`` requests, or all when
None) and ``fail_next`` answers with ``fail_status``. Every contract request is counted in
``requests`` so tests can see the retries. Not a production server.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from treem.children.identity import PATTERN
from treem.children.population import API_PREFIX, Person, match_person

MAX_BODY_BYTES = 64 * 1024


@dataclass
class StandinBehaviour:
    """Switches for simulating trouble (changed by tests while the server runs)."""

    delay: float = 0.0
    slow_next: int | None = None
    fail_next: int = 0
    fail_status: int = 500


def load_people(path: str | Path) -> list[Person]:
    """People from a JSON file: a list of objects (or ``{"people": [...]}``) of the contract's
    person (personal_id, full_name, birth_date YYYY-MM-DD, sex). ValueError names the bad entry."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read a JSON file ({exc})") from exc
    if isinstance(data, dict):
        data = data.get("people")
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of people")
    people = []
    for number, entry in enumerate(data, start=1):
        try:
            people.append(Person.from_json(entry))
        except ValueError as exc:
            raise ValueError(f"{path}: person {number}: {exc}") from exc
    return people


class PopulationStandin:
    """The stand-in server; ``start()`` runs it in a thread, ``stop()`` ends it."""

    def __init__(
        self,
        people: Iterable[Person] = (),
        *,
        token: str = "standin-token",  # noqa: S107 - a stand-in's well-known test token
        host: str = "127.0.0.1",
        port: int = 0,
        quiet: bool = True,
    ) -> None:
        self.people: dict[str, Person] = {p.personal_id: p for p in people}
        self.token = token
        self.behaviour = StandinBehaviour()
        self.requests: list[tuple[str, str]] = []
        self.quiet = quiet
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.server = _Server((host, port), _Handler)
        self.server.standin = self

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, person: Person) -> None:
        self.people[person.personal_id] = person

    def start(self) -> PopulationStandin:
        self._thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() returns quickly
            name="population-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self._stopping.set()  # wakes requests that are simulating slowness
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> PopulationStandin:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- used by the handler ----------------------------------------------------------------------

    def _trouble(self) -> tuple[float, int | None]:
        """The delay and failure status for the request being answered (consuming the switches)."""
        with self._lock:
            b = self.behaviour
            delay = 0.0
            if b.delay and (b.slow_next is None or b.slow_next > 0):
                delay = b.delay
                if b.slow_next is not None:
                    b.slow_next -= 1
            fail = None
            if b.fail_next > 0:
                b.fail_next -= 1
                fail = b.fail_status
            return delay, fail

    def _count(self, method: str, path: str) -> None:
        with self._lock:
            self.requests.append((method, path))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    standin: PopulationStandin

    def handle_error(self, request, client_address) -> None:
        # A client that gave up (timeout) leaves a broken pipe behind: expected, not worth a trace.
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "treem-population-standin/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.standin.quiet:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        if self.path == f"{API_PREFIX}/health":
            self._send(HTTPStatus.OK, {"status": "ok"})
            return
        prefix = f"{API_PREFIX}/people/"
        if not self.path.startswith(prefix):
            self._send(HTTPStatus.NOT_FOUND, {"error": "no_such_endpoint", "message": self.path})
            return
        if not self._admit("GET"):
            return
        personal_id = self.path[len(prefix) :]
        if not PATTERN.match(personal_id):
            self._send(HTTPStatus.BAD_REQUEST, _invalid("personal_id must have exactly 12 digits"))
            return
        person = self.server.standin.people.get(personal_id)
        if person is None:
            self._send(HTTPStatus.NOT_FOUND, {"error": "not_found", "message": "no person with this number"})
            return
        self._send(HTTPStatus.OK, person.as_json())

    def do_POST(self) -> None:
        if self.path != f"{API_PREFIX}/verify":
            self._drain()
            self._send(HTTPStatus.NOT_FOUND, {"error": "no_such_endpoint", "message": self.path})
            return
        body = self._drain()
        if body is None:
            return
        if not self._admit("POST"):
            return
        try:
            request = _verify_request(body)
        except ValueError as exc:
            self._send(HTTPStatus.BAD_REQUEST, _invalid(str(exc)))
            return
        person = self.server.standin.people.get(request["personal_id"])
        result = match_person(
            person,
            full_name=request["full_name"],
            birth_date=request["birth_date"],
            birth_year=request["birth_year"],
            sex=request["sex"],
        )
        self._send(HTTPStatus.OK, {"status": str(result.status), "fields": list(result.fields)})

    # --- helpers ----------------------------------------------------------------------------------

    def _admit(self, method: str) -> bool:
        """Count the request, check the token, then apply the simulated slowness and failures."""
        standin = self.server.standin
        standin._count(method, self.path)
        given = self.headers.get("Authorization", "")
        if standin.token and not hmac.compare_digest(given.encode(), f"Bearer {standin.token}".encode()):
            self._send(
                HTTPStatus.UNAUTHORIZED, {"error": "unauthorized", "message": "missing or wrong token"}
            )
            return False
        delay, fail = standin._trouble()
        if delay and standin._stopping.wait(delay):
            return False
        if fail is not None:
            self._send(fail, {"error": "simulated_failure", "message": "the stand-in was told to fail"})
            return False
        return True

    def _drain(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, _invalid("the body is too large"))
            return None
        return self.rfile.read(length)

    def _send(self, status: int, data: dict[str, Any]) -> None:
        raw = json.dumps(data, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


def _invalid(message: str) -> dict[str, str]:
    return {"error": "invalid_request", "message": message}


def _verify_request(body: bytes) -> dict[str, Any]:
    """The verify request of the contract, checked; ValueError says what is wrong."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("the body must be a JSON object") from exc
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    personal_id = data.get("personal_id")
    if not isinstance(personal_id, str) or not PATTERN.match(personal_id):
        raise ValueError("personal_id must have exactly 12 digits")
    full_name = data.get("full_name")
    if not isinstance(full_name, str) or not full_name.strip():
        raise ValueError("full_name is required")
    birth_date = data.get("birth_date")
    if birth_date is not None:
        try:
            birth_date = dt.date.fromisoformat(birth_date)
        except (TypeError, ValueError) as exc:
            raise ValueError("birth_date must be a date (YYYY-MM-DD) or null") from exc
    birth_year = data.get("birth_year")
    if birth_year is not None and (not isinstance(birth_year, int) or isinstance(birth_year, bool)):
        raise ValueError("birth_year must be a whole number or null")
    if birth_date is None and birth_year is None:
        raise ValueError("give birth_date or birth_year")
    sex = data.get("sex")
    if sex not in (None, "male", "female"):
        raise ValueError("sex must be male, female or null")
    return {
        "personal_id": personal_id,
        "full_name": full_name,
        "birth_date": birth_date,
        "birth_year": birth_year,
        "sex": sex,
    }
