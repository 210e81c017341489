"""The held-out question sets (demo.yaml, fleet.yaml and sets B to Y: demo_b..y.yaml, fleet_b..y.yaml) are well formed, cover the mix they promise,
and every gold SQL is accepted by Flink's planner (each distinct statement once, in four gateway sessions)."""

from __future__ import annotations

from collections import Counter

import pytest
from check_gold import check_all, is_sql, load_questions, question_sets


def _mix(name: str) -> Counter:
    path, _ = question_sets()[name]
    return Counter("SQL" if is_sql(i["gold"]) else i["gold"].strip() for i in load_questions(path))


@pytest.mark.parametrize(
    "name, minimum",
    [
        ("demo", 160),
        ("fleet", 65),
        ("demo_b", 100),
        ("fleet_b", 50),
        ("demo_c", 80),
        ("fleet_c", 40),
        ("demo_d", 110),
        ("fleet_d", 55),
        ("demo_e", 110),
        ("fleet_e", 55),
        ("demo_f", 110),
        ("fleet_f", 55),
        ("demo_g", 110),
        ("fleet_g", 55),
        ("demo_h", 110),
        ("fleet_h", 55),
        ("demo_i", 110),
        ("fleet_i", 55),
        ("demo_j", 110),
        ("fleet_j", 55),
        ("demo_k", 110),
        ("fleet_k", 55),
        ("demo_l", 110),
        ("fleet_l", 55),
        ("demo_m", 110),
        ("fleet_m", 55),
        ("demo_n", 110),
        ("fleet_n", 55),
        ("demo_o", 110),
        ("fleet_o", 55),
        ("demo_p", 110),
        ("fleet_p", 55),
        ("demo_q", 110),
        ("fleet_q", 55),
        ("demo_r", 110),
        ("fleet_r", 55),
        ("demo_s", 110),
        ("fleet_s", 55),
        ("demo_t", 110),
        ("fleet_t", 55),
        ("demo_u", 110),
        ("fleet_u", 55),
        ("demo_v", 110),
        ("fleet_v", 55),
        ("demo_w", 110),
        ("fleet_w", 55),
        ("demo_x", 110),
        ("fleet_x", 55),
        ("demo_y", 110),
        ("fleet_y", 55),
    ],
)
def test_question_set_size_and_mix(name, minimum):
    mix = _mix(name)
    total = sum(mix.values())
    assert total >= minimum, f"{name}: {total} questions, want at least {minimum}"
    for marker in ("CLARIFY", "DECLINE"):
        share = mix[marker] / total
        assert 0.10 <= share <= 0.20, f"{name}: {marker} share {share:.0%}, want about 15%"


def test_fleet_catalog_loads_without_problems():
    from copilot.catalog.store import YamlCatalogStore

    _, catalog_dir = question_sets()["fleet"]
    loaded = YamlCatalogStore(catalog_dir).load()
    assert loaded.problems == []
    assert {t for t, s in loaded.topics.items() if s.is_upsert} >= {"devices", "sites"}


def test_every_gold_sql_passes_parse_policy_and_catalog_checks():
    bad = [(c.set_name, c.index, c.errors) for c in check_all() if not c.valid]
    assert bad == []


@pytest.mark.stack
def test_every_gold_sql_is_accepted_by_flink(stack):
    checked = check_all(sessions=4)  # the gateway plans in parallel; one session waits on each reply
    bad = [(c.set_name, c.index, c.question, c.errors) for c in checked if not c.valid]
    assert checked and bad == []
