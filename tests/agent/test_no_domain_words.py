"""No word of the demo domain in the planner, the plan compiler, validation or the catalog code: the
string literals of those packages (and the planner's lexicon files) are scanned against the demo
catalog's topic names, categorical values and synonyms. Generic English (the lexicon) is allowed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from copilot.agent.builtin.lexicon import LEXICON_DIR
from copilot.settings import DEMO_CATALOG_DIR, PROJECT_ROOT

PACKAGES = ["copilot/agent/builtin", "copilot/plan", "copilot/validate", "copilot/catalog"]
WORD = re.compile(r"[a-z][a-z0-9_]*")
# Words the demo catalog happens to use as synonyms or values that the product also uses in its own,
# technical sense (a Flink session window, user SQL, a YAML `label` key, a file created): not domain words.
PRODUCT_WORDS = {"label", "session", "user", "client", "english", "reading", "joined", "result", "failed", "package", "created"}


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def _generic() -> set[str]:
    words: set[str] = set()

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                walk(k)
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        elif x is not None:
            words.update(_words(str(x)))

    for path in LEXICON_DIR.glob("*.yaml"):
        walk(yaml.safe_load(path.read_text()))
    return words | PRODUCT_WORDS


def domain_terms(generic: set[str] | None = None) -> set[tuple[str, ...]]:
    """Topic names, categorical values (codes and labels) and synonyms of the demo catalog, as word
    sequences; terms made only of generic English words are not domain words."""
    generic = _generic() if generic is None else generic
    terms: set[tuple[str, ...]] = set()

    def add(text) -> None:
        words = tuple(_words(str(text).replace("-", " ")))
        if words and not all(w in generic or len(w) < 3 for w in words):
            terms.add(words)

    for path in Path(DEMO_CATALOG_DIR).glob("*.yaml"):
        doc = yaml.safe_load(path.read_text())
        add(doc["topic"])
        add(doc["topic"].replace("_", " "))
        for f in doc.get("fields") or []:
            for syn in f.get("synonyms") or []:
                add(syn)
            for code, spec in (f.get("values") or {}).items():
                add(code)
                if isinstance(spec, dict):
                    add(spec.get("label") or "")
                    for syn in spec.get("synonyms") or []:
                        add(syn)
                elif spec:
                    add(re.sub(r"\(.*?\)", "", str(spec)))
            for key in ("present_words", "absent_words"):
                for w in f.get(key) or []:
                    add(w)
        for m in doc.get("metrics") or []:
            add(m["name"].replace("_", " "))
            for syn in m.get("synonyms") or []:
                add(syn)
    return terms


def _literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text())
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def _hits(text: str, terms: set[tuple[str, ...]]) -> list[str]:
    words = _words(text)
    found = []
    for term in terms:
        n = len(term)
        if any(tuple(words[i : i + n]) == term for i in range(len(words) - n + 1)):
            found.append(" ".join(term))
    return found


def test_the_demo_catalog_has_domain_terms_to_look_for():
    terms = domain_terms()
    assert ("orders",) in terms and ("klarna",) in terms and len(terms) > 100


def test_code_of_the_planner_compiler_validation_and_catalog_has_no_demo_domain_word():
    terms = domain_terms()
    offenders = []
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            for line, text in _literals(path):
                for hit in _hits(text, terms):
                    offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{line}: {hit!r} in {text[:60]!r}")
    assert offenders == [], "\n".join(offenders)


# Generic English the demo catalog also uses, reviewed one by one: currency words and ISO codes and
# irregular verb forms (generic by definition, see the issue), grammar and light words.
LEXICON_OVERLAP = {
    "total",
    "make",
    "item",
    "units",
    "missing",
    "anonymous",
    "received",
    "registered",
    "individual",
    "arrived",
    "spend",
    "attempt",
    "attempts",
    "attempted",
}


def test_the_lexicon_files_hold_only_generic_english():
    """Checked against every catalog term (the lexicon itself does not make a word generic here)."""
    from copilot.agent.builtin.lexicon import english

    lex = english()
    allowed = set(LEXICON_OVERLAP)
    allowed |= {str(k).lower() for k in lex["currencies"]} | {str(v).lower() for v in lex["currencies"].values()}
    for participle, forms in lex["irregular_verbs"].items():
        allowed |= {str(participle)} | {str(f) for f in forms}
    terms = domain_terms(PRODUCT_WORDS)
    offenders = []
    for path in LEXICON_DIR.glob("*.yaml"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            for hit in _hits(line.split("#")[0], terms):
                if hit not in allowed:
                    offenders.append(f"{path.name}:{n}: {hit!r}")
    assert offenders == [], "\n".join(offenders)
