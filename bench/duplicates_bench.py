"""Planted-duplicates benchmark of the duplicate search (issue 14), on SQLite or PostgreSQL.

    uv run python bench/duplicates_bench.py --children 20000 --planted 1200

Builds a small province of its own (one province, ``--communes`` communes of six villages), loads
``--children`` synthetic children (``children/synthetic.py``, with its own repeats turned off so
that the only duplicates are the planted ones) with a caregiver each, then plants copies of
randomly chosen children, an equal share of each kind of noise:

    word_order           the family name moved to the end ("Bảo Nam Đặng")
    joined_or_split      two adjacent words joined ("Thị Mai" → "ThịMai"), or a word split in two
    dropped_letter       one letter dropped, anywhere (also the first letter of the given name)
    swapped_letter       two adjacent letters swapped
    missing_middle_name  the middle name left out
    no_diacritics        the name typed without diacritics
    day_month_swapped    the same name, the birth date with day and month swapped

A copy keeps the commune, village, sex and date of birth (or year, for the tenth of children whose
date is unknown), has no ID number, and names the same caregiver half the time (a second
registration does not always list one). As negatives it also plants ``different_ids`` copies:
the same name, date and village but another well-formed ID number (both records hold one); any
such pair proposed is a false positive.

Runs ``find_duplicates`` on the whole province and prints one JSON line: precision and recall
overall and per kind, the planted pairs missed with their name and date, the false positives, the
seconds taken. Uses the database in TREEM_DATABASE_URL (default: PostgreSQL ``treem_search``),
emptied of children first. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace

os.environ.setdefault("TREEM_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/treem_search")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treem.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from treem.children.synthetic import SyntheticChild, generate, strip_diacritics  # noqa: E402

TODAY = dt.date(2026, 12, 7)
PROVINCE_CODE = "97"  # not a real province: the bench's own
VILLAGES = 6
KINDS = (
    "word_order",
    "joined_or_split",
    "dropped_letter",
    "swapped_letter",
    "missing_middle_name",
    "no_diacritics",
    "day_month_swapped",
)
NEGATIVE = "different_ids"


def _create_database() -> None:
    if connection.vendor != "postgresql":
        return
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"], dbname="postgres"
    ) as admin:
        admin.autocommit = True
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]).fetchone():
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def _province(n_communes: int):
    """The bench's province, its communes and villages (created once)."""
    from treem.geo.models import Unit
    from treem.geo.services import unit_save_with_path

    province = Unit.objects.filter(level="province", code=PROVINCE_CODE).first()
    if province is None:
        province = unit_save_with_path(
            Unit(level="province", code=PROVINCE_CODE, name="Tỉnh Thử Nghiệm", kind="Tỉnh", path="/")
        )
    communes = []
    for i in range(n_communes):
        code = f"9{i:04d}"
        commune = Unit.objects.filter(level="commune", code=code, parent=province).first()
        if commune is None:
            commune = unit_save_with_path(
                Unit(level="commune", code=code, name=f"Xã Thử {i + 1}", kind="Xã", parent=province, path="/")
            )
            for v in range(1, VILLAGES + 1):
                unit_save_with_path(
                    Unit(level="village", name=f"Thôn {v}", kind="Thôn", parent=commune, path="/")
                )
        communes.append(commune)
    return province, communes


def _noisy(rng: random.Random, kind: str, child: SyntheticChild) -> SyntheticChild | None:
    """A second registration of ``child`` with one kind of noise, or None if it does not apply."""
    words = child.full_name.split()
    name = child.full_name
    if kind == "word_order":
        name = " ".join([*words[1:], words[0]])
    elif kind == "joined_or_split":
        if rng.random() < 0.5:
            i = rng.randrange(len(words) - 1)
            name = " ".join([*words[:i], words[i] + words[i + 1], *words[i + 2 :]])
        else:
            # The original written joined, the copy as usual: a word split in two.
            i = len(words) - 2
            joined = " ".join([*words[:i], words[i] + words[i + 1]])
            return replace(child, full_name=child.full_name), joined  # type: ignore[return-value]
    elif kind in ("dropped_letter", "swapped_letter"):
        i = rng.randrange(len(words))
        word = words[i]
        if len(word) < 3:
            return None
        j = rng.randrange(len(word) - (0 if kind == "dropped_letter" else 1))
        if kind == "dropped_letter":
            word = word[:j] + word[j + 1 :]
        else:
            if word[j].lower() == word[j + 1].lower():
                return None
            word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        words[i] = word
        name = " ".join(words)
    elif kind == "missing_middle_name":
        if len(words) < 3:
            return None
        name = " ".join([words[0], *words[2:]])
    elif kind == "no_diacritics":
        name = strip_diacritics(name)
        if name == child.full_name:
            return None
    elif kind == "day_month_swapped":
        day = child.birth_date
        if day is None or day.day > 12 or day.day == day.month:
            return None
        return replace(child, birth_date=dt.date(day.year, day.day, day.month))
    return replace(child, full_name=name)


def _load(rows: list[tuple[SyntheticChild, str]], communes) -> list[int]:
    """Children (and their caregivers) written in bulk; returns their ids in order."""
    from treem.children.models import Caregiver, Child
    from treem.core.text import fold
    from treem.geo.models import Unit

    by_code = {c.code: c for c in communes}
    villages = {
        (v.parent_id, v.name): v.pk
        for v in Unit.objects.filter(parent__in=communes, level="village").only("name")
    }
    ids = []
    for start in range(0, len(rows), 2000):
        batch = rows[start : start + 2000]
        children = []
        for child, _caregiver in batch:
            commune = by_code[child.commune_code]
            children.append(
                Child(
                    full_name=child.full_name,
                    name_folded=fold(child.full_name),
                    sex=child.sex,
                    birth_date=child.birth_date,
                    birth_year=child.birth_date.year if child.birth_date else child.birth_year,
                    personal_id=child.personal_id,
                    commune=commune,
                    village_id=villages.get((commune.pk, child.village_name)),
                    source="bench",
                    source_key=child.source_key,
                )
            )
        created = Child.objects.bulk_create(children)
        ids += [c.pk for c in created]
        Caregiver.objects.bulk_create(
            Caregiver(child=c, relationship="mother", full_name=caregiver)
            for c, (_child, caregiver) in zip(created, batch, strict=True)
            if caregiver
        )
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=20000)
    parser.add_argument("--planted", type=int, default=1400, help="planted duplicates (all kinds together)")
    parser.add_argument("--negatives", type=int, default=200, help="copies with another valid ID number")
    parser.add_argument("--communes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--misses", type=int, default=15, help="missed pairs listed per kind")
    args = parser.parse_args()

    from treem.children.duplicates import find_duplicates
    from treem.children.models import Child

    _create_database()
    call_command("migrate", verbosity=0)
    _province_unit, communes = _province(args.communes)
    Child.objects.filter(source="bench").delete()

    rng = random.Random(args.seed)
    plan = [(c.code, [f"Thôn {v}" for v in range(1, VILLAGES + 1)]) for c in communes]
    originals = list(
        generate(
            args.children, communes=plan, province="97", seed=args.seed, today=TODAY, duplicate_share=0.0
        )
    )
    # The generator's province digits are the bench's fictitious "097": give originals a real code.
    originals = [replace(c, personal_id="048" + c.personal_id[3:]) if c.personal_id else c for c in originals]
    rows: list[tuple[SyntheticChild, str]] = [(c, c.caregiver_name) for c in originals]
    planted: list[tuple[int, int, str]] = []  # (original index, copy index, kind)
    taken: set[int] = set()
    used_ids = {c.personal_id for c in originals if c.personal_id}
    per_kind = args.planted // len(KINDS)
    for kind in (*KINDS, NEGATIVE):
        wanted = args.negatives if kind == NEGATIVE else per_kind
        done = 0
        while done < wanted:
            index = rng.randrange(len(originals))
            if index in taken:
                continue
            original = originals[index]
            if kind == NEGATIVE:
                if not original.personal_id or not original.birth_date:
                    continue
                serial = (int(original.personal_id[-6:]) + 500_000) % 10**6
                number = f"{original.personal_id[:-6]}{serial:06d}"
                if number in used_ids:
                    continue
                used_ids.add(number)
                copy = replace(original, personal_id=number)
            else:
                copy = _noisy(rng, kind, original)
                if copy is None:
                    continue
                if isinstance(copy, tuple):  # a split word: the original is the joined one
                    copy, joined = copy
                    rows[index] = (replace(original, full_name=joined), rows[index][1])
                copy = replace(copy, personal_id="")
            taken.add(index)
            caregiver = original.caregiver_name if kind == NEGATIVE or rng.random() < 0.5 else ""
            rows.append((replace(copy, source_key=f"P{len(rows):08d}"), caregiver))
            planted.append((index, len(rows) - 1, kind))
            done += 1

    started = time.perf_counter()
    ids = _load(rows, communes)
    load_seconds = time.perf_counter() - started

    started = time.perf_counter()
    pairs = find_duplicates(queryset=Child.objects.filter(source="bench"))
    find_seconds = time.perf_counter() - started

    proposed = {(p.child_a, p.child_b): p for p in pairs}
    truth: dict[tuple[int, int], str] = {}
    for original, copy, kind in planted:
        a, b = ids[original], ids[copy]
        truth[(min(a, b), max(a, b))] = kind
    by_kind: dict[str, Counter] = defaultdict(Counter)
    misses: dict[str, list] = defaultdict(list)
    names = dict(Child.objects.filter(source="bench").values_list("pk", "full_name"))
    dates = {
        pk: (d or y)
        for pk, d, y in Child.objects.filter(source="bench").values_list("pk", "birth_date", "birth_year")
    }
    for key, kind in truth.items():
        hit = key in proposed
        by_kind[kind]["planted"] += 1
        by_kind[kind]["found"] += hit
        if not hit and kind != NEGATIVE and len(misses[kind]) < args.misses:
            misses[kind].append(f"{names[key[0]]} ({dates[key[0]]}) / {names[key[1]]} ({dates[key[1]]})")
    positives = {k: v for k, v in truth.items() if v != NEGATIVE}
    true_positive = sum(1 for key in proposed if key in positives)
    false_positive = [key for key in proposed if key not in positives]
    result = {
        "database": connection.vendor,
        "children": args.children,
        "records": len(rows),
        "communes": len(communes),
        "planted": len(positives),
        "proposed": len(proposed),
        "precision": round(true_positive / len(proposed), 4) if proposed else None,
        "recall": round(true_positive / len(positives), 4),
        "per_kind_recall": {
            kind: round(c["found"] / c["planted"], 4) for kind, c in by_kind.items() if kind != NEGATIVE
        },
        "different_ids_proposed": by_kind[NEGATIVE]["found"],
        "false_positives": len(false_positive),
        "false_positive_examples": [
            f"{names[a]} ({dates[a]}) / {names[b]} ({dates[b]}) {proposed[(a, b)].score}"
            for a, b in false_positive[:15]
        ],
        "misses": misses,
        "load_seconds": round(load_seconds, 1),
        "find_seconds": round(find_seconds, 1),
    }
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
