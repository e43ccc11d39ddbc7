"""``recheck --claim FILE ID CERT``: a certificate must prove exactly the claim recomputed from the claim file
(renamed, edited, weakened or forged certificates are refused with the differing field named)."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from pep import certcheck
from tests.conftest import run_cli, toml_claim
from verify.checkers import Context
from verify.cli import main
from verify.dispatch import check_claim, load_claims
from verify.verdict import Verdict

# Drori and Teboulle 2014, Theorem 1: with h = 1 the worst f(x_N) - f* is L R^2 / (4N + 2) (1/6 at N = 1,
# 1/10 at N = 2); co-coercivity (Nesterov 2004, Theorem 2.1.12) at m = 1, L = 10.
DT = dict(kind="rate", **{"class": "smooth-convex"}, L=1, schedule="constant", h=1, initial="distance",
          metric="function-gap", bound="L*R**2/(4*N + 2)")
COCO = dict(kind="class-inequality", **{"class": "smooth-strongly-convex"}, L=10, m=1, points=["x", "y"],
            lhs="inner(grad(x) - grad(y), x - y)", relation=">=",
            rhs="m*L/(m + L)*sqnorm(x - y) + 1/(m + L)*sqnorm(grad(x) - grad(y))")
SMALL_CLAIMS = (toml_claim(id="dt.n1", N=1, **DT) + toml_claim(id="dt.n2", N=2, **DT)
                + toml_claim(id="coco", **COCO))


def certify_small(folder: Path) -> tuple[Path, dict[str, Path]]:
    """Certify SMALL_CLAIMS into ``folder`` (about a second); the claim file and each certificate's path."""
    claim_file = folder / "claims.toml"
    claim_file.write_text(SMALL_CLAIMS, encoding="utf-8")
    claims, rejected = load_claims([claim_file])
    assert not rejected
    ctx = Context(cert_dir=folder / "certs")
    paths = {}
    for claim in claims:
        result = check_claim(claim, ctx)
        assert result.verdict is Verdict.CERTIFIED, result.summary
        paths[claim.id] = Path(result.evidence["certificate"])
    return claim_file, paths


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    return certify_small(tmp_path_factory.mktemp("small"))


def recheck(capsys: pytest.CaptureFixture, *args: object) -> tuple[int, list[str], str]:
    """``python -m verify recheck ARGS`` in process: exit code, stdout lines, stderr."""
    code = main(["recheck", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err


def edited(path: Path, folder: Path, edit) -> Path:
    """A copy of the certificate at ``path`` with ``edit(cert)`` applied."""
    cert = json.loads(path.read_text(encoding="utf-8"))
    edit(cert)
    out = folder / path.name
    out.write_text(json.dumps(cert), encoding="utf-8")
    return out


def test_genuine_certificates_prove_their_claims(small, capsys) -> None:
    claim_file, paths = small
    code, lines, err = recheck(capsys, "--claim", claim_file, "dt.n2", paths["dt.n2"])
    assert code == 0 and len(lines) == 1 and not err
    # the statement proved, and tau = L R^2/(4N + 2) = 1/10 at L = 1, N = 2 (Drori and Teboulle)
    assert ": OK: proves dt.n2: smooth-convex, L=1, N=2 (constant h = 1), initial distance: " \
           "function-gap <= L*R**2/(4*N + 2);" in lines[0] and "tau = 1/10 <= bound 1/10" in lines[0]
    code, lines, _ = recheck(capsys, "--claim", claim_file, "coco", paths["coco"])
    assert code == 0 and f"proves coco: smooth-strongly-convex, L=10, m=1: {COCO['lhs']} >= {COCO['rhs']}" \
        in lines[0]


def test_renamed_certificate_is_rejected(small, tmp_path, capsys) -> None:
    claim_file, paths = small
    renamed = tmp_path / "dt.n2.json"
    shutil.copy(paths["dt.n1"], renamed)  # a valid proof of N = 1, under the name of the N = 2 claim
    code, lines, _ = recheck(capsys, renamed)
    assert code == 0 and "proves dt.n1:" in lines[0]  # plain recheck says what it really proves
    code, lines, _ = recheck(capsys, "--claim", claim_file, "dt.n2", renamed)
    assert code == 1 and len(lines) == 1
    assert "INVALID: field 'claim': the certificate proves 'dt.n1', not 'dt.n2'" in lines[0]


@pytest.mark.parametrize(("field", "value", "named"), [
    ("bound", "L*R**2/(4*N + 3)", "bound"),
    ("N", 3, "N"),
    ("statement", "another statement", "statement"),
    ("expect", "certified", "claim_sha256"),  # no proved field changes, only the claim's hash
])
def test_edited_claim_is_rejected_naming_the_field(small, tmp_path, capsys, field, value, named) -> None:
    _, paths = small
    claim_file = tmp_path / "claims.toml"
    claim_file.write_text(toml_claim(**{**DT, "id": "dt.n2", "N": 2, field: value}), encoding="utf-8")
    code, lines, _ = recheck(capsys, "--claim", claim_file, "dt.n2", paths["dt.n2"])
    assert code == 1 and len(lines) == 1 and f"INVALID: field '{named}'" in lines[0]


def _scale_first_square(cert: dict, block: str, factor: int) -> None:
    """Divide the coefficient of <x, x> in the stored objective (of ``block``) by ``factor``: a weaker
    claim."""
    objective = cert[block]["objective"]
    entry = next(e for e in objective["quadratic"] if e[0] == e[1] == "x:x")
    entry[2] = str(certcheck.rational(entry[2]) / factor)


def test_weakened_objective_is_rejected(small, tmp_path, capsys) -> None:
    claim_file, paths = small
    only_problem = edited(paths["coco"], tmp_path, lambda c: _scale_first_square(c, "problem", 2))
    code, lines, _ = recheck(capsys, only_problem)
    assert code == 1 and "differs from the stated objective" in lines[0]
    (tmp_path / "both").mkdir()
    both = edited(paths["coco"], tmp_path / "both", lambda c: (_scale_first_square(c, "problem", 2),
                                                               _scale_first_square(c, "proves", 2)))
    code, lines, _ = recheck(capsys, "--claim", claim_file, "coco", both)
    assert code == 1 and "INVALID: field 'objective'" in lines[0]


def test_problem_other_than_the_claims_is_rejected(small, tmp_path, capsys) -> None:
    # a forger who changes the problem and the stated steps together passes the plain recheck's consistency
    # test only if the mathematics still holds; --claim recomputes the steps from the claim file
    claim_file, paths = small

    def longer_step(cert: dict) -> None:
        cert["problem"]["steps"][1] = cert["proves"]["steps"][1] = "11/10"

    forged = edited(paths["dt.n2"], tmp_path, longer_step)
    code, lines, _ = recheck(capsys, "--claim", claim_file, "dt.n2", forged)
    assert code == 1 and "INVALID: field 'steps'" in lines[0]


def test_consistently_forged_proves_block_is_rejected_with_the_claim(small, tmp_path, capsys) -> None:
    claim_file, paths = small

    def forge(cert: dict) -> None:  # claim dt.n1's proof relabelled as dt.n2, hash recomputed
        cert["proves"]["claim"] = cert["proves"]["claim_table"]["id"] = "dt.n2"
        cert["proves"]["claim_sha256"] = certcheck.claim_hash(cert["proves"]["claim_table"])

    forged = edited(paths["dt.n1"], tmp_path, forge)
    code, lines, _ = recheck(capsys, forged)
    assert code == 0  # internally consistent, and a true proof of the N = 1 statement
    code, lines, _ = recheck(capsys, "--claim", claim_file, "dt.n2", forged)
    assert code == 1 and "INVALID: field 'N'" in lines[0]


def test_certificate_without_statement_is_rejected_with_the_claim(small, tmp_path, capsys) -> None:
    claim_file, paths = small
    bare = edited(paths["dt.n2"], tmp_path, lambda c: c.pop("proves"))
    code, lines, _ = recheck(capsys, "--claim", claim_file, "dt.n2", bare)
    assert code == 1 and "names no claim" in lines[0]


def test_claim_problems_are_one_line_errors(small, tmp_path) -> None:
    claim_file, paths = small
    numeric = tmp_path / "numeric.toml"
    numeric.write_text(toml_claim(id="n", kind="numeric", expr="1", value="1"), encoding="utf-8")
    for args, words in [((claim_file, "nope"), "no claim with id 'nope'"),
                        ((tmp_path / "missing.toml", "dt.n2"), "no such file"),
                        ((numeric, "n"), "has no PEP certificate")]:
        proc = run_cli("recheck", "--claim", *map(str, args), str(paths["dt.n2"]))
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and words in proc.stderr


def test_bound_outside_q_sqrt2_is_rechecked_by_enclosure(tmp_path, capsys) -> None:
    # 1/6 + 1/(100 pi) is above the N = 1 worst case 1/6 and in no field the standard library can decide:
    # the certificate proves a 13-digit rational below it, which only --claim can compare with it
    claim_file = tmp_path / "pi.toml"
    claim_file.write_text(toml_claim(**{**DT, "id": "dt.pi", "N": 1, "bound": "L*R**2*(1/6 + 1/(100*pi))"}),
                          encoding="utf-8")
    claims, _ = load_claims([claim_file])
    result = check_claim(claims[0], Context(cert_dir=tmp_path / "certs"))
    assert result.verdict is Verdict.CERTIFIED, result.summary
    path = Path(result.evidence["certificate"])
    code, lines, _ = recheck(capsys, "--claim", claim_file, "dt.pi", path)
    assert code == 0 and "by an interval enclosure" in lines[0]
    raised = edited(path, tmp_path, lambda c: c.update(bound="1"))  # tau <= 1 still holds
    code, lines, _ = recheck(capsys, raised)
    assert code == 1 and "is not the stated rational below the claim's" in lines[0]

    def both(cert: dict) -> None:  # the stated rational raised too: the standard library cannot tell
        cert["bound"] = cert["proves"]["bound_exact"]["below"] = "1"

    (tmp_path / "both").mkdir()
    raised = edited(path, tmp_path / "both", both)
    code, lines, _ = recheck(capsys, raised)
    assert code == 0
    code, lines, _ = recheck(capsys, "--claim", claim_file, "dt.pi", raised)
    assert code == 1 and "INVALID: field 'bound_exact'" in lines[0]


def test_the_claim_check_is_exact_about_numbers(small, tmp_path, capsys) -> None:
    # 2/20 is 1/10, but a statement is compared as written by the suite: a rewritten number is a change
    claim_file, paths = small
    cert = json.loads(paths["dt.n2"].read_text(encoding="utf-8"))
    rewritten = copy.deepcopy(cert)
    rewritten["proves"]["bound_exact"] = "2/20"
    path = tmp_path / "rewritten.json"
    path.write_text(json.dumps(rewritten), encoding="utf-8")
    code, lines, _ = recheck(capsys, "--claim", claim_file, "dt.n2", path)
    assert code == 1 and "field 'bound_exact'" in lines[0]
