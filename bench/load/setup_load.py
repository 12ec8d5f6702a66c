"""People and work for the load test (issue 7): run after ``children_bench.py setup / generate / import``.

    TREEM_DATABASE_URL=postgres://postgres@127.0.0.1:5432/treem_load \
        uv run python bench/load/setup_load.py --out /tmp/load_personas.json

Creates, in the benchmark database of Đà Nẵng's units and children:
* 100 commune officers (one per commune, in the communes with the most children), each with a
  confirmed authenticator whose key is written to the personas file so the simulated users can
  type their one-time codes;
* 20 commune chairmen (case supervisors), each with 40 cases whose plans wait for approval;
* 10 provincial coordinators and viewers of the whole province (dashboards and statistics).
Also writes, per officer, names of children of the commune typed without diacritics (searches) and
child ids (detail pages). Running it again reuses what exists.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the case-building helpers of the test suite (tests/cases/records.py)
os.environ.setdefault("TREEM_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/treem_load")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treem.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db.models import Count  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from treem.accounts.models import UnitAssignment, User  # noqa: E402
from treem.cases.choices import PlanStatus  # noqa: E402
from treem.cases.models import Plan  # noqa: E402
from treem.children.models import Child  # noqa: E402
from treem.core.text import fold  # noqa: E402
from treem.geo.models import Unit  # noqa: E402

PASSWORD = "Tai-thu-2026-load!"
OFFICERS, SUPERVISORS, PROVINCE_USERS, CASES_PER_SUPERVISOR = 100, 20, 10, 40


def person(username: str, role: str, unit: Unit, full_name: str) -> tuple[User, str]:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name=full_name)
        user.set_password(PASSWORD)
        user.save()
        UnitAssignment.objects.create(user=user, unit=unit)
    user.groups.set([Group.objects.get(name=role)])
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Điện thoại", confirmed=True)
    return user, device.key


def main() -> None:
    from tests.cases.records import open_case, submitted_plan

    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/tmp/load_personas.json")
    args = parser.parse_args()
    rng = random.Random(7)
    province = Unit.objects.get(level="province", code="48", valid_from__isnull=False)
    busiest = (
        Child.objects.filter(commune__parent=province)
        .values("commune")
        .annotate(n=Count("pk"))
        .order_by("-n", "commune")[:OFFICERS]
    )
    by_pk = Unit.objects.in_bulk([row["commune"] for row in busiest])
    communes = [by_pk[row["commune"]] for row in busiest]
    personas = {"password": PASSWORD, "officers": [], "supervisors": [], "province": []}
    for i, commune in enumerate(communes):
        user, key = person(f"load.officer.{i:03d}", "commune_officer", commune, f"Cán bộ {commune.name}")
        children = list(Child.objects.filter(commune=commune).values_list("pk", "full_name")[:400])
        villages = list(Unit.objects.filter(parent=commune, level="village").values_list("pk", flat=True))
        names = sorted({fold(name).split()[-1] + " " + fold(name).split()[0] for _pk, name in children})
        personas["officers"].append(
            {
                "username": user.username,
                "key": key,
                "commune": commune.pk,
                "villages": villages,
                "child_ids": [pk for pk, _name in children[:200]],
                "queries": rng.sample(names, min(40, len(names))) or ["nguyen"],
            }
        )
    for i, commune in enumerate(communes[:SUPERVISORS]):
        supervisor, key = person(
            f"load.chairman.{i:02d}", "case_supervisor", commune, f"Chủ tịch {commune.name}"
        )
        worker = User.objects.get(username=f"load.officer.{i:03d}")
        waiting = Plan.objects.filter(case__supervisor=supervisor, status=PlanStatus.SUBMITTED).count()
        for _ in range(CASES_PER_SUPERVISOR - waiting):
            child = Child.objects.filter(commune=commune).order_by("?").first()
            case = open_case(worker, commune, supervisor=supervisor, child=child)
            submitted_plan(case, worker)
        personas["supervisors"].append({"username": supervisor.username, "key": key, "commune": commune.pk})
    for i in range(PROVINCE_USERS):
        role = "provincial_coordinator" if i % 2 == 0 else "viewer"
        user, key = person(f"load.province.{i:02d}", role, province, f"Sở {i}")
        personas["province"].append({"username": user.username, "key": key, "role": role})
    Path(args.out).write_text(json.dumps(personas, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        json.dumps(
            {
                "officers": len(personas["officers"]),
                "supervisors": len(personas["supervisors"]),
                "province": len(personas["province"]),
                "plans_waiting": Plan.objects.filter(status=PlanStatus.SUBMITTED).count(),
                "children": Child.objects.count(),
            }
        )
    )


if __name__ == "__main__":
    main()
