"""A bounded load test (issue 7): 200 simulated people for 10 minutes against treem on loopback.

Not part of the test suite. bench/load/README.md says how to prepare the database and run it;
figures go to docs/benchmarks.md.

The mix, by weight: commune officers (search children by a name typed without diacritics, open a
child, register a child, their dashboard and case list), commune chairmen (their pending plans:
open a case, approve its plan) and provincial staff (the dashboard, the province's child
statistics and unit statistics). Everyone signs in through the login page with their one-time
code, once, then works with pauses as a person would (3–12 s between actions).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading

from django_otp.oath import TOTP
from locust import FastHttpUser, between, task

with open(os.environ.get("TREEM_LOAD_PERSONAS", "/tmp/load_personas.json"), encoding="utf-8") as _file:
    PERSONAS = json.load(_file)
_lock = threading.Lock()
_pools = {kind: itertools.cycle(PERSONAS[kind]) for kind in ("officers", "supervisors", "province")}
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')


def _take(kind: str) -> dict:
    with _lock:
        return next(_pools[kind])


class Person(FastHttpUser):
    abstract = True
    kind = ""
    wait_time = between(3, 12)

    def on_start(self):
        self.persona = _take(self.kind)
        self.client.get("/login/", name="/login/")
        response = self.post_form(
            "/login/",
            {"username": self.persona["username"], "password": PERSONAS["password"]},
            name="/login/ [POST]",
        )
        if "/accounts/two-factor/verify/" in (response.url or ""):
            code = f"{TOTP(bytes.fromhex(self.persona['key'])).token():06d}"
            self.post_form(response.url, {"token": code}, name="/accounts/two-factor/verify/ [POST]")

    def _csrf_from_jar(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    def post_form(self, path: str, data: dict, name: str):
        """Post a form as the browser would from its page (CSRF cookie and token, Referer)."""
        token = self._csrf_from_jar()
        page = path if path.startswith("http") else f"{self.host}{path}"
        return self.client.post(
            path,
            data={**data, "csrfmiddlewaretoken": token},
            headers={"X-CSRFToken": token, "Referer": page},
            name=name,
        )


class Officer(Person):
    kind = "officers"
    weight = 6

    @task(6)
    def search(self):
        self.client.get(f"/children/?q={random.choice(self.persona['queries'])}", name="/children/?q=…")

    @task(3)
    def child(self):
        if self.persona["child_ids"]:
            self.client.get(f"/children/{random.choice(self.persona['child_ids'])}/", name="/children/<id>/")

    @task(1)
    def register(self):
        self.client.get("/children/add/", name="/children/add/")
        self.post_form(
            "/children/add/",
            {
                "commune": self.persona["commune"],
                "village": random.choice(self.persona["villages"]) if self.persona["villages"] else "",
                "full_name": f"Trẻ Tải Thử {random.randint(1, 10**9)}",
                "sex": random.choice(["male", "female"]),
                "birth_year": str(random.randint(2010, 2025)),
                "nationality": "VN",
                "schooling_status": "unknown",
            },
            name="/children/add/ [POST]",
        )

    @task(2)
    def dashboard(self):
        self.client.get("/", name="/")

    @task(1)
    def cases(self):
        self.client.get("/cases/", name="/cases/")


class Chairman(Person):
    kind = "supervisors"
    weight = 2

    @task(2)
    def dashboard(self):
        self.client.get("/", name="/")

    @task(3)
    def approve_a_plan(self):
        listing = self.client.get("/cases/?step=", name="/cases/")
        ids = CASE_LINK.findall(listing.text or "")
        if not ids:
            return
        case = random.choice(ids)
        self.client.get(f"/cases/{case}/", name="/cases/<id>/")
        self.post_form(
            f"/cases/{case}/plan/decide/",
            {"decide-decision": "approve", "decide-comments": "Đồng ý"},
            name="/cases/<id>/plan/decide/ [POST]",
        )


class ProvinceStaff(Person):
    kind = "province"
    weight = 2

    @task(3)
    def dashboard(self):
        self.client.get("/", name="/")

    @task(2)
    def child_statistics(self):
        self.client.get("/children/statistics/", name="/children/statistics/")

    @task(1)
    def unit_statistics(self):
        self.client.get("/units/statistics/", name="/units/statistics/")
