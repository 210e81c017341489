"""Property: every plan the type admits either fails `check_plan` with reasons, or compiles to SQL the
flink dialect parses back to the same statement; on the stack, Flink's planner accepts every one."""

from __future__ import annotations

import pytest
import sqlglot
from hypothesis import HealthCheck, event, given, settings, strategies as st
from live_helpers import in_gateway_sessions

from copilot import settings as copilot_settings
from copilot.plan.check import check_plan, output_names
from copilot.plan.compile import PlanError, compile_plan
from copilot.plan.explain import explain_plan
from tests.plan.strategies import SECOND_CATALOG, collect_checked_plans, load_catalog, plans

DEMO = load_catalog(copilot_settings.DEMO_CATALOG_DIR)
SECOND = load_catalog(SECOND_CATALOG)
CATALOGS = {"demo": DEMO, "second": SECOND}


def _plan_in_some_catalog():
    return st.sampled_from(sorted(CATALOGS)).flatmap(lambda name: st.tuples(st.just(name), plans(CATALOGS[name])))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(_plan_in_some_catalog())
def test_every_admitted_plan_is_rejected_with_reasons_or_compiles(named_plan):
    name, plan = named_plan
    topics = CATALOGS[name]
    problems = check_plan(plan, topics)
    if problems:
        event("rejected: " + problems[0].split(":")[0][:60])
        assert all(isinstance(p, str) and p for p in problems)
        with pytest.raises(PlanError):
            compile_plan(plan, topics)
        return
    event(
        f"compiled ({'aggregate' if plan.is_aggregate else 'listing'}, {len(plan.joins)} joins, window={plan.window.kind if plan.window else None})"
    )
    sql = compile_plan(plan, topics)
    tree = sqlglot.parse_one(sql, read="flink")
    assert tree.sql(dialect="flink", identify=True) == sql or tree.sql(dialect="flink") == sql
    names = [e.alias_or_name for e in tree.expressions]
    assert names == output_names(plan) or (not plan.is_aggregate and not plan.columns)
    assert explain_plan(plan, topics)
    assert plan.from_dict(plan.to_dict()) == plan


@pytest.mark.stack
def test_flink_accepts_every_checked_plan(stack):
    """150 checked plans over both catalogs, four gateway sessions: Flink's planner accepts 100%."""
    from copilot.validate import validate

    drawn = collect_checked_plans(CATALOGS, 150)

    def failure(item, engine):
        name, plan, sql = item
        result = validate(sql, catalog=CATALOGS[name], engine=engine)
        if result.valid:
            return None
        return f"{name}: {plan.to_dict()}\n{sql}\n{[e.stage + ': ' + e.message for e in result.errors]}"

    failures = [f for f in in_gateway_sessions(drawn, failure) if f]
    assert len(drawn) >= 100, f"only {len(drawn)} distinct checked plans were drawn"
    assert not failures, f"{len(failures)}/{len(drawn)} rejected by Flink:\n" + "\n\n".join(failures[:6])
