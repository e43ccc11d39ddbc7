"""Imports point down: core (parser, errors, caps) < numeric < symbolic < pep < verify < reports, and no
checker module (one that registers a claim kind) imports another. A ratchet: the one known exception is
listed and must stay the only one."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LAYERS = ["core", "numeric", "symbolic", "pep", "verify", "reports"]
TOP = {"verify.cli", "verify.__main__"}  # the command line sits above everything, reports included
KNOWN_UPWARD: set[tuple[str, str]] = set()  # none left: the ratchet is at zero


def _modules() -> dict[str, Path]:
    out = {}
    for layer in LAYERS:
        for path in (REPO / layer).rglob("*.py"):
            if "claims" in path.parts:  # the book's programs are data, not our code
                continue
            parts = path.relative_to(REPO).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _layer(module: str) -> int | None:
    top = module.split(".")[0]
    return LAYERS.index(top) if top in LAYERS else None


def test_imports_point_down():
    upward = set()
    for module, path in _modules().items():
        if module in TOP:
            continue
        for target in _imports(path):
            a, b = _layer(module), _layer(target)
            if a is not None and b is not None and b > a:
                upward.add((module, target))
    assert upward == KNOWN_UPWARD, f"imports against the layer order: {sorted(upward - KNOWN_UPWARD)}"


def test_no_checker_imports_another():
    modules = _modules()
    checkers = {m for m, p in modules.items() if m.startswith("verify.checkers.") and "@register" in
                p.read_text(encoding="utf-8")}
    crossing = sorted((m, t) for m in checkers for t in _imports(modules[m]) if t in checkers and t != m)
    assert not crossing, f"checker modules importing each other: {crossing}"
