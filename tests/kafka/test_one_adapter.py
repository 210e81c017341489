"""Every use of confluent_kafka goes through copilot/kafka/, and that package sits in the bottom layer.
Counts imports anywhere in a module (inside functions too) and dynamic imports by name."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "copilot"
ADAPTER = PACKAGE / "kafka"
# the infrastructure layer: copilot/kafka may import only these parts of the product
ALLOWED_IN_ADAPTER = ("copilot.settings", "copilot.errors", "copilot.kafka")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import statement in `path`, at any depth, and of importlib/__import__ calls
    with a literal name."""
    source = path.read_text()
    found: list[tuple[int, str]] = []
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError:  # a file being edited: fall back to the text, so nothing slips through unread
        for number, line in enumerate(source.splitlines(), 1):
            words = line.split()
            if len(words) >= 2 and words[0] in ("import", "from"):
                found.append((number, words[1].rstrip(",")))
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("import_module", "__import__"):
                found.append((node.lineno, node.args[0].value))
    return found


def test_confluent_kafka_is_imported_only_by_the_adapter():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if ADAPTER in path.parents:
            continue
        for line, module in imported_modules(path):
            if module == "confluent_kafka" or module.startswith("confluent_kafka."):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}")
    assert not offenders, "use copilot.kafka (clients, admin, sample) instead:\n" + "\n".join(offenders)


def test_the_adapter_uses_confluent_kafka():
    # the check above is not vacuous: the scan sees the adapter's own imports
    seen = {module for path in ADAPTER.glob("*.py") for _, module in imported_modules(path)}
    assert "confluent_kafka" in seen and "confluent_kafka.admin" in seen


def test_scan_counts_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    from confluent_kafka import Consumer\n    import importlib\n"
        "    return importlib.import_module('confluent_kafka.admin')\n"
    )
    assert {m for _, m in imported_modules(module)} >= {"confluent_kafka", "confluent_kafka.admin"}


def test_the_adapter_imports_only_the_bottom_layer():
    offenders = []
    for path in sorted(ADAPTER.glob("*.py")):
        for line, module in imported_modules(path):
            if module == "copilot":
                continue  # `from copilot import settings`: checked through the names it imports
            if module.startswith("copilot.") and not any(module == a or module.startswith(a + ".") for a in ALLOWED_IN_ADAPTER):
                offenders.append(f"{path.name}:{line} imports {module}")
    assert not offenders, "\n".join(offenders)
