"""Validate every gold SQL of the held-out question sets against Flink's planner.

    .venv/bin/python tests/heldout/check_gold.py [--no-engine] [--json]

Each distinct gold is checked once; four SQL Gateway sessions share the work (the demo and fleet catalogs use
distinct table names).
Exit status 0 when every gold SQL is valid, 1 otherwise (each invalid one is printed with Flink's
reason), 3 when the gateway is unreachable.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MARKERS = {"DECLINE", "CLARIFY"}
PERSONAS = {"ops", "finance", "marketing", "support", "exec", "engineer", "analyst", "intern"}


def question_sets() -> dict[str, tuple[Path, Path]]:
    """Set name → (questions file, catalog directory)."""
    from copilot.settings import DEMO_CATALOG_DIR

    catalogs = {"demo": Path(DEMO_CATALOG_DIR), "fleet": ROOT / "examples" / "catalogs" / "fleet"}
    sets = {}
    for suffix in (
        "",
        "_b",
        "_c",
        "_d",
        "_e",
        "_f",
        "_g",
        "_h",
        "_i",
        "_j",
        "_k",
        "_l",
        "_m",
        "_n",
        "_o",
        "_p",
        "_q",
        "_r",
        "_s",
        "_t",
        "_u",
        "_v",
        "_w",
        "_x",
        "_y",
    ):  # one pair per written set, in the order written
        for kind, catalog in catalogs.items():
            sets[f"{kind}{suffix}"] = (HERE / f"{kind}{suffix}.yaml", catalog)
    return sets


def load_questions(path: Path) -> list[dict]:
    """The question list, checked for the eval format: {q, gold[, follow_up, persona, note]}."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a YAML list of {{q, gold}} items")
    for i, item in enumerate(items):
        where = f"{path.name} item {i + 1}"
        if not isinstance(item, dict) or not isinstance(item.get("q"), str) or not isinstance(item.get("gold"), str):
            raise ValueError(f"{where}: needs a string `q` and a string `gold`")
        unknown = set(item) - {"q", "gold", "follow_up", "persona", "note"}
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        if item.get("persona") is not None and item["persona"] not in PERSONAS:
            raise ValueError(f"{where}: persona must be one of {sorted(PERSONAS)}")
        if item.get("follow_up") and i == 0:
            raise ValueError(f"{where}: a follow-up needs a previous question")
        if item["gold"].strip() in MARKERS and not item.get("note"):
            raise ValueError(f"{where}: a {item['gold'].strip()} gold needs a `note` saying why")
    return items


def is_sql(gold: str) -> bool:
    return gold.strip() not in MARKERS


@dataclass
class Checked:
    set_name: str
    index: int
    question: str
    valid: bool
    stage: str | None
    errors: list[str]


def check_all(sessions: int = 0) -> list[Checked]:
    """Every gold SQL of every set, checked once per distinct statement and catalog (many sets repeat a
    gold); with `sessions` > 0, Flink's planner checks them too, the work shared among that many gateway sessions."""
    from copilot.catalog.store import YamlCatalogStore
    from copilot.validate import validate

    pending: list[tuple[str, int, str, str, Path]] = []
    topics_of: dict[Path, dict] = {}
    for name, (path, catalog_dir) in question_sets().items():
        if catalog_dir not in topics_of:
            loaded = YamlCatalogStore(catalog_dir).load()
            if loaded.problems:
                raise ValueError(f"catalog {catalog_dir} has problems: {loaded.problems}")
            topics_of[catalog_dir] = loaded.topics
        for i, item in enumerate(load_questions(path)):
            if is_sql(item["gold"]):
                pending.append((name, i + 1, item["q"], item["gold"].strip(), catalog_dir))
    distinct = list(dict.fromkeys((gold, catalog_dir) for *_, gold, catalog_dir in pending))

    def check(key, engine=None):
        return validate(key[0], topics_of[key[1]], engine)

    if sessions:
        from live_helpers import in_gateway_sessions

        checked = in_gateway_sessions(distinct, check, sessions)
    else:
        checked = [check(key) for key in distinct]
    results = dict(zip(distinct, checked))
    out = []
    for name, index, question, gold, catalog_dir in pending:
        result = results[(gold, catalog_dir)]
        errors = [getattr(e, "message", str(e)) for e in result.errors]
        out.append(Checked(name, index, question, bool(result.valid), result.stage, errors))
    return out


def main(argv: list[str] | None = None) -> int:
    sys.path[:0] = [str(ROOT), str(HERE.parent)]  # the package, and tests/ for the shared gateway helper
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-engine", action="store_true", help="skip Flink's planner (parse, policy, catalog only)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        checked = check_all(sessions=0 if args.no_engine else 4)
    except Exception as exc:  # a service error names the service; anything else is a bad file
        from copilot.errors import ServiceUnavailable

        if isinstance(exc, ServiceUnavailable):
            print(f"gateway unreachable: {exc}", file=sys.stderr)
            return 3
        raise
    bad = [c for c in checked if not c.valid]
    if args.json:
        print(json.dumps({"checked": len(checked), "invalid": [c.__dict__ for c in bad]}, indent=2))
    else:
        for c in bad:
            print(f"INVALID {c.set_name} #{c.index} ({c.stage}) {c.question!r}: {'; '.join(c.errors)}")
        print(f"{len(checked) - len(bad)}/{len(checked)} gold SQL valid")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
