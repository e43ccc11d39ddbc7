"""Parsing of the numeric fields that several claim kinds share (constants, step counts, step lists)."""

from __future__ import annotations

import math
from typing import Any

import sympy as sp

from verify.checkers.base import Context
from verify.claims import Claim
from verify.errors import CapExceeded, FieldError
from verify.expr import parse_expr, parse_number


def number_field(claim: Claim, name: str, ctx: Context, known: dict[str, Any] | None = None) -> Any:
    """The field ``name`` as an exact finite real sympy number (TOML number or exact string that may use
    the already known constants ``known``, e.g. ``{"L": 10, "m": 1}``)."""
    value = claim.get(name)
    if value is None:
        raise FieldError(name, "missing")
    return exact_number(value, name, ctx, known)


def exact_number(value: Any, name: str, ctx: Context, known: dict[str, Any] | None = None) -> Any:
    """``value`` as an exact finite real sympy number; a one-line field error otherwise."""
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldError(name, f"non-finite number {value}")
    if known:
        expr = parse_expr(value, field=name, symbols=dict(known), allow_new=False, caps=ctx.caps)
    else:
        expr = parse_number(value, field=name, caps=ctx.caps)
    if not (expr.is_real and expr.is_finite):
        raise FieldError(name, f"'{value}' is not a finite real number")
    return expr


def count_field(claim: Claim, ctx: Context, name: str = "N") -> int:
    """A positive step count within the ``max_steps`` cap."""
    n = claim.get(name)
    if isinstance(n, bool) or not isinstance(n, int):
        raise FieldError(name, f"must be a positive integer, got {n!r}")
    if n < 1:
        raise FieldError(name, f"must be a positive integer, got {n}")
    if n > ctx.caps.max_steps:
        raise CapExceeded("max_steps", f"N = {n} is above {ctx.caps.max_steps}", name)
    return n


def require_positive(expr: Any, name: str, what: str = "step sizes") -> None:
    """Error unless ``expr`` is provably > 0 (exactly or by an interval enclosure)."""
    from numeric.interval import sign_of

    s = sign_of(expr)
    if s is None:
        raise FieldError(name, f"cannot decide the sign of '{expr}'")
    if s <= 0:
        raise FieldError(name, f"{what} must be positive, got '{expr}'")


def steps_field(claim: Claim, ctx: Context, name: str = "steps",
                known: dict[str, Any] | None = None) -> list[Any]:
    """A non-empty list of exact positive step sizes within the ``max_steps`` cap."""
    raw = claim.get(name)
    if not isinstance(raw, list) or not raw:
        raise FieldError(name, "must be a non-empty list of step sizes")
    if len(raw) > ctx.caps.max_steps:
        raise CapExceeded("max_steps", f"{len(raw)} steps is above {ctx.caps.max_steps}", name)
    steps = []
    for i, text in enumerate(raw):
        eta = exact_number(text, f"{name}[{i}]", ctx, known)
        require_positive(eta, f"{name}[{i}]")
        steps.append(eta)
    return steps


def is_negative(expr: Any) -> bool:
    """True when the exact number is provably < 0."""
    return bool((expr < 0) is sp.true)
