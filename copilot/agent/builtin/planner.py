"""BuiltinPlanner: the question read against the catalog's vocabulary into a `QueryPlan` (or the
previous answer's plan changed in one part), compiled by `copilot.plan`. Every content word of the
question is used by the plan; otherwise the planner asks back, or declines naming what is missing."""

from __future__ import annotations

from dataclasses import replace

from copilot.agent.base import Draft, Planner, PlanRequest
from copilot.agent.builtin.assemble import assemble
from copilot.agent.builtin.context import set_aside
from copilot.agent.builtin.degenerate import changes_something
from copilot.agent.builtin.followup import refine, wants_followup
from copilot.agent.builtin.meaning import (
    PhraseIndex,
    candidates,
    catalog_phrases,
    names_a_thing,
    names_the_figure,
    option_label,
    replace_word,
    without_asides,
)
from copilot.agent.builtin.outcome import AskBack, Decline, UnknownWords, passed, trying_an_option
from copilot.agent.builtin.read import read
from copilot.agent.builtin.vocab import vocabulary_for
from copilot.agent.suggest import suggestions
from copilot.plan.compile import PlanError, compile_plan
from copilot.plan.explain import explain_plan
from copilot.plan.model import QueryPlan


class BuiltinPlanner(Planner):
    """`meanings` (optional) reads a word the catalog does not list by meaning: the catalog words nearest
    to it are offered as options of a question back."""

    name = "builtin"

    def __init__(self, meanings: PhraseIndex | None = None):
        self.meanings = meanings
        self._suggest = True
        self._depth = 0

    def plan(self, request: PlanRequest) -> Draft:
        draft = self._plan(request)
        if draft.sql is None:
            aside = set_aside(request.question, vocabulary_for(request.topics))
            if aside is not None:
                rest, context = aside
                draft = self._plan(replace(request, question=rest))
                said = " ".join(f"“{c}”" for c in context)
                draft.notices.insert(0, f"set aside as the reason for asking, not part of the question: {said}")
        return draft

    def warm(self, topics) -> bool:
        """Ready the vectors that read a word the catalog does not list, for this catalog version."""
        return self.meanings is not None and self.meanings.warm(catalog_phrases(vocabulary_for(topics)))

    def _answerable(self, request: PlanRequest, limit: int = 4) -> list[str]:
        """Suggested questions this planner answers itself (a catalog example it cannot read is left out); worked
        out once per catalog version and retrieved topics (each is planned), then kept with the vocabulary."""
        known = vocabulary_for(request.topics).answerable
        key = (tuple(t for t, _ in request.retrieved), limit)  # only the order of the topics counts
        if key not in known:
            known[key] = self._answerable_now(request, limit)
        return list(known[key])

    def _answerable_now(self, request: PlanRequest, limit: int) -> list[str]:
        out = []
        for question in suggestions(request.topics, request.retrieved, limit=3 * limit):
            draft = self._plan(PlanRequest(question, request.topics, request.retrieved, []), suggest=False)
            if draft.sql:
                out.append(question)
            if len(out) >= limit:
                break
        return out

    def _plan(self, request: PlanRequest, suggest: bool = True, by_meaning: bool = True) -> Draft:
        self._suggest = suggest
        vocab = vocabulary_for(request.topics)
        previous = self._previous_plan(request, vocab.topics)
        rank = [t for t, _ in request.retrieved]
        notices: list[str] = []
        try:
            reading = read(request.question, vocab)
            notices += [f"reading “{a}” as {b}" for a, b in reading.tagged.corrections]
            if (
                previous is None
                and reading.followup_cue
                and (not reading.measures or reading.additive or _replaces(request.question))
            ):
                _continues_unanswered(request)
            if previous is not None and wants_followup(reading, previous, vocab):
                _skips_unanswered(request)
                before = previous.model_copy(deep=True)
                plan, more = refine(previous, reading, vocab, request.question, rank)
                changes_something(before, plan, request.question, request.history[-1].question if request.history else "")
            else:
                plan, more = assemble(reading, vocab, request.question, rank)
            notices += more
            sql = compile_plan(plan, request.topics)
        except AskBack as ask:
            return self.ask_back(request, ask)
        except UnknownWords as exc:
            ask_meaning = self._by_meaning(request, exc, suggest) if by_meaning and self.meanings else None
            self._suggest = suggest
            if ask_meaning is not None and names_the_figure(request.question, exc.words[0], vocabulary_for(request.topics)):
                # "profit by country": the figure itself is missing — declined naming it, the nearest as suggestions
                draft = self.unsure(request, exc.reason)
                draft.suggestions = [o["question"] for o in ask_meaning.options] + draft.suggestions
                draft.suggestions = list(dict.fromkeys(draft.suggestions))[:4]
                return draft
            ask_meaning = self._with_or_without(request, exc, ask_meaning, suggest) if by_meaning else ask_meaning
            return self.ask_back(request, ask_meaning) if ask_meaning else self.unsure(request, exc.reason)
        except Decline as exc:
            return self.unsure(request, exc.reason)
        except (PlanError, ValueError) as exc:
            return self.unsure(request, f"the plan I read cannot be written as a query: {_plan_problem(exc)}")
        explanation = explain_plan(plan, request.topics)
        if plan.time_zone:
            explanation += f" Days and hours start in the session time zone ({plan.time_zone})."
        return Draft(
            planner=self.name,
            sql=sql,
            tables=plan.tables,
            explanation=explanation,
            state=plan.to_dict(),
            notices=notices,
            chart=_chart(plan),
        )

    def _by_meaning(self, request: PlanRequest, unknown: UnknownWords, suggest: bool) -> AskBack | None:
        """The question again with the first unknown word replaced by each catalog phrase near it in
        meaning; those that the planner answers become the options (one per distinct answer)."""
        assert self.meanings is not None
        word = unknown.words[0]
        vocab = vocabulary_for(request.topics)
        options: list[dict] = []
        answers: set[str] = set()
        near = candidates(self.meanings, vocab, word)
        if not near and " " in word:  # "racking up": no catalog phrase near the phrasal verb; near its verb?
            word = word.split()[0]
            near = candidates(self.meanings, vocab, word)
        for phrase, _score, elements in near:
            question = replace_word(request.question, word, phrase)
            if question == request.question:
                continue
            draft = self._plan(PlanRequest(question, request.topics, request.retrieved, request.history), False, False)
            if draft.sql and draft.sql not in answers:
                answers.add(draft.sql)
                options.append({"label": option_label(word, phrase, elements), "question": question})
            if len(options) >= 3:
                break
        if not options:
            return None
        said = " or ".join(f"“{o['label']}”" for o in options)
        return AskBack(f"The catalog has no “{word}”; the closest in meaning: {said}. Which do you mean?", options)

    def _with_or_without(
        self, request: PlanRequest, unknown: UnknownWords, near: AskBack | None, suggest: bool
    ) -> AskBack | None:
        """Words the catalog does not list, where no word of it names the figure asked for ("how many units
        moved per category", "sorry if silly question, revenue per channel"): the question without them is
        offered, beside any catalog phrases near them in meaning — the person says whether the words changed
        anything. Never answered without asking: "customers whose deliveries arrived late" without "late" is a
        different question."""
        vocab = vocabulary_for(request.topics)
        if any(names_a_thing(request.question, w, vocab) for w in unknown.words):
            return near
        without = without_asides(request.question, unknown.words, vocab)
        if not without or without == request.question:
            return near
        if not self._answers(request, without):
            return near
        said = ", ".join(f"“{w}”" for w in unknown.words)
        option = {"label": f"without {said}", "question": without}
        if near is not None:
            return AskBack(near.question, [*near.options[:3], option])
        return AskBack(
            f"The catalog has nothing for {said}: should I answer without {'it' if len(unknown.words) == 1 else 'them'}?",
            [option],
        )

    def ask_back(self, request: PlanRequest, ask: AskBack) -> Draft:
        if ask.answered_only:  # each option: the first of its tries the planner answers
            asked = " ".join(request.question.lower().split())
            options: list[dict] = []
            for o in ask.options:
                tries = o.get("tries") or ([o["question"]] if o.get("question") else [])  # a phrase not found: no tries
                tries = [q for q in tries if " ".join(q.lower().split()) != asked]  # the same question: no option
                answered = next((q for q in tries if self._answers(request, q)), None)
                if answered is not None and len(options) < 4:
                    options.append({"label": o["label"], "question": answered})
            if not options and ask.passable and ask.passable not in passed.get():  # read as if it were not asked
                token = passed.set(passed.get() | {ask.passable})
                try:
                    return self._plan(request, self._suggest)
                finally:
                    passed.reset(token)
            if not options:  # no reading of the word is answered
                return self.unsure(request, ask.unanswered)
        else:
            options = [o for o in ask.options if o.get("question")]
        if len(options) < 2:  # a question back needs choices: add ones the catalog can answer
            for s in self._answerable(request) if self._suggest else []:
                if len(options) >= 3:
                    break
                options.append({"label": s.rstrip("?."), "question": s})
        return Draft(
            planner=self.name,
            confident=False,
            reason=ask.question,
            clarification={"question": ask.question, "options": options[:4]},
            suggestions=[o["question"] for o in options[:4]],
        )

    def _answers(self, request: PlanRequest, question: str) -> bool:
        """Whether the planner answers `question` in the same conversation (no suggestions, no reading by meaning)."""
        if self._depth >= 3:  # an option's option's option: a question rewritten that far is not offered
            return False
        suggest = self._suggest
        self._depth += 1
        token = trying_an_option.set(True)
        try:
            draft = self._plan(PlanRequest(question, request.topics, request.retrieved, request.history), False, False)
        finally:
            trying_an_option.reset(token)
            self._depth -= 1
        self._suggest = suggest
        return draft.sql is not None

    def unsure(self, request: PlanRequest, reason: str) -> Draft:
        return Draft(
            planner=self.name,
            confident=False,
            reason=f"I cannot answer this with confidence: {reason}.",
            suggestions=self._answerable(request) if getattr(self, "_suggest", True) else [],
        )

    @staticmethod
    def _previous_plan(request: PlanRequest, topics) -> QueryPlan | None:
        for turn in reversed(request.history):
            if turn.plan:
                try:
                    plan = QueryPlan.from_dict(turn.plan)
                except Exception:  # an older plan shape: start afresh
                    return None
                return plan if all(t in topics for t in plan.tables) else None
        return None  # a turn without a plan (declined, asked back) is skipped: the last answer still counts


def _replaces(question: str) -> bool:
    """ "count sessions instead of views": a question that swaps one part of another only follows up."""
    from copilot.agent.builtin.lexicon import english

    low = f" {question.lower()} "
    return " instead " in low or any(f" {w} " in low for w in english()["replace_words"])


def _continues_unanswered(request: PlanRequest) -> None:
    """A follow-up ("only for …", "now per hour") whose conversation has no answer yet (the last turn was
    asked back or declined): it cannot change a plan that does not exist. Ask rather than answer it alone."""
    last = request.history[-1] if request.history else None
    if last is None or last.plan or last.sql:
        return
    if last.question.strip().rstrip("?.! ").lower() in request.question.lower():
        return  # an option of the question asked back: it restates the question before
    q = request.question.strip().rstrip("?.!")
    words = q.split()
    openers = {
        "now",
        "only",
        "just",
        "and",
        "also",
        "but",
        "then",
        "instead",
        "same",
        "make",
        "it",
        "for",
        "what",
        "about",
        "how",
    }
    while words and words[0].lower().strip(",") in openers:
        words = words[1:]
    options = [{"label": "together with the question before", "question": f"{last.question.rstrip('?.! ')} {q}"}]
    if words and " ".join(words) != q:
        options.append({"label": "as a question of its own", "question": " ".join(words)})
    raise AskBack(
        f"“{request.question}” changes the question before (“{last.question}”), which has no answer yet: what should I answer?",
        options,
    )


def _skips_unanswered(request: PlanRequest) -> None:
    """A follow-up typed after a question that was asked back or declined ("filter that to cold stores", then
    "and show the peak instead") would change the last answer without the change that was not answered: ask
    whether to apply both, or this one alone. Choosing either (a question restating the last) is answered."""
    last = request.history[-1]
    if last.plan or last.sql:
        return
    if last.question.strip().rstrip("?.! ").lower() in request.question.lower():
        return
    q = request.question.strip().rstrip("?.!")
    raise AskBack(
        f"“{last.question}” has no answer yet: should “{request.question}” change the last answer with it, or alone?",
        [
            {"label": f"with “{last.question.rstrip('?.! ')}”", "question": f"{last.question.rstrip('?.! ')}, {q}"},
            {"label": "alone", "question": q},
        ],
    )


def _chart(plan: QueryPlan) -> dict | None:
    if not plan.chart or not plan.measures:
        return None
    dim = plan.dimensions[0].alias or plan.dimensions[0].field.field if plan.dimensions else None
    x = "window_end" if plan.window else dim
    series = dim if plan.window else None
    return {"type": plan.chart, "x": x, "y": plan.measures[0].alias, "series": series}


def _plan_problem(exc: Exception) -> str:
    """The plan model's own words, without the validation library's decoration (input dump, help link)."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return "; ".join(str(e.get("msg", "")).removeprefix("Value error, ") for e in errors())
    return str(exc)
