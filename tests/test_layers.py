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


# The route of a rate claim from `certify` to its verdict (issue 12: at most 8 files): the suite's files on
# the call stack when the deciding exact check runs -- the standard-library certificate check for
# CERTIFIED, the exact instance check for REFUTED. Helpers called along the way (the parser, the exact
# number types, the builders) are not on the route: a reader follows the stack, not every leaf.
MAX_ROUTE_FILES = 8


def _stack_files() -> tuple[str, ...]:
    """The suite's files on the current call stack, outermost first, repeats merged."""
    import sys

    chain: list[str] = []
    frame = sys._getframe(1)
    while frame is not None:
        name = Path(frame.f_code.co_filename).resolve()
        if name.is_relative_to(REPO) and name.is_file():
            rel = str(name.relative_to(REPO))
            ours = rel.split("/")[0] in LAYERS  # not tests, nor a virtualenv inside the clone (tox's .tox)
            if ours and (not chain or chain[-1] != rel):
                chain.append(rel)
        frame = frame.f_back
    return tuple(reversed(chain))


def _route_files(argv: list[str], monkeypatch: object) -> list[tuple[str, ...]]:
    """Run the command line, recording the stack each time a deciding exact check runs."""
    import pep.certcheck
    import pep.instance
    from verify import cli

    routes: list[tuple[str, ...]] = []
    for module, name in ((pep.certcheck, "check"), (pep.instance, "check_instance")):
        original = getattr(module, name)

        here = str(Path(module.__file__).resolve().relative_to(REPO))

        def spy(*args: object, _original: object = original, _here: str = here, **kwargs: object) -> object:
            stack = _stack_files()  # up to the caller; the deciding check's own file ends the route
            routes.append(stack if stack[-1] == _here else (*stack, _here))
            return _original(*args, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(module, name, spy)  # type: ignore[attr-defined]
    cli.main(argv)
    return routes


def test_the_route_of_a_rate_claim_to_its_verdict_is_at_most_eight_files(tmp_path, monkeypatch):
    from tests.conftest import toml_claim

    # Drori and Teboulle, h = 1, N = 2: L R^2/10 is tight (certified); 1/11 is below it (refuted)
    common = dict(kind="rate", **{"class": "smooth-convex"}, L=1, schedule="constant", h=1, N=2,
                  initial="distance", metric="function-gap")
    path = tmp_path / "c.toml"
    path.write_text(toml_claim(id="tight", bound="L*R**2/10", **common)
                    + toml_claim(id="below", bound="L*R**2/11", **common), encoding="utf-8")
    routes = _route_files(["certify", str(path), "--jobs", "1", "--quiet", "--cert-dir", str(tmp_path)],
                          monkeypatch)
    ends = {r[-1] for r in routes}
    assert ends == {"pep/certcheck.py", "pep/instance.py"}, routes  # both verdicts were decided and seen
    for route in routes:
        assert route[0] == "verify/cli.py", route
        assert len(set(route)) <= MAX_ROUTE_FILES, route
