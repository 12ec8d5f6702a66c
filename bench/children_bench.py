"""Province-scale benchmarks of the child database (issue 3), run on PostgreSQL.

    uv run python bench/children_bench.py setup                 # units of Đà Nẵng, villages, a bench user
    uv run python bench/children_bench.py generate --rows 1000000 --out /tmp/children.csv
    uv run python bench/children_bench.py import --csv /tmp/children.csv
    uv run python bench/children_bench.py search --samples 300
    uv run python bench/children_bench.py stats --repeat 5

Uses the database in TREEM_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/treem_bench).
Each command prints one JSON line of figures next to the limit named in the issue; the figures
are copied by hand into docs/benchmarks.md. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TREEM_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/treem_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treem.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

BENCH_USER = "bench.admin"
VILLAGES_PER_COMMUNE = 6
TODAY = dt.date(2026, 11, 28)


def _user():
    from treem.accounts.models import User

    return User.objects.get(username=BENCH_USER)


def _communes():
    from treem.geo.models import Unit

    province = Unit.objects.get(level="province", code="48", valid_from__isnull=False)
    return list(Unit.objects.filter(parent=province, level="commune").order_by("code"))


def _create_database() -> None:
    """Create the benchmark database when it does not exist yet."""
    import psycopg

    settings = connection.settings_dict
    admin = psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def cmd_setup(args) -> dict:
    from django.contrib.auth.models import Group

    from treem.accounts.models import User
    from treem.geo.models import Unit
    from treem.geo.services import unit_save_with_path

    _create_database()
    call_command("migrate", verbosity=0)
    if not Unit.objects.filter(level="province", code="48", valid_from__isnull=False).exists():
        call_command("import_units", province=["48", "49"], no_progress=True, verbosity=0)
    for commune in _communes():
        have = set(Unit.objects.filter(parent=commune, level="village").values_list("name", flat=True))
        for i in range(1, VILLAGES_PER_COMMUNE + 1):
            name = f"Thôn {i}"
            if name not in have:
                unit_save_with_path(Unit(level="village", name=name, kind="Thôn", parent=commune, path="/"))
    user, _ = User.objects.get_or_create(
        username=BENCH_USER, defaults={"sees_all_units": True, "full_name": "Bench"}
    )
    user.groups.set([Group.objects.get(name="system_admin")])
    return {"communes": len(_communes())}


def cmd_generate(args) -> dict:
    from treem.children.importers import COLUMN_BY_KEY
    from treem.children.synthetic import generate

    communes = [(c.code, [f"Thôn {i}" for i in range(1, VILLAGES_PER_COMMUNE + 1)]) for c in _communes()]
    keys = [
        "full_name",
        "sex",
        "birth_date",
        "birth_year",
        "personal_id",
        "ethnicity",
        "commune",
        "village",
        "source_key",
    ]
    started = time.perf_counter()
    with open(args.out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([COLUMN_BY_KEY[k].header for k in keys])
        for child in generate(args.rows, communes=communes, today=TODAY):
            writer.writerow(
                [
                    child.full_name,
                    "Nam" if child.sex == "male" else "Nữ",
                    child.birth_date.strftime("%d/%m/%Y") if child.birth_date else "",
                    child.birth_year,
                    child.personal_id,
                    child.ethnicity_code,
                    child.commune_code,
                    child.village_name,
                    child.source_key,
                ]
            )
    return {
        "rows": args.rows,
        "file": args.out,
        "bytes": Path(args.out).stat().st_size,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _copy_baseline(path: str) -> float:
    """PostgreSQL's own COPY of the same CSV into a bare table of text columns."""
    with open(path, encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    columns = ", ".join(f"c{i} text" for i in range(len(header)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_baseline")
        cursor.execute(f"CREATE TABLE bench_copy_baseline ({columns})")
    started = time.perf_counter()
    with (
        connection.cursor() as cursor,
        open(path, "rb") as handle,
        cursor.copy("COPY bench_copy_baseline FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
    ):
        while chunk := handle.read(1 << 20):
            copy.write(chunk)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_copy_baseline")
    return seconds


def cmd_import(args) -> dict:
    import resource

    from treem.children.importers import children_import
    from treem.children.models import Child

    if connection.vendor != "postgresql":
        sys.exit(
            "the import benchmark compares with PostgreSQL's COPY: point TREEM_DATABASE_URL at PostgreSQL"
        )
    if args.fresh:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {Child._meta.db_table} RESTART IDENTITY CASCADE")
            cursor.execute("VACUUM ANALYZE")
    copy_seconds = _copy_baseline(args.csv)
    before = Child.objects.count()
    started = time.perf_counter()
    result = children_import(acting_user=_user(), path=args.csv, today=TODAY)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "rows_in_file": result.rows,
        "created": Child.objects.count() - before,
        "errors": result.error_count,
        "import_seconds": round(seconds, 1),
        "copy_seconds": round(copy_seconds, 1),
        "ratio": round(seconds / copy_seconds, 2),
        "limit_ratio": 3.0,
        "peak_rss_mib": round(peak_mib),
    }


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def cmd_search(args) -> dict:
    from treem.children.models import Child
    from treem.children.selectors import child_list
    from treem.children.synthetic import _typo, strip_diacritics

    user = _user()
    rng = random.Random(7)
    total = Child.objects.count()
    names = []
    for _ in range(args.samples):
        row = Child.objects.order_by().values_list("full_name", flat=True)[rng.randrange(total)]
        names.append(row)
    timings = {"exact_no_diacritics": [], "typo": []}
    for name in names:
        for kind, text in (
            ("exact_no_diacritics", strip_diacritics(name).lower()),
            ("typo", _typo(rng, strip_diacritics(name).lower())),
        ):
            started = time.perf_counter()
            page = list(child_list(user=user, filters={"q": text})[:25])
            if not page and kind == "typo":
                from treem.children.search import child_search

                page = child_search(queryset=child_list(user=user, filters={}), text=text, limit=25)
            timings[kind].append((time.perf_counter() - started) * 1000)
    return {
        "children": total,
        **{f"{k}_p50_ms": round(_percentile(v, 50), 1) for k, v in timings.items()},
        **{f"{k}_p95_ms": round(_percentile(v, 95), 1) for k, v in timings.items()},
        "limit_p95_ms": 50,
    }


def cmd_stats(args) -> dict:
    from treem.children.statistics import child_statistics, statistics_children

    user = _user()
    hand_sql = """
        SELECT c.commune_id, c.sex,
               CASE WHEN %(y)s - c.birth_year < 3 THEN 0 WHEN %(y)s - c.birth_year < 6 THEN 1
                    WHEN %(y)s - c.birth_year < 11 THEN 2 WHEN %(y)s - c.birth_year < 16 THEN 3 ELSE 4 END,
               count(*)
        FROM children_child c WHERE c.is_active GROUP BY 1, 2, 3
    """
    ours, theirs = [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(hand_sql, {"y": TODAY.year})
            cursor.fetchall()
        theirs.append(time.perf_counter() - started)
        started = time.perf_counter()
        child_statistics(queryset=statistics_children(user), group_by=["unit", "sex", "age_band"], day=TODAY)
        ours.append(time.perf_counter() - started)
    a, b = statistics.median(ours), statistics.median(theirs)
    page, page_cached, page_sql = _stats_page(user, args.repeat)
    return {
        "ours_ms": round(a * 1000),
        "group_by_ms": round(b * 1000),
        "ratio": round(a / b, 2),
        "page_ms": round(page * 1000),
        "page_cached_ms": round(page_cached * 1000),
        "page_group_by_ms": round(page_sql * 1000),
        "page_ratio": round(page / page_sql, 2),
        "limit_ratio": 1.5,
    }


# The numbers the statistics page shows by default (children under 16 by commune and sex on the day,
# and the five-year trend: children by year of birth and year the record was made), by hand.
PAGE_SQL = (
    """
    SELECT c.commune_id, c.sex, count(*) FROM children_child c
    WHERE c.is_active AND c.birth_year > %(y)s - 16 GROUP BY 1, 2
    """,
    """
    SELECT c.birth_year,
           LEAST(EXTRACT(year FROM c.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh'), %(y)s), count(*)
    FROM children_child c
    WHERE c.is_active AND c.birth_year BETWEEN %(y)s - 4 - 15 AND %(y)s - 1 GROUP BY 1, 2
    """,
    """
    SELECT count(m.id) FROM children_child c JOIN children_circumstancemembership m ON m.child_id = c.id
    WHERE c.is_active AND m.entered_on <= %(day)s
    """,
)


def _signed_in(user):
    """A client signed in as ``user`` past the one-time code (the bench user's second factor is a
    confirmed authenticator marked verified in the session, as after a right code)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from treem.accounts.two_factor import two_factor_required

    client = Client()
    client.force_login(user)
    if two_factor_required(user):
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _stats_page(user, repeat: int) -> tuple[float, float, float]:
    """Median seconds of the whole statistics page (GET, rendered) counted anew (cache emptied
    before each request) and from the cache, and of PAGE_SQL."""
    from django.core.cache import cache
    from django.urls import reverse

    client = _signed_in(user)
    url = reverse("children:statistics") + f"?day={TODAY:%d/%m/%Y}"
    pages, cached, sqls = [], [], []
    for _ in range(repeat):
        cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        pages.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        assert b"otp" not in response.get("Location", "").encode(), "stopped at the one-time code"
        started = time.perf_counter()
        again = client.get(url)
        cached.append(time.perf_counter() - started)
        assert again.status_code == 200, again.status_code
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in PAGE_SQL:
                cursor.execute(sql, {"y": TODAY.year, "day": TODAY})
                cursor.fetchall()
        sqls.append(time.perf_counter() - started)
    return statistics.median(pages), statistics.median(cached), statistics.median(sqls)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup")
    gen = sub.add_parser("generate")
    gen.add_argument("--rows", type=int, default=1_000_000)
    gen.add_argument("--out", default="/tmp/treem-children.csv")
    imp = sub.add_parser("import")
    imp.add_argument("--csv", default="/tmp/treem-children.csv")
    imp.add_argument("--fresh", action="store_true", help="empty the children's tables first")
    srch = sub.add_parser("search")
    srch.add_argument("--samples", type=int, default=300)
    st = sub.add_parser("stats")
    st.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    figures = globals()[f"cmd_{args.command}"](args)
    print(json.dumps({"command": args.command, "database": connection.vendor, **figures}, ensure_ascii=False))


if __name__ == "__main__":
    main()
