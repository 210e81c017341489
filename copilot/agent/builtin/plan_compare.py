"""Comparisons and money in a plan: a compared number as a row filter or a group's HAVING, a currency as the
filter of the amount it qualifies, and a currency named as the figure itself."""

from __future__ import annotations

from copilot.agent.builtin import semantic
from copilot.agent.builtin.build import Builder
from copilot.agent.builtin.counts import counted_rows
from copilot.agent.builtin.lexicon import english
from copilot.agent.builtin.outcome import AskBack
from copilot.agent.builtin.read import MeasureSpec, Reading
from copilot.agent.builtin.tags import Mention
from copilot.agent.builtin.vocab import Element
from copilot.plan.model import FieldRef, Filter, Having, Measure


def money_named_as_figure(b: Builder, r: Reading) -> tuple[str, str] | None:
    """ "euros taken in payments", "how many dollars per channel": a currency named as the thing counted, not as
    a qualifier ("EUR payments", "paid in euros"), asks for the subject's amount of money, added up."""
    schema = b.vocab.topics[b.source]
    money = [f.name for f in schema.fields if semantic.currency_field(schema, f.name)]
    if len(money) != 1:
        return None
    currency = semantic.currency_field(schema, money[0])
    qualifiers = {str(w) for w in english()["currency_qualifiers"]}
    for k, t in enumerate(r.toks):
        m = t.mention
        named = (
            t.role == "currency"
            and m is None
            or m is not None
            and m.start == k
            and m.end == k + 1
            and all(e.kind == "value" and (e.topic != b.source or e.field == currency) for e in m.elements)
            and any(e.topic == b.source for e in m.elements)
        )
        if not named or any(c.currency for c in r.compares):
            continue
        before = r.toks[k - 1].low if k > 0 else ""
        after = r.toks[k + 1] if k + 1 < len(r.toks) else None
        if before in qualifiers or (after is not None and after.mention is not None):
            continue
        return money[0], t.text
    return None


def currency_words(b: Builder, r: Reading, filters: list[Filter]) -> None:
    """ "toll costs in pounds": a currency named outside a comparison filters the subject's currency field."""
    schema = b.vocab.topics[b.source]
    fields = sorted({c for f in schema.fields if (c := semantic.currency_field(schema, f.name))})
    money = {f.name for f in schema.fields if semantic.currency_field(schema, f.name)}
    measured = {field.field for m in b.measures_built if (field := _aggregated(b, m)[1]) is not None}
    if b.measures_built and not measured & money:
        return  # "fuel in dollars": no amount of money is measured, so the currency is left for the user to explain
    for t in r.toks:
        if t.role != "currency" or t.used or t.mention is not None or len(fields) != 1:
            continue
        ref = FieldRef(topic=b.source, field=fields[0])
        if not any(f.field == ref for f in filters):
            filters.append(Filter(field=ref, op="=", values=[str(t.arg)], words=t.text))
        t.used = True


def add_count(b: Builder, measures: list[Measure]) -> str:
    m = Measure(alias=b.alias(b.source), func="count")
    measures.append(m)
    return m.alias


def comparison(b: Builder, c, measures, filters, having, dims) -> None:
    op = c.op
    if c.kind == "share":  # "methods whose declined share is above 10 %": the share per group, compared
        m = b.measure(MeasureSpec("share", None, condition=c.target, words=c.target.text))
        same = next(
            (x for x in measures if x.model_dump(exclude={"alias", "words"}) == m.model_dump(exclude={"alias", "words"})), None
        )
        if same is None:
            measures.append(m)
            same = m
        having.append(Having(measure=same.alias, op=op, value=c.value, words=c.words))
        return
    if c.kind == "measure" and b.r.list_strong and c.target is not None:
        # "tolls above 30 euros, listed as they arrive": rows are listed, so the metric's number is compared row by row
        e = next((x for x in c.target.of("metric")), None)
        metric = b.vocab.metric(e.topic, e.metric or "") if e else None
        simple = semantic.simple_metric(metric.expression) if metric else None
        if e is not None and simple and simple[1] and simple[0] in ("sum", "avg", "min", "max"):
            c.kind, c.having = "field", False
            c.target = Mention(c.target.start, c.target.end, c.target.text, [Element("field", e.topic, simple[1])], used=True)
    if c.kind == "figure":  # "…, only where it is at least 30": the question's own (first) figure, per group
        target = measures[0].alias if measures else "__count__"
        having.append(Having(measure=target, op=op, value=c.value, words=c.words))
        return
    if c.kind == "count":
        counted = counted_rows(b, c.target)
        if isinstance(counted, Measure):  # "devices with more than 5 alarms": the catalog's count of alarms
            same = next((x for x in measures if x.metric and x.metric == counted.metric), None)
            if same is None:
                measures.append(counted)
                same = counted
            having.append(Having(measure=same.alias, op=op if op != "=" else ">=", value=c.value, words=c.words))
            return
        if isinstance(counted, Filter) and not b.r.measures:
            filters.append(counted)  # "devices with more than 5 reboots": the rows with that value, counted
        having.append(Having(measure="__count__", op=op if op != "=" else ">=", value=c.value, words=c.words))
        return
    if c.kind == "measure" or (c.having and (dims or b.r.window)):
        if c.target is None:  # "which channels brought in over 5000 euros": each group's total amount
            m = b.measure(MeasureSpec(c.func or "sum", None, words=c.words))
        else:
            m = b.measure(MeasureSpec(c.func, c.target, distinct=c.func == "count_distinct", words=c.target.text))
        same = next(
            (x for x in measures if x.model_dump(exclude={"alias", "words"}) == m.model_dump(exclude={"alias", "words"})), None
        )
        if c.currency:
            money = _money_field(b, m)
            if money is None:  # a count or a number without a currency is never compared with an amount of money
                raise AskBack(
                    f"“{c.words}” compares a total with an amount in {c.currency}: which do you mean?",
                    [
                        {
                            "label": f"each {b.source.replace('_', ' ')} over {c.value:g} {c.currency}",
                            "question": b.question.replace(c.words, "").strip()
                            + f" with an amount over {c.value:g} {c.currency}",
                        },
                        {"label": f"groups whose total is over {c.value:g}", "question": b.question},
                    ],
                )
            _currency_filter(b, c, money, filters)
        if same is None:
            measures.append(m)
            same = m
        having.append(Having(measure=same.alias, op=op if op != "=" else ">=", value=c.value, words=c.words))
        return
    if c.target is not None and c.target.of("topic") and not c.target.of("field"):
        e = b.resolve(c.target, ("topic",))
        amount = b.vocab.main_amount(e.topic)
        if amount is None:
            raise AskBack(f"“{c.words or c.value}” of what?", b._number_options(e.topic, c.words))
        if e.topic != b.source:
            b.join_to(e.topic)
        field = FieldRef(topic=e.topic, field=amount)
    elif c.target is not None:
        e = b.resolve(c.target, ("field",))
        field = FieldRef(topic=e.topic, field=e.field or "")
    else:
        amount = b.vocab.main_amount(b.source)
        if amount is None:
            raise AskBack(f"“{c.words or c.value}” of what?", b._number_options(b.source, c.words))
        field = FieldRef(topic=b.source, field=amount)

    def num(v: float):
        return int(v) if float(v).is_integer() else v

    values = [num(c.value)] + ([num(c.high)] if c.high is not None else [])
    filters.append(Filter(field=field, op=op, values=values, words=c.words))
    if c.currency:
        _currency_filter(b, c, field, filters)


def _aggregated(b: Builder, m: Measure) -> tuple[str, FieldRef | None]:
    """A measure's aggregate and the field it aggregates, through a metric's plain expression ("SUM(amount)")."""
    if m.metric is None:
        return str(m.func or ""), m.field
    metric = b.vocab.metric(b.source, m.metric)
    simple = semantic.simple_metric(metric.expression) if metric else None
    return (simple[0], FieldRef(topic=b.source, field=simple[1])) if simple and simple[1] else ("", None)


def _money_field(b: Builder, m: Measure) -> FieldRef | None:
    """The amount of money a measure adds up or averages (a field with a currency), if it is one."""
    func, field = _aggregated(b, m)
    if field is None or func not in ("sum", "avg", "min", "max"):
        return None
    return field if semantic.currency_field(b.vocab.topics[field.topic], field.field) else None


def _currency_filter(b: Builder, c, field: FieldRef, filters: list[Filter]) -> None:
    """An amount named in a currency keeps the rows in that currency (the amount's currency field)."""
    cur = semantic.currency_field(b.vocab.topics[field.topic], field.field)
    if cur:
        if not any(f.field == FieldRef(topic=field.topic, field=cur) for f in filters):
            filters.append(Filter(field=FieldRef(topic=field.topic, field=cur), op="=", values=[c.currency], words=c.currency))
    else:
        b.notices.append(f"{field.field} has no currency in the catalog; {c.currency} is read as a unit only")
