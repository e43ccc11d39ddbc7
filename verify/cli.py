"""The command line: ``python -m verify certify|show|report|recheck``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from core.caps import DEFAULT_CAPS, Caps
from core.errors import printable
from verify import __version__
from verify.checkers import Context
from verify.claims import DEFAULT_CLAIMS_DIR
from verify.dispatch import load_claims, rejected_result, run
from verify.output import OutputError, check_writable, write_atomic
from verify.parallel import default_jobs, run_dask, run_parallel
from verify.progress import PROGRESS_AFTER
from verify.proofs import proof_chain
from verify.schema import RESULTS_FORMAT
from verify.verdict import Result, Verdict

EXIT_OK, EXIT_EXPECTATION, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
MARK = {Verdict.CERTIFIED: "CERTIFIED", Verdict.REFUTED: "REFUTED", Verdict.INCONCLUSIVE: "INCONCLUSIVE",
        Verdict.ERROR: "ERROR"}


def _add_cap_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-seconds", type=float, default=DEFAULT_CAPS.seconds,
                        help="wall-clock seconds per claim (default %(default)s)")
    parser.add_argument("--max-expr-chars", type=int, default=DEFAULT_CAPS.max_expr_chars,
                        help="longest expression text (default %(default)s)")
    parser.add_argument("--max-exponent", type=int, default=DEFAULT_CAPS.max_exponent,
                        help="largest numeric exponent (default %(default)s)")
    parser.add_argument("--max-digits", type=int, default=DEFAULT_CAPS.max_digits,
                        help="highest working precision in digits (default %(default)s)")
    parser.add_argument("--max-steps", type=int, default=DEFAULT_CAPS.max_steps,
                        help="longest step-size schedule (default %(default)s)")


def _caps(args: argparse.Namespace) -> Caps:
    return replace(DEFAULT_CAPS, seconds=args.max_seconds, max_expr_chars=args.max_expr_chars,
                   max_exponent=args.max_exponent, max_digits=args.max_digits, max_steps=args.max_steps)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of all subcommands."""
    parser = argparse.ArgumentParser(prog="python -m verify", description=__doc__)
    parser.add_argument("--version", action="version", version=f"gradverify {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    cert = sub.add_parser("certify", help="check claims and print a verdict per claim")
    cert.add_argument("paths", nargs="*", help="claim files or folders (default: the suite's claims)")
    cert.add_argument("--json", dest="json_out", help="write every result with its evidence to this file")
    cert.add_argument("--report", help="also write the PDF report to this file")
    cert.add_argument("--cert-dir", help="folder for certificates (default: 'certs' beside --json, "
                                         "else ./certs)")
    cert.add_argument("--only", action="append", default=[], help="check only claims with this id "
                                                                   "(repeatable)")
    cert.add_argument("--quiet", action="store_true", help="print only the summary")
    cert.add_argument("--progress-after", type=_seconds, default=PROGRESS_AFTER, metavar="SECONDS",
                      help=f"print the stages of a claim that has run this long to stderr (default "
                           f"{PROGRESS_AFTER:g}; --quiet: never)")
    cert.add_argument("--allow-programs", action="store_true",
                      help="run 'program' claims from files outside the suite's own registry")
    cert.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                      help="check claims in N worker processes (default: the number of cores; 1: serial)")
    cert.add_argument("--scheduler", metavar="ADDRESS",
                      help="send the claims to the Dask distributed scheduler at ADDRESS instead")
    _add_cap_flags(cert)

    sched = sub.add_parser("schedule", help="certified worst cases of a step-size schedule for several N")
    sched.add_argument("schedule", help="a library schedule (constant, silver, chebyshev) or a schedule TOML "
                                        "file")
    sched.add_argument("--N", help="horizons, comma separated (default: the file's number of steps, or 7)")
    sched.add_argument("--class", dest="fclass",
                       choices=["smooth-convex", "smooth-strongly-convex", "quadratic"],
                       help="function class (default: the file's, smooth-convex; chebyshev: quadratic)")
    sched.add_argument("--metric", choices=["function-gap", "distance", "gradient-norm"],
                       help="default: function-gap; on the quadratic class distance "
                            "(||x_N - x*||/||x_0 - x*||)")
    sched.add_argument("--m", help="strong convexity m, exact (default: the file's m, or m/L = 1/10)")
    sched.add_argument("--L", help="smoothness L, exact (default 1): only m/L matters")
    sched.add_argument("--json", dest="json_out", nargs="?", const="-", metavar="FILE",
                       help="write the rows as JSON to FILE (no FILE: to stdout, the table then on stderr)")
    sched.add_argument("--plot", help="write a plot of the worst case against N (several N) to this file")
    sched.add_argument("--cert-dir", help="save the certificates here (for recheck)")
    sched.add_argument("--property-tests", type=int, default=0, metavar="K",
                       help="also run the schedule on K random functions of the class per N (hypothesis) "
                            "against the certified bound")

    show = sub.add_parser("show", help="print one claim's full evidence")
    show.add_argument("id")
    show.add_argument("paths", nargs="*")
    _add_cap_flags(show)

    rep = sub.add_parser("report", help="write the PDF report from a results JSON file")
    rep.add_argument("results")
    rep.add_argument("-o", "--output", required=True)

    rec = sub.add_parser("recheck", help="re-verify saved certificates with the standard library only")
    rec.add_argument("certificates", nargs="+")
    rec.add_argument("--claim", nargs=2, metavar=("FILE", "ID"),
                     help="also check that each certificate proves exactly claim ID of the claim file FILE "
                          "(recomputed with the suite's own parser)")
    rec.add_argument("--at", action="append", default=[], metavar="Q",
                     help="check certificates symbolic in q = m/L at this rational q in (0, 1) (repeatable; "
                          "default 1/10, 1/3, 1/2, 9/10)")
    return parser


def _default_paths(paths: list[str]) -> list[str | Path]:
    return list(paths) if paths else [DEFAULT_CLAIMS_DIR]


def _jobs(text: str) -> int:
    """--jobs: a whole number of worker processes, at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if not 1 <= value <= 256:
        raise argparse.ArgumentTypeError(f"must be between 1 and 256, got {value}")
    return value


def _seconds(text: str) -> float:
    """--progress-after: a finite number of seconds, at least 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if not 0 <= value < 1e9:  # NaN fails both comparisons
        raise argparse.ArgumentTypeError(f"must be between 0 and 1e9 seconds, got {text!r}")
    return value


def _print_start(i: int, n: int, claim_id: str) -> None:
    """On a terminal, a transient 'checking' line so that long checks show progress."""
    if sys.stderr.isatty():
        print(f"\r  checking [{i}/{n}] {printable(claim_id)} ...", end="", file=sys.stderr, flush=True)


def _print_result(i: int, n: int, result: Result, quiet: bool) -> None:
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    if quiet:
        return
    width = len(str(n))
    print(f"[{i:>{width}}/{n}] {MARK[result.verdict]:<12} {printable(result.id)}  "
          f"{printable(result.summary)}  ({result.seconds:.2f} s)", flush=True)


def results_document(results: list[Result], paths: list[str | Path]) -> dict[str, Any]:
    """The JSON document written by ``certify --json`` and read by the report."""
    counts = {v.value: sum(r.verdict is v for r in results) for v in Verdict}
    return {
        "format": RESULTS_FORMAT,
        "suite": "gradverify",
        "suite_version": __version__,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "paths": [str(p) for p in paths],
        "counts": counts,
        "results": [r.to_json() for r in results],
    }


def cmd_certify(args: argparse.Namespace) -> int:
    paths = _default_paths(args.paths)
    cert_dir = Path(args.cert_dir) if args.cert_dir else (
        Path(args.json_out).resolve().parent / "certs" if args.json_out else Path("certs"))
    try:  # a place that cannot be written is found now, not after the whole run
        for out, what in ((args.json_out, "--json"), (args.report, "--report")):
            if out:
                check_writable(out, what)
        if args.cert_dir:
            check_writable(cert_dir, "--cert-dir", folder=True)
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    claims, rejected = load_claims(paths)
    if args.only:
        wanted = set(args.only)
        claims = [c for c in claims if c.id in wanted]
        rejected = [r for r in rejected if r.id in wanted]
    for rej in rejected:
        print(f"error: {rej.error.line()}", file=sys.stderr)
    ctx = Context(caps=_caps(args), cert_dir=cert_dir, options={
        "allow_programs": args.allow_programs, "progress_after": None if args.quiet else args.progress_after})
    total = len(claims) + len(rejected)
    results = [rejected_result(r) for r in rejected]
    for i, res in enumerate(results, start=1):
        _print_result(i, total, res, args.quiet)
    offset = len(results)

    def done(i: int, n: int, result: Result) -> None:
        results.append(result)
        _print_result(offset + i, total, result, args.quiet)

    interrupted = False
    jobs = args.jobs or default_jobs()
    try:
        if args.scheduler:
            run_dask(claims, ctx, args.scheduler, done)
        elif jobs > 1:
            run_parallel(claims, ctx, jobs, done)
        else:
            run(claims, ctx, done, lambda i, n, c: _print_start(offset + i, total, c.id))
    except KeyboardInterrupt:
        interrupted = True
        print(f"\ninterrupted: {len(results)} of {total} claims checked; writing what was gathered",
              file=sys.stderr, flush=True)
    counts = {v: sum(r.verdict is v for r in results) for v in Verdict}
    missed = [r for r in results if not r.met_expectation]
    print("summary: " + ", ".join(f"{counts[v]} {v.value}" for v in Verdict)
          + f"; {len(missed)} not as expected" + (" (interrupted)" if interrupted else ""), flush=True)
    for r in missed:
        print(f"  expected {printable(r.expect)}, got {r.verdict.value}: {printable(r.id)}")
    doc = results_document(results, paths)
    doc["complete"] = not interrupted
    if args.json_out:
        try:
            write_atomic(args.json_out, json.dumps(doc, indent=2, default=str) + "\n")
        except OSError as exc:
            print(f"error: --json {args.json_out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_INPUT
        print(f"wrote {args.json_out}")
    if interrupted:
        return EXIT_INTERRUPTED
    if args.report:
        status = _write_report(doc, Path(args.report))
        if status:
            return status
    return exit_status(results)


def exit_status(results: list[Result]) -> int:
    """2 when any claim could not be used or checked (verdict error), else 1 when a claim with an
    ``expect`` did not get it, else 0."""
    if any(r.verdict is Verdict.ERROR for r in results):
        return EXIT_INPUT
    return EXIT_EXPECTATION if any(not r.met_expectation for r in results) else EXIT_OK


def _write_report(doc: dict[str, Any], out: Path) -> int:
    try:
        from reports import render  # the report package is optional at import time
    except ImportError as exc:
        print(f"error: the report package is not available: {exc}", file=sys.stderr)
        return EXIT_INPUT
    try:
        render.write_report(doc, out)
    except Exception as exc:  # one line, never a traceback (RecursionError included)
        print(printable(f"error: {out}: could not write the report: {exc}"), file=sys.stderr)
        return EXIT_INPUT
    print(f"wrote {out}")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    paths = _default_paths(args.paths)
    claims, rejected = load_claims(paths)
    for rej in rejected:
        if rej.id == args.id:
            print(json.dumps(rejected_result(rej).to_json(), indent=2, default=str))
            return EXIT_INPUT
    match = [c for c in claims if c.id == args.id]
    if not match:
        print(f"error: no claim with id '{args.id}' under {', '.join(map(str, paths))}", file=sys.stderr)
        return EXIT_INPUT
    result = run(match, Context(caps=_caps(args)))[0]
    if result.kind == "proof" and isinstance(result.evidence.get("steps"), list):
        for line in proof_chain(result).splitlines():  # keep the chain's indentation (spaces only)
            print(line[:len(line) - len(line.lstrip(" "))] + printable(line))
    print(json.dumps(result.to_json(), indent=2, default=str))
    return exit_status([result])


def cmd_report(args: argparse.Namespace) -> int:
    path = Path(args.results)
    try:
        from reports.validate import read_results, validate
    except ImportError as exc:
        print(f"error: the report package is not available: {exc}", file=sys.stderr)
        return EXIT_INPUT
    try:
        doc = validate(read_results(path))
    except (ValueError, RecursionError) as exc:
        reason = str(exc).removeprefix("results file: ") or type(exc).__name__
        print(printable(f"error: {path}: {reason}"), file=sys.stderr)
        return EXIT_INPUT
    return _write_report(doc, Path(args.output))


def cmd_recheck(args: argparse.Namespace) -> int:
    try:
        from pep import certcheck
    except ImportError:
        print("error: certificate re-checking is not available in this build", file=sys.stderr)
        return EXIT_INPUT
    if args.claim is None and args.at:
        from pep import certcheck_parametric

        return certcheck_parametric.main([*args.certificates, *(x for q in args.at for x in ("--at", q))])
    if args.claim is None:
        return certcheck.main(args.certificates)
    from verify.certificates import recheck_claim

    return recheck_claim(args.claim[0], args.claim[1], args.certificates, Context())


def cmd_schedule(args: argparse.Namespace) -> int:
    from verify.schedule import main as schedule_main

    return schedule_main(args)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    handler = {"certify": cmd_certify, "show": cmd_show, "report": cmd_report, "recheck": cmd_recheck,
               "schedule": cmd_schedule}
    try:
        return handler[args.command](args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
