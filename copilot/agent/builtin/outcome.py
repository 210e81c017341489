"""What the planner returns when it does not answer: a question back, or a decline."""

from __future__ import annotations

from contextvars import ContextVar


class AskBack(Exception):
    """The question needs the user to choose: one short question, 2–4 options, each option a
    complete follow-up question."""

    def __init__(self, question: str, options: list[dict], answered_only: bool = False, unanswered: str = "", passable: str = ""):
        super().__init__(question)
        self.question = question
        self.options = options if answered_only else options[:4]
        # the options are readings the catalog offers, not all of which it can answer: keep those it answers, and
        # when it answers none, decline with `unanswered`
        self.answered_only = answered_only
        self.unanswered = unanswered or question
        # when none of the options is answered: the question read again without this ask (`passed` names it)
        self.passable = passable


# the asks passed over in the reading under way (none of their options was answered)
passed: ContextVar[frozenset[str]] = ContextVar("passed", default=frozenset())
# True while an option of a question back is tried: a choice the option's own answer will offer (which currency)
# does not make the option unanswered
trying_an_option: ContextVar[bool] = ContextVar("trying_an_option", default=False)


class Decline(Exception):
    """The catalog cannot answer this; `reason` names what is missing."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class UnknownWords(Decline):
    """Words neither the catalog nor the lexicon lists; the planner may offer catalog words near them in
    meaning as options of a question back."""

    def __init__(self, reason: str, words: list[str]):
        super().__init__(reason)
        self.words = words
