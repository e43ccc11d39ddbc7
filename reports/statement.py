"""Claim statements (text with LaTeX math between ``$``) as typst markup.

Math goes through ``latex2typst``; a segment it cannot convert is typeset by matplotlib's mathtext and
embedded as SVG; if mathtext rejects it too, the LaTeX source is shown verbatim.
"""

from __future__ import annotations

from reports.assets import Assets
from reports.latex2typst import ConversionError, math_to_typst, split_math
from reports.markup import escape, mono
from reports.plots import mathtext_svg

MAX_MATH_PICTURES = 300  # distinct mathtext pictures per report (about 30 ms each); then the LaTeX verbatim


def math_markup(latex: str, assets: Assets, *, typst_math: bool = True) -> str:
    """Markup for one math segment: typst math, else a mathtext picture, else the source verbatim."""
    if typst_math:
        try:
            converted = math_to_typst(latex)
        except ConversionError:
            converted = None
        if converted is not None:
            return f"${converted}$" if converted.strip() else ""
    svg = mathtext_svg(latex) if assets.count("math") < MAX_MATH_PICTURES else None
    if svg is not None:
        name = assets.add("math", svg)
        return f'#box(baseline: 22%, image("{name}"))'
    return mono("$" + latex + "$")


def statement_markup(text: str, assets: Assets, *, typst_math: bool = True) -> str:
    """The whole statement as markup; plain text is escaped, so a statement cannot inject typst code."""
    return "".join(math_markup(piece, assets, typst_math=typst_math) if is_math else escape(piece)
                   for is_math, piece in split_math(text))


def short_statement(text: str, limit: int = 110) -> str:
    """The statement cut after about ``limit`` characters at a text boundary, never inside math."""
    kept: list[str] = []
    used = 0
    for is_math, piece in split_math(text):
        size = len(piece)
        if used + size <= limit:
            kept.append(f"${piece}$" if is_math else piece.replace("$", "\\$"))
            used += size
            continue
        if not is_math:
            room = max(limit - used, 0)
            cut = piece[:room].rsplit(" ", 1)[0] if " " in piece[:room] else piece[:room]
            kept.append(cut.replace("$", "\\$"))
        kept.append(" …")
        break
    return "".join(kept)
