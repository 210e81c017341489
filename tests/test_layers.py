"""The import direction of docs/architecture.md: every module imports only its own layer or lower ones.

Read with `ast` from the source (nothing is imported), so an import inside a function, a method or an
`if TYPE_CHECKING:` block counts the same as one at the top of the module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "copilot"

# Lowest first. A module belongs to the layer of the longest prefix below that names it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "infrastructure",
        (
            "copilot",
            "copilot.settings",
            "copilot.errors",
            "copilot.security",
            "copilot.kafka",
            "copilot.sql",
            "copilot.capabilities.audit",
            "copilot.capabilities.events",
        ),
    ),
    ("catalog", ("copilot.catalog", "copilot.capabilities.catalog")),
    ("flink", ("copilot.flink", "copilot.capabilities.engine")),
    ("validate", ("copilot.validate",)),
    ("plan", ("copilot.plan", "copilot.capabilities.planner")),
    ("agent", ("copilot.agent", "copilot.capabilities.live")),
    ("jobs", ("copilot.jobs", "copilot.capabilities.jobs")),
    ("eval", ("copilot.eval",)),
    # the composition root, the surfaces, and the tools (demo generator, process launcher) that may use everything
    (
        "top",
        (
            "copilot.wiring",
            "copilot.cli",
            "copilot.app",
            "copilot.ui",
            "copilot.mcp",
            "copilot.service",
            "copilot.stack",
            "copilot.__main__",
        ),
    ),
]
RANK = {prefix: rank for rank, (_name, prefixes) in enumerate(LAYERS) for prefix in prefixes}
SURFACES = ("copilot.cli", "copilot.app", "copilot.ui", "copilot.mcp", "copilot.service")
# implementations that live in a surface package: the event bus client and the watch service of copilot/service
WIRED_FROM_SURFACES = ("copilot.service.client", "copilot.service.watches")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> tuple[int, str]:
    """(rank, prefix) of the longest known prefix of `module`."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in RANK:
            return RANK[prefix], prefix
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in tests/test_layers.py")


def imports(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, imported module) for every `copilot` import anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "copilot"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "copilot":
                continue
            if target == "copilot" or target.endswith("copilot"):  # `from copilot import settings`
                found += [(node.lineno, f"{target}.{a.name}") for a in node.names]
            else:
                found += [(node.lineno, target)]
    return found


def violations() -> list[str]:
    out: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        rank, prefix = layer_of(module)
        for line, target in imports(path, module):
            target_rank, target_prefix = layer_of(target)
            where = f"{path.relative_to(PACKAGE.parent)}:{line}"
            if target_rank > rank:
                out.append(f"{where}: {module} ({LAYERS[rank][0]}) imports {target} ({LAYERS[target_rank][0]})")
            elif prefix == "copilot.stack" and target_prefix in SURFACES:
                out.append(f"{where}: the tools must not depend on a surface: {module} imports {target}")
            elif (
                prefix == "copilot.wiring"
                and target_prefix in SURFACES + ("copilot.stack",)
                and target not in WIRED_FROM_SURFACES
            ):
                out.append(f"{where}: the composition root builds capabilities, not surfaces: {module} imports {target}")
            elif target_prefix == "copilot.stack" and prefix != "copilot.stack" and target != "copilot.stack.launcher":
                out.append(f"{where}: a surface uses the stack only through copilot.stack.launcher: {module} imports {target}")
    return out


def test_every_module_has_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        layer_of(module_name(path))


def test_imports_point_down() -> None:
    found = violations()
    assert not found, "imports against the layer order (docs/architecture.md):\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import copilot.agent.copilot\n", "copilot.agent.copilot"),
        ("def f():\n    from copilot.jobs import service\n", "copilot.jobs"),
        ("from copilot import settings\n", "copilot.settings"),
        ("from ..agent import base\n", "copilot.agent"),
    ],
)
def test_imports_are_found_anywhere(tmp_path: Path, source: str, expected: str) -> None:
    """The checker itself: top-level, in-function and relative imports are all seen."""
    path = tmp_path / "copilot" / "flink" / "x.py"
    path.parent.mkdir(parents=True)
    path.write_text(source)
    assert [t for _line, t in imports(path, "copilot.flink.x")] == [expected]


def test_a_lower_layer_importing_an_upper_one_is_caught() -> None:
    assert layer_of("copilot.flink.live")[0] < layer_of("copilot.validate.pipeline")[0]
    assert layer_of("copilot.jobs.service")[0] < layer_of("copilot.stack.launcher")[0]
