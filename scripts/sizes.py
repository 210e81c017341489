"""Sizes of the longest modules and functions under copilot/ (issue 18's before/after figures).

    python scripts/sizes.py [--top N] [--json]

Module size = physical lines; function size = lines from `def` to its last line (nested functions
counted on their own as well as inside their parent).
"""

from __future__ import annotations

import argparse
import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "copilot"


def measure(root: Path = ROOT) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    modules: list[tuple[int, str]] = []
    functions: list[tuple[int, str]] = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(root.parent).as_posix()
        modules.append((len(text.splitlines()), rel))
        tree = ast.parse(text, filename=rel)
        stack: list[tuple[ast.AST, str]] = [(tree, "")]
        while stack:
            node, prefix = stack.pop()
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    name = f"{prefix}{child.name}"
                    end = child.end_lineno or child.lineno
                    functions.append((end - child.lineno + 1, f"{rel}:{child.lineno} {name}"))
                    stack.append((child, f"{name}."))
                elif isinstance(child, ast.ClassDef):
                    stack.append((child, f"{prefix}{child.name}."))
                else:
                    stack.append((child, prefix))
    modules.sort(key=lambda t: (-t[0], t[1]))
    functions.sort(key=lambda t: (-t[0], t[1]))
    return modules, functions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    modules, functions = measure()
    total = sum(n for n, _ in modules)
    if args.json:
        print(
            json.dumps(
                {
                    "total_lines": total,
                    "modules": [{"lines": n, "module": m} for n, m in modules[: args.top]],
                    "functions": [{"lines": n, "function": f} for n, f in functions[: args.top]],
                },
                indent=2,
            )
        )
        return
    print(f"{len(modules)} modules, {total} lines, {len(functions)} functions")
    print(f"longest modules (top {args.top}):")
    for n, m in modules[: args.top]:
        print(f"  {n:5d}  {m}")
    print(f"longest functions (top {args.top}):")
    for n, f in functions[: args.top]:
        print(f"  {n:5d}  {f}")


if __name__ == "__main__":
    main()
