"""The synthetic data generator behind the demo and the benchmarks."""

import datetime as dt

from treem.children.identity import personal_id_findings
from treem.children.synthetic import generate

COMMUNES = [("20335", ["Tổ dân phố 1", "Tổ dân phố 2"]), ("20194", [])]
TODAY = dt.date(2026, 11, 28)


def test_same_seed_same_children_and_unique_valid_id_numbers():
    first = list(generate(20_000, communes=COMMUNES, today=TODAY))
    assert first == list(generate(20_000, communes=COMMUNES, today=TODAY))
    ids = [c.personal_id for c in first if c.personal_id]
    assert len(ids) == len(set(ids)) and len(ids) > 10_000
    for child in first[:2000]:
        if child.personal_id:
            assert personal_id_findings(child.personal_id, sex=child.sex, birth_year=child.birth_year) == []


def test_shares_of_duplicates_and_names_without_diacritics():
    children = list(generate(10_000, communes=COMMUNES, today=TODAY, duplicate_share=0.02))
    keys = {c.source_key for c in children}
    assert len(keys) == len(children)
    repeated = len(children) - len({(c.birth_year, c.caregiver_name, c.household_key) for c in children})
    assert 100 <= repeated <= 300  # about 2 %
    ascii_only = sum(c.full_name.isascii() for c in children)
    assert 500 <= ascii_only <= 1600  # about 10 %, plus Vietnamese names that have no diacritics
    assert all(0 <= (TODAY.year - c.birth_year) <= 16 for c in children)
