"""The whole province's duplicate search at scale (issue 14): its time against the 5-minute limit.

    uv run python bench/children_bench.py setup
    uv run python bench/search_bench.py --load 1000000 --samples 5     # 1,000,000 children by COPY
    uv run python bench/duplicates_province_bench.py

Runs ``duplicates_refresh`` — what the "Look for duplicates" job of a province runs — over every
child of province 48 (Đà Nẵng's communes, as the other benches load them), as the system, with the
job's progress callback timing each stage (the communes one by one, the names across communes,
the ID numbers, saving the pairs). Prints one JSON line: children, communes, pairs found, seconds in
all and per stage, the slowest commune, and the limit. Uses the database in TREEM_DATABASE_URL
(default PostgreSQL ``treem_search``). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("TREEM_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/treem_search")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treem.settings")

import django

django.setup()

LIMIT_SECONDS = 300


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--province", default="48", help="code of the province searched")
    args = parser.parse_args()

    from treem.children.duplicates import duplicates_refresh
    from treem.children.models import Child
    from treem.geo.models import Unit

    province = Unit.objects.get(level="province", code=args.province, valid_from__isnull=False)
    children = Child.objects.filter(is_active=True, commune__path__startswith=province.path).count()
    stages: dict[str, float] = {}
    slowest = {"seconds": 0.0, "commune": None}
    last = {"stage": None, "at": time.perf_counter(), "done": 0}

    def progress(stage: str, done: int, total: int | None = None) -> None:
        now = time.perf_counter()
        if last["stage"] is not None:
            stages[last["stage"]] = stages.get(last["stage"], 0.0) + now - last["at"]
        if stage == "communes" and done and now - last["at"] > slowest["seconds"]:
            slowest.update(seconds=round(now - last["at"], 2), commune=done)
        last.update(stage=stage, at=now, done=done)

    started = time.perf_counter()
    result = duplicates_refresh(
        acting_user=None, queryset=Child.objects.all(), unit=province, progress=progress
    )
    seconds = time.perf_counter() - started
    progress("end", 0)
    print(
        json.dumps(
            {
                "children": children,
                "communes": Unit.objects.filter(parent=province, level="commune").count(),
                "pairs_found": result.found,
                "seconds": round(seconds, 1),
                "seconds_by_stage": {k: round(v, 1) for k, v in stages.items()},
                "slowest_commune_seconds": slowest["seconds"],
                "limit_seconds": LIMIT_SECONDS,
                "verdict": "met" if seconds <= LIMIT_SECONDS else "miss",
            }
        )
    )


if __name__ == "__main__":
    main()
