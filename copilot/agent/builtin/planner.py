"""BuiltinPlanner: read the question against the catalog, build a plan (or refine the previous one),
render Flink SQL. It answers only what it understood; otherwise it says why and suggests questions."""

from __future__ import annotations

from copilot.agent.base import Draft, Planner, PlanRequest
from copilot.agent.builtin.build import from_reading
from copilot.agent.builtin.describe import describe
from copilot.agent.builtin.followup import is_followup, refine
from copilot.agent.builtin.plan import QueryPlan
from copilot.agent.builtin.render import Renderer
from copilot.agent.builtin.understand import NotUnderstood, Reader
from copilot.agent.builtin.vocabulary import Vocabulary
from copilot.agent.suggest import suggestions


class BuiltinPlanner(Planner):
    name = "builtin"

    def __init__(self) -> None:
        self._vocab_for: tuple[int, Vocabulary] | None = None

    def _vocabulary(self, topics) -> Vocabulary:
        if self._vocab_for is None or self._vocab_for[0] != id(topics):
            self._vocab_for = (id(topics), Vocabulary(topics))
        return self._vocab_for[1]

    def plan(self, request: PlanRequest) -> Draft:
        vocab = self._vocabulary(request.topics)
        previous = self._previous_plan(request)
        reader = Reader(vocab, [t for t, _ in request.retrieved])
        try:
            reading = reader.read(request.question, context_source=previous.source if previous else None)
            if previous is not None and is_followup(request.question, reading, previous):
                if reading.source != previous.source:  # reread with the previous topic as the subject
                    reading = Reader(vocab, [previous.source]).read(request.question, context_source=previous.source)
                plan, notices = refine(previous, reading, vocab)
            else:
                if previous is not None:  # a new question: read it without the old subject
                    reading = reader.read(request.question)
                plan, notices = from_reading(reading, vocab)
        except NotUnderstood as exc:
            return self.unsure(request, exc.reason)
        sql = Renderer(request.topics).render(plan)
        return Draft(
            planner=self.name,
            sql=sql,
            tables=plan.tables,
            explanation=describe(plan, upsert=request.topics[plan.source].is_upsert),
            state=plan.to_dict(),
            notices=notices,
            chart=_chart(plan),
        )

    def unsure(self, request: PlanRequest, reason: str) -> Draft:
        return Draft(
            planner=self.name,
            confident=False,
            reason=f"I cannot answer this with confidence: {reason}.",
            suggestions=suggestions(request.topics, request.retrieved),
        )

    @staticmethod
    def _previous_plan(request: PlanRequest) -> QueryPlan | None:
        for turn in reversed(request.history):
            if turn.plan:
                try:
                    return QueryPlan.from_dict(turn.plan)
                except (KeyError, TypeError):
                    return None
        return None


def _chart(plan: QueryPlan) -> dict | None:
    if not plan.chart or not plan.measures:
        return None
    x = "window_end" if plan.window else (plan.dimensions[0].field if plan.dimensions else None)
    series = plan.dimensions[0].field if plan.window and plan.dimensions else None
    return {"type": plan.chart, "x": x, "y": plan.measures[0].alias, "series": series}
