"""One result's evidence as typst markup: known keys presented for a sceptical reader, the rest as a table.

Every renderer is defensive: a known key with an unexpected shape falls back to the generic key/value
table, so no evidence can make the report fail.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from reports.assets import Assets
from reports.labels import LABELS
from reports.markup import dump, escape, mono, truncate
from reports.plots import (
    counterexample_data,
    function_plot,
    number,
    quiet,
    rate_plot,
    rate_series,
    schedule_plot,
    schedule_steps,
)
from reports.validate import VERDICTS

PROOF_KEYS = ("proof_steps", "steps_checked")
CHECKED_LABELS = {"lhs": "left-hand side", "relation": "relation", "rhs": "right-hand side",
                  "expr": "expression", "value": "claimed value", "rounding": "rounding rule",
                  "interval": "accepted interval", "difference": "difference", "bound": "claimed bound",
                  "worst_case": "worst case found"}
PRECISIONS = ("exact", "float64", "mpmath", "digits")
HYPOTHESIS_KEYS = ("hypotheses", "assume", "where", "domain")
MAX_CELL = 300
MAX_NESTED = 12      # an object value with at most this many scalar entries is shown as labelled lines
MAX_ROWS = 60        # rows of one evidence table; the rest is counted, not shown (the results file has it)
MAX_HYPOTHESES = 40  # hypotheses listed per claim
MAX_PICTURED = 100   # claims drawn per report (measured: a rate plot costs matplotlib 0.13 s; 10,000 claims
                     # with 200 plots spent 25 of 40 s of markup time in matplotlib)
REL_TOL = 1e-9


def _table(rows: list[tuple[str, str]], header: tuple[str, str] | None = None, label: str = "",
           note: str = "", total: int | None = None) -> str:
    """A labelled two-column table (kept on one page when short); ``rows`` hold escaped markup, at most
    ``MAX_ROWS`` of them are shown, and the rest of ``total`` (default: all rows) is counted."""
    cells = []
    if header:
        cells.append(f"table.header([*{escape(header[0])}*], [*{escape(header[1])}*])")
    for key, value in rows[:MAX_ROWS]:
        cells.append(f"[{key}], [{value}]")
    hidden = max(len(rows) if total is None else total, len(rows)) - min(len(rows), MAX_ROWS)
    if hidden:
        cells.append(f"table.cell(colspan: 2)[_{hidden} more rows not shown (they are in the results file)_]")
    body = f"#evtable(columns: (auto, 1fr), {', '.join(cells)})"
    return _block(label, note, body, min(len(rows), MAX_ROWS))


def _block(label: str, note: str, body: str, rows: int) -> str:
    """A titled evidence block; blocks of up to 14 rows do not break across pages."""
    title = f"*{escape(label)}.* {note}\n\n" if label else ""
    breakable = "true" if rows > 14 else "false"
    return f"#block(breakable: {breakable}, width: 100%)[{title}{body}]\n\n"


def _para(label: str, body: str) -> str:
    return f"*{escape(label)}.* {body}\n\n"


def _value_cell(value: Any) -> str:
    return mono(dump(value, MAX_CELL))


def _key_cell(key: Any) -> str:
    """An evidence key as the reader sees it: its human label (reports/labels.py), or the key itself."""
    text = LABELS.get(key) if isinstance(key, str) else None
    return escape(text) if text is not None and text != key else mono(str(key))


def _nested_cell(value: Any) -> str:
    """A small object of scalars as one labelled line per entry; anything else JSON-dumped and truncated."""
    if isinstance(value, Mapping) and 0 < len(value) <= MAX_NESTED and all(
            isinstance(v, str | int | float | bool) or v is None for v in value.values()):
        return " \\ ".join(f"{_key_cell(k)}: {mono(dump(v, 120))}" for k, v in value.items())
    return _value_cell(value)


def generic_table(items: list[tuple[str, Any]], label: str = "") -> str:
    """Evidence keys without a renderer of their own as a table: human labels for known keys, values shown
    as labelled lines (small objects) or JSON, truncated."""
    if not items:
        return ""
    rows = [(_key_cell(key), _nested_cell(value)) for key, value in items[:MAX_ROWS]]
    return _table(rows, label=label, total=len(items))


# --- known keys -------------------------------------------------------------------------------------------

def _method(ev: Mapping[str, Any], summary: str | None) -> str:
    method = str(ev["method"])
    if summary and method.strip() == summary.strip():
        return ""
    return _para("Method", escape(truncate(method, 600)))


def _checked(ev: Mapping[str, Any]) -> str:
    rows = []
    shown: set[str] = set()
    if "lhs" in ev and "rhs" in ev:
        rel = ev.get("relation", "=")
        rows.append(("checked", mono(f"{dump(ev['lhs'], 200)}  {dump(rel, 10)}  {dump(ev['rhs'], 200)}")))
        shown |= {"lhs", "rhs", "relation"}
    elif "expr" in ev and "value" in ev:
        rel = ev.get("relation", "rounds to" if "rounding" in ev else "vs")
        rows.append(("checked", mono(f"{dump(ev['expr'], 200)}  {dump(rel, 12)}  {dump(ev['value'], 200)}")))
        shown |= {"expr", "value", "relation"}
    for key, label in CHECKED_LABELS.items():
        if key in shown or key not in ev:
            continue
        value = ev[key]
        if key == "interval" and isinstance(value, list) and len(value) == 2:
            rows.append((escape(label), mono(f"[{dump(value[0], 80)}, {dump(value[1], 80)}]")))
        else:
            rows.append((escape(label), _value_cell(value)))
    return _table(rows, label="What was checked") if rows else ""


def _precision_row(name: str, values: Mapping[str, Any]) -> list[str]:
    return [escape(name)] + [_value_cell(values[k]) if k in values else "–" for k in PRECISIONS[:3]]


def _values(ev: Mapping[str, Any]) -> str:
    values = ev["values"]
    claimed = ev.get("value_values") if isinstance(ev.get("value_values"), Mapping) else None
    if not any(k in values for k in PRECISIONS[:3]):
        return generic_table(list(values.items()), label="Values")
    digits = values.get("digits")
    mp_head = f"mpmath ({dump(digits, 10)} digits)" if digits is not None else "mpmath"
    cells = [f"table.header([], [*exact*], [*float64*], [*{escape(mp_head)}*])"]
    cells.append(", ".join(f"[{c}]" for c in _precision_row("computed", values)))
    if claimed is not None:
        cells.append(", ".join(f"[{c}]" for c in _precision_row("claimed value", claimed)))
    extra = [(k, v) for k, v in values.items() if k not in PRECISIONS and k != "discrepancy"]
    body = f"#evtable(columns: (auto, auto, auto, 1fr), {', '.join(cells)})"
    out = _block("Values in three precisions", "", body, 3)
    if extra:
        out += generic_table(extra)
    return out


def float_discrepancy(values: Any) -> str | None:
    """A sentence when the float64 and mpmath values differ beyond relative 1e-9, else None."""
    if not isinstance(values, Mapping):
        return None
    f64, mp = number(values.get("float64")), number(values.get("mpmath"))
    if f64 is None or mp is None:
        return None
    scale = max(abs(f64), abs(mp))
    if scale == 0 or abs(f64 - mp) <= REL_TOL * scale:
        return None
    rel = abs(f64 - mp) / scale
    return f"float64 gives {values['float64']} but mpmath gives {values['mpmath']} (relative difference " \
           f"{rel:.2e})"


def discrepancy_notes(evidence: Any) -> list[str]:
    """Every float64 vs mpmath discrepancy of one result: recorded ones, else ones visible in its values."""
    if not isinstance(evidence, Mapping):
        return []
    notes: list[str] = []
    recorded = evidence.get("discrepancy")
    for item in recorded if isinstance(recorded, list) else [recorded]:
        if item is not None and item != "":
            notes.append(dump(item, 600))
    for key in ("values", "value_values"):
        values = evidence.get(key)
        if not isinstance(values, Mapping):
            continue
        if values.get("discrepancy"):
            notes.append(dump(values["discrepancy"], 600))
        elif not recorded:
            computed = float_discrepancy(values)
            if computed:
                notes.append(computed)
    return list(dict.fromkeys(notes))


def _discrepancy(ev: Mapping[str, Any]) -> str:
    notes = discrepancy_notes(ev)
    if not notes:
        return ""
    body = " \\ ".join(escape(note) for note in notes)
    return f"#discrepancy[*float64 vs mpmath:* {body}]\n\n"


def _witness(ev: Mapping[str, Any]) -> str:
    witness = ev["witness"]
    if not isinstance(witness, Mapping):
        raise TypeError("witness is not an object")
    items = list(witness.items())
    rows = [(_key_cell(k), _value_cell(v)) for k, v in items[:MAX_ROWS]]
    out = _table(rows, header=("name", "value"), label="Witness", note="the claim fails here",
                 total=len(items))
    if "witness_check" in ev:
        out += _para("Witness re-checked", mono(dump(ev["witness_check"], 600)))
    return out


def _counterexample(ev: Mapping[str, Any], assets: Assets, draw: bool) -> str:
    data = counterexample_data(ev)
    if data is None:
        raise TypeError("counterexample is not an object")
    described = data.get("formula", data.get("function", data.get("description")))
    note = mono(dump(described, 400)) if described is not None else ""
    rows = [(_key_cell(k), _nested_cell(v)) for k, v in data.items()
            if k not in ("formula", "function", "description", "type")]
    out = _table(rows, label="Counterexample", note=note) if rows else _para("Counterexample", note)
    svg = _picture(function_plot, ev) if draw else None
    if svg is not None:
        out += _figure(assets.add("function", svg),
                       "The counterexample function and the iterates of the run.")
    return out


def _certificate(ev: Mapping[str, Any]) -> str:
    cert = ev.get("certificate")
    stats = ev.get("certificate_stats", ev.get("certificate_info"))
    stats = stats if isinstance(stats, Mapping) else {}
    rows = []
    if cert is not None:
        rows.append(("file", _value_cell(cert)))
    if "size_bytes" in stats:
        size = number(stats["size_bytes"])
        rows.append(("size", escape(_bytes(size)) if size is not None else _value_cell(stats["size_bytes"])))
    if "max_denominator_digits" in stats:
        rows.append(("largest denominator", escape(f"{dump(stats['max_denominator_digits'], 40)} digits")))
    if "check_seconds" in stats:
        secs = number(stats["check_seconds"])
        rows.append(("exact check time", escape(_seconds(secs)) if secs is not None
                     else _value_cell(stats["check_seconds"])))
    for key, value in stats.items():
        if key not in ("size_bytes", "max_denominator_digits", "check_seconds", "recheck"):
            rows.append((_key_cell(key), _value_cell(value)))
    recheck = stats.get("recheck")
    if recheck is None and isinstance(cert, str):
        recheck = f"python -m verify recheck {cert}"
    if recheck is not None:
        rows.append(("re-check with", mono(dump(recheck, 400))))
    return _table(rows, label="Exact certificate")


ATTEMPT_TIMES = {"seconds": "search time", "check_seconds": "exact check time"}


def _attempt(ev: Mapping[str, Any]) -> str:
    """The exact certificate search: found or not, how, why, and its times."""
    attempt = ev["certificate_attempt"]
    if not isinstance(attempt, Mapping):
        raise TypeError("certificate_attempt is not an object")
    rows = []
    for key, value in attempt.items():
        if key == "ok" and isinstance(value, bool):
            rows.append(("found", escape("yes" if value else "no")))
        elif key in ATTEMPT_TIMES and number(value) is not None:
            rows.append((escape(ATTEMPT_TIMES[key]), escape(_seconds(number(value)))))
        elif key in ("method", "reason") and isinstance(value, str):
            rows.append((_key_cell(key), escape(truncate(value, 600))))
        else:
            rows.append((_key_cell(key), _value_cell(value)))
    return _table(rows, label="Certificate search")


def _step_text(step: Mapping[str, Any]) -> str:
    """A proof step as the chain reads it: ``lhs relation rhs (by fact)``, or its free-text ``step``."""
    if "lhs" in step and "rhs" in step:
        by = f"   (by {step['by']})" if step.get("by") else ""
        return f"{step['lhs']} {step.get('relation', '')} {step['rhs']}{by}"
    return str(step.get("step", ""))


def _proof_steps(ev: Mapping[str, Any], key: str) -> str:
    steps = ev[key]
    if not isinstance(steps, list) or not all(isinstance(s, Mapping) for s in steps):
        raise TypeError("proof steps are not a list of objects")
    broken = next((i for i, s in enumerate(steps) if s.get("verdict") != "certified"), None)
    cells = ["table.header([*\\#*], [*step*], [*verdict*], [*summary*])"]
    shown = set(range(min(len(steps), MAX_ROWS))) | ({broken} if broken is not None else set())
    for i, step in enumerate(steps):
        if i not in shown:
            continue
        verdict = step.get("verdict")
        badge = f"#badge(\"{verdict}\")" if verdict in VERDICTS else _value_cell(verdict)
        mark = "#broken[first broken step] " if i == broken else ""
        fill = "brokenfill" if i == broken else "none"
        cells.append(f"table.cell(fill: {fill})[{i + 1}], table.cell(fill: {fill})[{mark}"
                     f"{escape(dump(_step_text(step), 300))}], table.cell(fill: {fill})[{badge}], "
                     f"table.cell(fill: {fill})[{escape(dump(step.get('summary', ''), 400))}]")
    if len(steps) > len(shown):
        cells.append(f"table.cell(colspan: 4)[_{len(steps) - len(shown)} more steps not shown (they are in "
                     "the results file)_]")
    intro = ("every step certified" if broken is None
             else f"step {broken + 1} of {len(steps)} is the first broken one")
    if isinstance(ev.get("proof"), str):  # a proof claim: the proof's own verdict, apart from the theorem's
        intro = f"proof: {ev['proof']}; {intro}"
    table = f"#evtable(columns: (auto, 1fr, auto, 1.4fr), {', '.join(cells)})"
    return _block("Proof steps", escape(intro), table, len(shown))


def _text(label: str) -> Callable[[Mapping[str, Any], str], str]:
    def render(ev: Mapping[str, Any], key: str) -> str:
        value = ev[key]
        body = escape(truncate(value, 800)) if isinstance(value, str) else _value_cell(value)
        return _para(label, body)
    return render


def _error(ev: Mapping[str, Any]) -> str:
    parts = [f"#errorbox[*Error:* {escape(dump(ev.get('error', ''), 600))}"]
    for key in ("field", "cap"):
        if key in ev:
            parts.append(f" \\ {escape(key)}: {mono(dump(ev[key], 200))}")
    return "".join(parts) + "]\n\n"


def _cap(ev: Mapping[str, Any], summary: str | None) -> str:
    """The cap that stopped the check, in one line: its name, and its message unless the summary has it."""
    message = ev.get("message")
    repeated = message is None or str(message).strip() == (summary or "").strip()
    text = "" if repeated else dump(message, 600)
    body = f" {escape(text)}" if text else ""
    return f"#errorbox[*Stopped by the cap* {mono(dump(ev['cap'], 80))}.{body}]\n\n"


def _picture(plot: Callable[[Mapping[str, Any]], bytes | None], ev: Mapping[str, Any]) -> bytes | None:
    """The plot's SVG, or None when matplotlib cannot draw the data (a picture is never worth a failure)."""
    try:
        with quiet():
            return plot(ev)
    except Exception:  # e.g. overflow on log axes with extreme data: leave the picture out
        return None


def has_picture(evidence: Any) -> bool:
    """Whether the evidence holds data for a picture (a counterexample, a rate series or a schedule)."""
    if not isinstance(evidence, Mapping):
        return False
    return counterexample_data(evidence) is not None or bool(rate_series(evidence)[0]) \
        or bool(schedule_steps(evidence))


def pictured(results: list[Mapping[str, Any]], limit: int = MAX_PICTURED) -> set[int]:
    """The indices of the claims drawn: at most ``limit``, refuted ones first, then those not as expected,
    then in order (where a picture matters most: a counterexample, a surprise)."""
    def rank(i: int) -> tuple[int, int]:
        r = results[i]
        missed = bool(r.get("expect")) and r.get("expect") != r.get("verdict")
        return (0 if r.get("verdict") == "refuted" else 1 if missed else 2, i)

    candidates = [i for i, r in enumerate(results) if has_picture(r.get("evidence"))]
    return set(sorted(candidates, key=rank)[:limit])


def _figure(name: str, caption: str) -> str:
    return f'#figure(image("{name}", width: 72%), caption: [{escape(caption)}])\n\n'


def _bytes(size: float) -> str:
    if size < 1024:
        return f"{size:.0f} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB ({size:.0f} bytes)"
    return f"{size / 1024 / 1024:.2f} MiB ({size:.0f} bytes)"


def _seconds(secs: float) -> str:
    if not math.isfinite(secs):
        return str(secs)
    return f"{secs * 1000:.1f} ms" if secs < 1 else f"{secs:.2f} s"


# --- assembly ---------------------------------------------------------------------------------------------

def evidence_markup(evidence: Mapping[str, Any] | None, assets: Assets, summary: str | None = None,
                    draw: bool = True) -> str:
    """Typst markup presenting ``evidence``: known keys specially, any other key in a generic table;
    pictures only when ``draw`` (a report draws ``MAX_PICTURED`` claims, see :func:`pictured`)."""
    ev = dict(evidence or {})
    out: list[str] = []
    done: set[str] = set()
    leftover: list[tuple[str, Any]] = []

    def attempt(keys: tuple[str, ...], render: Callable[[], str]) -> None:
        present = [k for k in keys if k in ev]
        if not present:
            return
        done.update(present)
        try:
            out.append(render())
        except (TypeError, ValueError, KeyError, AttributeError, IndexError):
            leftover.extend((k, ev[k]) for k in present)

    if "error" in ev:
        attempt(("error", "field", "cap"), lambda: _error(ev))
    elif "cap" in ev:
        attempt(("cap", "message"), lambda: _cap(ev, summary))
    attempt(("method",), lambda: _method(ev, summary))
    attempt(tuple(CHECKED_LABELS), lambda: _checked(ev))
    if isinstance(ev.get("values"), Mapping):
        attempt(("values", "value_values"), lambda: _values(ev))
    done.add("discrepancy")
    out.append(_discrepancy(ev))
    if "certificate" in ev or "certificate_stats" in ev or "certificate_info" in ev:
        attempt(("certificate", "certificate_stats", "certificate_info"), lambda: _certificate(ev))
    attempt(("certificate_attempt",), lambda: _attempt(ev))
    attempt(("witness", "witness_check"), lambda: _witness(ev))
    if counterexample_data(ev) is not None:
        keys = tuple(k for k in ("counterexample", "function") if isinstance(ev.get(k), Mapping))
        if not keys:
            keys = ("plot",)
        attempt(keys, lambda: _counterexample(ev, assets, draw))
    for key in PROOF_KEYS:
        attempt((key,), lambda key=key: _proof_steps(ev, key))
    steps = ev.get("steps")
    if isinstance(steps, list) and steps and all(isinstance(s, Mapping) for s in steps):
        attempt(("steps",), lambda: _proof_steps(ev, "steps"))
    if not draw and has_picture(ev):
        out.append("#text(size: 0.88em, fill: luma(90))[_No picture: a report draws at most "
                   f"{MAX_PICTURED} claims, refuted ones first._]\n\n")
    svg = _picture(rate_plot, ev) if draw else None
    if svg is not None:
        done.update(k for k in ("series",) if k in ev)
        if isinstance(ev.get("plot"), Mapping) and ev["plot"].get("type") == "rate":
            done.add("plot")
        out.append(_figure(assets.add("rate", svg), "Worst case against N (computed) next to the claimed "
                                                    "bound, on log axes."))
    svg = _picture(schedule_plot, ev) if draw else None
    if svg is not None:
        if "steps" in ev and "steps" not in done:
            done.add("steps")
            out.append(_para("Step sizes", _value_cell(ev["steps"])))
        if isinstance(ev.get("plot"), Mapping) and ev["plot"].get("type") == "schedule":
            done.add("plot")
        out.append(_figure(assets.add("schedule", svg), "The step-size schedule."))
    attempt(("reason",), lambda: _text("Why undecided")(ev, "reason"))
    attempt(("samples",), lambda: _text("Sampled")(ev, "samples"))
    leftover.extend((k, v) for k, v in ev.items() if k not in done and k not in HYPOTHESIS_KEYS)
    if leftover:
        out.append(generic_table(leftover, label="Further evidence"))
    return "".join(out)


def hypotheses_markup(result: Mapping[str, Any]) -> str:
    """The claim's hypotheses (keys hypotheses, assume, where, domain of the result or its evidence)."""
    evidence = result.get("evidence")
    sources = [result, evidence if isinstance(evidence, Mapping) else {}]
    found: dict[str, Any] = {}
    for source in sources:
        nested = source.get("hypotheses")
        if isinstance(nested, Mapping) and set(nested) <= {"assume", "where", "domain"}:
            for key, value in nested.items():
                found.setdefault(key, value)
        elif nested is not None:
            found.setdefault("hypotheses", nested)
        for key in ("assume", "where", "domain"):
            if key in source:
                found.setdefault(key, source[key])
    parts: list[str] = []
    for key in HYPOTHESIS_KEYS:
        value = found.get(key)
        if value is None or value == {} or value == []:
            continue
        if len(parts) >= MAX_HYPOTHESES:
            break
        if key == "assume" and isinstance(value, Mapping):
            parts += [f"{mono(str(k))} {escape(dump(v, 60))}" for k, v in value.items()]
        elif key == "where" and isinstance(value, Mapping):
            parts += [mono(f"{k} = {dump(v, 200)}") for k, v in value.items()]
        elif isinstance(value, list):
            parts += [mono(dump(v, 200)) for v in value]
        elif isinstance(value, Mapping):
            parts += [mono(f"{k}: {dump(v, 200)}") for k, v in value.items()]
        else:
            parts.append(mono(dump(value, 300)))
    if len(parts) > MAX_HYPOTHESES:
        parts[MAX_HYPOTHESES:] = [escape(f"and {len(parts) - MAX_HYPOTHESES} more")]
    return "; ".join(parts)
