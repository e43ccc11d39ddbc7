"""The fields of a rate claim that name a method other than gradient descent, parsed into a pep Method.

``method = "heavy-ball"``: ``h`` (the step, h/L in units), ``beta`` (momentum) and ``N``.
``method = "nesterov"``: ``h`` (default 1), ``beta`` (a number, a list of N numbers, or an expression in
``k`` such as ``"k/(k+3)"``, k = 0..N-1) and ``N``. ``method = "ogm"``: ``N`` (Kim and Fessler's OGM).
``method = "fsfom"``: ``H``, rows of exact numbers (row k has k + 1 entries), read as
x_{k+1} = x_0 - sum_i (H[k][i]/L) grad f(x_i), or with ``H_form = "increments"`` as
x_{k+1} = x_k - sum_i (H[k][i]/L) grad f(x_i). Numbers may use L and m; they must be rational or in
Q(sqrt 2) so that the PEP stays exact (OGM beyond N = 1 is the exception: solved in float64 only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy as sp

from core.errors import CapExceeded, FieldError
from core.expr import parse_expr
from pep.methods import Method, fsfom, heavy_ball, nesterov, ogm
from verify.checkers.base import Context
from verify.claims import Claim
from verify.fields import count_field, exact_number, number_field, require_positive, to_field

GD_ONLY = ("steps", "schedule")  # fields that describe gradient descent's steps only
FIELDS = {"heavy-ball": ("h", "beta", "N"), "nesterov": ("h", "beta", "N"), "ogm": ("N",),
          "fsfom": ("H", "H_form", "N")}


@dataclass
class MethodSpec:
    """The parsed method, its label for the evidence, and the same method for a smaller N (plots)."""

    method: Method
    label: str
    prefix: Callable[[int], Method]


def method_field(claim: Claim, ctx: Context, name: str, known: dict[str, Any]) -> MethodSpec:
    """The method named ``name`` (not "gd") from the claim's fields; one-line field errors."""
    for field in GD_ONLY:
        if claim.get(field) is not None:
            raise FieldError(field, f"only for method = 'gd' (this claim's method is '{name}')")
    allowed = FIELDS[name]
    for field in ("h", "beta", "H", "H_form"):
        if claim.get(field) is not None and field not in allowed:
            raise FieldError(field, f"not a parameter of method '{name}' (it takes {', '.join(allowed)})")
    if name == "fsfom":
        return _user_matrix(claim, ctx, known)
    n = count_field(claim, ctx)
    if name == "ogm":
        return MethodSpec(ogm(n), f"OGM (Kim-Fessler), N = {n}", ogm)
    h = number_field(claim, "h", ctx, known) if claim.get("h") is not None or name == "heavy-ball" \
        else sp.Integer(1)
    require_positive(h, "h", "the step h")
    if claim.get("beta") is None:
        raise FieldError("beta", f"method '{name}' needs the momentum beta")
    betas = _momentum(claim.get("beta"), n, ctx, known)
    alpha = to_field(h, "h")
    build = heavy_ball if name == "heavy-ball" else nesterov
    label = f"{name}, h = {h}, beta = {claim.get('beta')}"
    return MethodSpec(build(alpha, betas, n), label, lambda k: build(alpha, betas[:k], k))


def _momentum(raw: Any, n: int, ctx: Context, known: dict[str, Any]) -> list[Any]:
    """beta_0..beta_{N-1}, exact: one number, a list of N, or an expression in k."""
    if isinstance(raw, list):
        if len(raw) != n:
            raise FieldError("beta", f"{len(raw)} values for N = {n}")
        return [to_field(exact_number(v, f"beta[{i}]", ctx, known), f"beta[{i}]") for i, v in enumerate(raw)]
    if isinstance(raw, str) and "k" in raw:
        k = sp.Symbol("k")
        expr = parse_expr(raw, field="beta", symbols={**known, "k": k}, allow_new=False, caps=ctx.caps)
        out = []
        for i in range(n):
            value = sp.simplify(expr.subs(k, i))
            if not (value.is_real and value.is_finite):
                raise FieldError("beta", f"'{raw}' is not a finite real number at k = {i}")
            out.append(to_field(value, "beta"))
        return out
    return [to_field(exact_number(raw, "beta", ctx, known), "beta")] * n


def _user_matrix(claim: Claim, ctx: Context, known: dict[str, Any]) -> MethodSpec:
    rows = claim.get("H")
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise FieldError("H", "must be a non-empty list of rows (row k has k + 1 exact numbers)")
    if len(rows) > ctx.caps.max_steps:
        raise CapExceeded("max_steps", f"{len(rows)} rows is above {ctx.caps.max_steps}", "H")
    form = claim.get("H_form", "from-x0")
    if form not in ("from-x0", "increments"):
        raise FieldError("H_form", f"must be 'from-x0' or 'increments', got {form!r}")
    exact = []
    for k, row in enumerate(rows):
        if len(row) != k + 1:
            raise FieldError("H", f"row {k} has {len(row)} entries; a lower-triangular H has {k + 1}")
        exact.append([to_field(exact_number(v, f"H[{k}][{i}]", ctx, known), f"H[{k}][{i}]")
                      for i, v in enumerate(row)])
    if claim.get("N") is not None and count_field(claim, ctx) != len(rows):
        raise FieldError("N", f"N = {claim.get('N')} but H has {len(rows)} rows")
    return MethodSpec(fsfom(exact, form), f"user H ({form}), N = {len(rows)}",
                      lambda k: fsfom(exact[:k], form))


__all__ = ["FIELDS", "MethodSpec", "method_field"]
