"""Speed of the ranked child search (issue 14) next to bare indexed queries, in the same run.

    uv run python bench/search_bench.py --samples 300

Needs a database loaded by ``bench/children_bench.py`` (setup, generate, import): PostgreSQL in
TREEM_DATABASE_URL (default ``treem_search``). Draws ``--samples`` names of children at random,
types each without diacritics, and once more with one typo (a letter dropped or two swapped, not
the first letter of a word), then times, for each text:

- ``ranked``: ``children.search.ranked_children`` (what the page, the API and the pickers run),
  the first 25, as the bench user (who sees every unit);
- ``word_start``: the bare word-start query it starts from (every typed word starts a word of the
  name, the trigram GIN index), ordered by the folded name, the first 25;
- ``trigram``: a bare pg_trgm word-similarity query (``%>``, same index), the first 25, unordered.

Prints one JSON line with p50/p95 in milliseconds and the number of children. Not part of the
test suite.

``--load N`` first writes N synthetic children with PostgreSQL's ``COPY`` straight into the
table (names folded in Python as ``Child.save`` does; no import checks), into the communes of the
province ``children_bench.py setup`` creates: a quicker way to a large registry when the import
itself is not what is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from functools import reduce
from operator import and_

os.environ.setdefault("TREEM_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/treem_search")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treem.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

BENCH_USER = "bench.admin"
LIMIT = 25


def _typo(rng: random.Random, text: str) -> str:
    words = text.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 4]
    if not long_words:
        return text
    i = rng.choice(long_words)
    word = words[i]
    j = rng.randrange(1, len(word) - 1)
    dropped = word[:j] + word[j + 1 :]
    swapped = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    words[i] = dropped if rng.random() < 0.5 else swapped
    return " ".join(words)


def _percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1),
        "max_ms": round(ordered[-1], 1),
    }


COPIED = (
    "created_at", "updated_at", "full_name", "name_folded", "sex", "birth_date", "birth_year", "personal_id",
    "nationality", "birth_registration_place", "school", "grade", "schooling_status", "disability_type",
    "disability_level", "notes", "id_check_status", "source", "source_key", "is_active", "inactive_reason",
    "commune_id",
)  # fmt: skip


def _load(n: int, seed: int) -> int:
    """Write ``n`` synthetic children with COPY (see the module docstring); returns how many."""
    import datetime as dt

    from django.utils import timezone

    from treem.children.models import Child
    from treem.children.synthetic import generate
    from treem.core.text import fold
    from treem.geo.models import Unit

    province = Unit.objects.get(level="province", code="48", valid_from__isnull=False)
    communes = {c.code: c.pk for c in Unit.objects.filter(parent=province, level="commune")}
    defaults = {name: Child._meta.get_field(name).get_default() for name in COPIED}
    now = timezone.now()
    used: set[str] = set(Child.objects.exclude(personal_id="").values_list("personal_id", flat=True))
    columns = ", ".join(f'"{Child._meta.get_field(name).column}"' for name in COPIED)
    written = 0
    with connection.cursor() as cursor, cursor.copy(f"COPY children_child ({columns}) FROM STDIN") as copy:
        plan = [(code, []) for code in communes]
        for index, child in enumerate(generate(n, communes=plan, seed=seed, today=dt.date(2026, 12, 7))):
            number = child.personal_id if child.personal_id not in used else ""
            used.add(number)
            row = {
                **defaults,
                "created_at": now,
                "updated_at": now,
                "full_name": child.full_name,
                "name_folded": fold(child.full_name),
                "sex": child.sex,
                "birth_date": child.birth_date,
                "birth_year": child.birth_date.year if child.birth_date else child.birth_year,
                "personal_id": number,
                "source": "search-bench",
                "source_key": f"L{seed}-{index:08d}",
                "is_active": True,
                "commune_id": communes[child.commune_code],
            }
            copy.write_row([row[name] for name in COPIED])
            written += 1
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE children_child")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--load", type=int, default=0, help="first COPY this many synthetic children in")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("the search bench compares with pg_trgm: point TREEM_DATABASE_URL at PostgreSQL")
    if args.load:
        started = time.perf_counter()
        loaded = _load(args.load, args.seed)
        print(json.dumps({"loaded": loaded, "seconds": round(time.perf_counter() - started, 1)}), flush=True)

    from treem.accounts.models import User
    from treem.children.models import Child
    from treem.children.search import ranked_children, word_start
    from treem.core.text import fold

    user = User.objects.get(username=BENCH_USER)
    rng = random.Random(args.seed)
    count = Child.objects.count()
    top = Child.objects.order_by("-pk").values_list("pk", flat=True).first()
    names: list[str] = []
    while len(names) < args.samples:
        row = (
            Child.objects.filter(pk__gte=rng.randrange(1, top + 1))
            .order_by("pk")
            .values_list("full_name")[:1]
        )
        names += [fold(name) for (name,) in row]
    typed = {"exact": names, "typo": [_typo(rng, name) for name in names]}

    def ranked(text: str) -> int:
        return len(ranked_children(user=user, text=text, limit=LIMIT))

    def bare_word_start(text: str) -> int:
        condition = reduce(and_, (word_start(w) for w in text.split()))
        return len(
            list(Child.objects.filter(condition).order_by("name_folded", "pk").values_list("pk")[:LIMIT])
        )

    def bare_trigram(text: str) -> int:
        return len(
            list(Child.objects.filter(name_folded__trigram_word_similar=text).values_list("pk")[:LIMIT])
        )

    result: dict = {"children": count, "samples": args.samples, "limit": LIMIT}
    for kind, texts in typed.items():
        for label, run in (("ranked", ranked), ("word_start", bare_word_start), ("trigram", bare_trigram)):
            if kind == "typo" and label == "word_start":
                continue  # finds nothing with a typo: not a baseline for it
            timings, empty = [], 0
            run(texts[0])  # warm the connection and the caches
            for text in texts:
                started = time.perf_counter()
                found = run(text)
                timings.append((time.perf_counter() - started) * 1000)
                empty += found == 0
            result[f"{kind}_{label}"] = {**_percentiles(timings), "found_nothing": empty}
    result["limits"] = {"exact_ranked_p50_ms": 15, "exact_ranked_p95_ms": 30, "typo_ranked_p95_ms": 100}
    json.dump(result, sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
