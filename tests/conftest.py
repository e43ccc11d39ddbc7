"""Shared helpers: write claim files into a temporary folder and run the checkers on them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from verify.checkers import Context
from verify.dispatch import check_claim, load_claims
from verify.verdict import Result

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m verify ARGS`` in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "verify", *args], capture_output=True, text=True,
                          cwd=cwd or REPO, timeout=600)


def toml_claim(**fields: object) -> str:
    """One ``[[claim]]`` table from keyword fields (strings quoted, dicts inline, lists as arrays)."""
    def fmt(v: object) -> str:
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {fmt(x)}" for k, x in v.items()) + " }"
        if isinstance(v, list):
            return "[" + ", ".join(fmt(x) for x in v) + "]"
        return repr(v)

    fields.setdefault("statement", "test claim")
    return "[[claim]]\n" + "".join(f"{k} = {fmt(v)}\n" for k, v in fields.items()) + "\n"


@pytest.fixture
def run_claims(tmp_path: Path):
    """Write claim tables to a file and return ``(results by id, rejected)``."""
    def run(*tables: str) -> tuple[dict[str, Result], list]:
        path = tmp_path / "claims.toml"
        path.write_text("".join(tables), encoding="utf-8")
        claims, rejected = load_claims([path])
        ctx = Context(cert_dir=tmp_path / "certs")
        return {c.id: check_claim(c, ctx) for c in claims}, rejected

    return run


@pytest.fixture(scope="session")
def registry_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The real registry certified once per test session with ``--json``, ``--report`` and
    ``--cert-dir`` (it takes about a minute); returns the results JSON and the PDF; the certificates are
    in ``certs`` beside them and the command's output in ``output.txt``."""
    tmp = tmp_path_factory.mktemp("registry")
    js, pdf = tmp / "results.json", tmp / "chapter09.pdf"
    proc = run_cli("certify", "--json", str(js), "--report", str(pdf), "--cert-dir", str(tmp / "certs"),
                   "--quiet")
    (tmp / "output.txt").write_text(f"{proc.returncode}\n{proc.stdout}\n{proc.stderr}", encoding="utf-8")
    assert js.exists() and pdf.exists(), proc.stderr
    assert "Traceback" not in proc.stderr
    return js, pdf
