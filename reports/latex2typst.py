"""Conversion of the LaTeX math subset used in claim statements to typst math.

The output is built only from known typst identifiers, single letters, digits, escaped symbols and string
literals, so a statement can never inject typst code. Anything outside the subset raises
``ConversionError`` and the caller falls back to matplotlib's mathtext.
"""

from __future__ import annotations

import re

from reports.markup import safe_text, string_literal


class ConversionError(ValueError):
    """The LaTeX uses something outside the supported subset."""


GREEK = {name: name for name in (
    "alpha beta gamma delta zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon "
    "chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split()}
GREEK.update({"epsilon": "epsilon.alt", "varepsilon": "epsilon", "phi": "phi.alt", "varphi": "phi",
              "vartheta": "theta.alt", "varrho": "rho.alt", "varsigma": "sigma.alt", "varpi": "pi.alt",
              "varkappa": "kappa.alt"})

_NORM = 'class("normal", bar.v.double)'
_BAR = 'class("normal", bar.v)'
SYMBOLS = {
    "le": "<=", "leq": "<=", "ge": ">=", "geq": ">=", "ne": "!=", "neq": "!=", "lt": "<", "gt": ">",
    "ll": "<<", "gg": ">>", "approx": "approx", "sim": "tilde.op", "simeq": "tilde.eq", "cong": "tilde.equiv",
    "equiv": "equiv", "propto": "prop", "cdot": "dot.op", "times": "times", "div": "div", "pm": "plus.minus",
    "mp": "minus.plus", "ast": "ast.op", "star": "star.op", "circ": "compose", "bullet": "bullet",
    "to": "->", "rightarrow": "->", "leftarrow": "<-", "Rightarrow": "=>", "Leftarrow": "arrow.l.double",
    "implies": "==>", "iff": "<==>", "Leftrightarrow": "<=>", "leftrightarrow": "<->", "mapsto": "|->",
    "downarrow": "arrow.b", "uparrow": "arrow.t", "searrow": "arrow.br", "nearrow": "arrow.tr",
    "in": "in", "notin": "in.not", "ni": "in.rev", "subset": "subset", "subseteq": "subset.eq",
    "supset": "supset", "supseteq": "supset.eq", "cup": "union", "cap": "sect", "setminus": "without",
    "emptyset": "emptyset", "varnothing": "emptyset", "forall": "forall", "exists": "exists",
    "neg": "not", "lnot": "not", "land": "and", "wedge": "and", "lor": "or", "vee": "or",
    "infty": "infinity", "partial": "partial", "nabla": "nabla", "top": "top", "intercal": "top",
    "bot": "bot", "perp": "perp", "parallel": "parallel", "prime": "prime", "ell": "ell", "hbar": "planck",
    "succ": "succ", "prec": "prec", "succeq": "succ.eq", "preceq": "prec.eq", "preccurlyeq": "prec.curly.eq",
    "succcurlyeq": "succ.curly.eq", "oplus": "plus.circle", "otimes": "times.circle", "odot": "dot.circle",
    "langle": "chevron.l", "rangle": "chevron.r", "lceil": "ceil.l", "rceil": "ceil.r", "lfloor": "floor.l",
    "rfloor": "floor.r", "lvert": _BAR, "rvert": _BAR, "vert": _BAR, "mid": "bar.v",
    "lVert": _NORM, "rVert": _NORM, "Vert": _NORM, "|": _NORM,
    "ldots": "dots.h", "dots": "dots.h", "cdots": "dots.c", "vdots": "dots.v", "ddots": "dots.down",
    "colon": ":", "triangleq": "eq.delta", "coloneqq": ":=", "Re": "Re", "Im": "Im", "aleph": "aleph",
    "{": "\\{", "}": "\\}", "%": "\\%", "$": "\\$", "#": "\\#", "&": "\\&", "_": "\\_",
    "sum": "sum", "prod": "product", "int": "integral", "oint": "integral.cont", "bigcup": "union.big",
    "bigcap": "sect.big",
}
OPERATORS = {name: name for name in (
    "max min sup inf lim liminf limsup log ln exp sin cos tan sinh cosh tanh arcsin arccos arctan det dim "
    "ker deg gcd arg Pr tr").split()}
SPACES = {",": "thin", ":": "med", ">": "med", ";": "thick", "!": "", "quad": "quad", "qquad": "wide",
          " ": "space", "enspace": "space.en", "thinspace": "thin"}
SIZING = {"left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl",
          "biggr", "Biggl", "Biggr", "displaystyle", "textstyle", "limits", "nolimits"}
STYLES = {"mathbf": "bold", "boldsymbol": "bold", "bm": "bold", "mathbb": "bb", "mathcal": "cal",
          "mathscr": "scr", "mathfrak": "frak", "mathsf": "sans", "mathtt": "mono", "mathit": "italic",
          "mathrm": "upright"}
ACCENTS = {"hat": "hat", "widehat": "hat", "bar": "macron", "overline": "overline", "tilde": "tilde",
           "widetilde": "tilde", "dot": "dot", "ddot": "dot.double", "vec": "arrow", "underline": "underline",
           "check": "caron", "breve": "breve"}
# Matrix environments and their typst delimiters (``\begin{pmatrix} a & b \\ c & d \end{pmatrix}``).
MATRICES = {"matrix": "#none", "pmatrix": '"("', "bmatrix": '"["', "Bmatrix": '"{"', "vmatrix": '"|"',
            "Vmatrix": '"||"'}
TEXTS = {"text", "textrm", "textit", "textbf", "mbox", "operatorname"}
PLAIN = set("+-=<>*.!:?")

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\d+(?:\.\d+)?|\s+|.", re.S)


def tokenize(src: str) -> list[str]:
    """LaTeX math tokens: commands, numbers, single characters and runs of whitespace."""
    if src.endswith("\\") and not src.endswith("\\\\"):
        raise ConversionError("math ends with a lone backslash")
    return _TOKEN.findall(src)


class _Parser:
    def __init__(self, src: str) -> None:
        self.src = src
        self.toks = tokenize(src)
        self.i = 0

    def peek(self) -> str | None:
        while self.i < len(self.toks) and self.toks[self.i].isspace():
            self.i += 1
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, raw: bool = False) -> str:
        tok = self.toks[self.i] if raw and self.i < len(self.toks) else self.peek()
        if tok is None:
            raise ConversionError("math ends too early")
        self.i += 1
        return tok

    # A sequence of atoms, up to a closing brace (or a closing bracket when in an optional argument).
    def sequence(self, close: str | None, stops: tuple[str, ...] = ()) -> list[str]:
        """Atoms up to ``close`` (consumed) or to one of ``stops`` (left for the caller)."""
        out: list[str] = []
        while True:
            tok = self.peek()
            if tok is not None and tok in stops:
                return out
            if tok is None:
                if close is not None:
                    raise ConversionError(f"missing '{close}'")
                return out
            if tok == close:
                self.i += 1
                return out
            if tok == "}":
                raise ConversionError("unbalanced '}'")
            if tok == "{":
                self.i += 1
                inner = [p for p in self.sequence("}") if p]
                if self.peek() not in ("^", "_", "'"):
                    out.extend(inner)
                    continue
                base = inner[0] if len(inner) == 1 else "#box[$" + " ".join(inner) + "$]" if inner else '""'
                out.append(self.scripts(base))
                continue
            base = self.atom()
            out.append(self.scripts(base))

    def scripts(self, base: str) -> str:
        primes = ""
        sub = sup = None
        while self.peek() in ("^", "_", "'"):
            tok = self.take()
            if tok == "'":
                primes += "'"
                continue
            arg = self.argument()
            if tok == "^":
                if sup is not None:
                    raise ConversionError("double superscript")
                sup = arg
            else:
                if sub is not None:
                    raise ConversionError("double subscript")
                sub = arg
        if not (primes or sub is not None or sup is not None):
            return base
        text = (base if base.strip() else '""') + primes
        if sub is not None:
            text += f"_({sub})"
        if sup is not None:
            text += f"^({sup})"
        return text

    def argument(self) -> str:
        """One argument: a braced group or a single atom (without its own scripts)."""
        tok = self.peek()
        if tok is None:
            raise ConversionError("missing argument")
        if tok == "{":
            self.i += 1
            return " ".join(self.sequence("}")) or '""'
        if tok in ("}", "^", "_", "'"):
            raise ConversionError(f"unexpected '{tok}'")
        return self.atom() or '""'


    def raw_group(self) -> str:
        """The literal text of a braced argument (for ``\\text``)."""
        if self.take() != "{":
            raise ConversionError("expected '{'")
        depth, parts = 1, []
        while True:
            tok = self.take(raw=True)
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
                if depth == 0:
                    return "".join(parts)
            parts.append(tok[1:] if tok.startswith("\\") and len(tok) == 2 else tok)

    def atom(self) -> str:
        tok = self.take()
        if tok == "{":
            inner = self.sequence("}")
            if len(inner) <= 1:
                return inner[0] if inner else '""'
            return "#box[$" + " ".join(inner) + "$]"
        if tok in ("^", "_", "'"):
            self.i -= 1
            return ""
        if tok.startswith("\\") and len(tok) > 1:
            return self.command(tok[1:])
        if tok[0].isdigit():
            return tok
        if tok.isalpha():
            return tok
        if tok == "~":
            return "space.nobreak"
        if tok in PLAIN:
            return tok
        if tok == "|":
            return _BAR
        if tok.isascii():
            return "\\" + tok if tok.isprintable() else ""
        shown = safe_text(tok)
        return tok if shown == tok else string_literal(shown)

    def command(self, name: str) -> str:
        if name in GREEK:
            return GREEK[name]
        if name in SYMBOLS:
            return SYMBOLS[name]
        if name in OPERATORS:
            return OPERATORS[name]
        if name in SPACES:
            return SPACES[name] or '""'
        if name in SIZING:
            if name in ("left", "right", "middle") and self.peek() == ".":
                self.i += 1
            return ""
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            num = self.argument()
            return f"frac({num}, {self.argument()})"
        if name == "binom":
            top = self.argument()
            return f"binom({top}, {self.argument()})"
        if name == "sqrt":
            if self.peek() == "[":
                self.i += 1
                index = " ".join(self.sequence("]")) or '""'
                return f"root({index}, {self.argument()})"
            return f"sqrt({self.argument()})"
        if name in STYLES:
            return f"{STYLES[name]}({self.argument()})"
        if name in ACCENTS:
            return f"{ACCENTS[name]}({self.argument()})"
        if name in TEXTS:
            text = self.raw_group()
            if name == "operatorname":
                return f"op({string_literal(text)})"
            return string_literal(text)
        if name == "begin":
            return self.matrix(self.raw_group())
        if name == "not":
            nxt = self.take()
            negated = {"=": "!=", "\\in": "in.not", "\\le": "lt.eq.not", "\\leq": "lt.eq.not",
                       "\\subset": "subset.not", "\\equiv": "equiv.not", "<": "lt.not", ">": "gt.not"}
            if nxt not in negated:
                raise ConversionError(f"unsupported \\not{nxt}")
            return negated[nxt]
        raise ConversionError(f"unsupported LaTeX command \\{name}")

    def matrix(self, env: str) -> str:
        """The body of a matrix environment, up to its ``\\end``, as typst ``mat``."""
        if env not in MATRICES:
            raise ConversionError(f"unsupported environment {env!r}")
        rows: list[list[str]] = []
        row: list[str] = []
        while True:
            cell = [p for p in self.sequence(None, stops=("&", "\\\\", "\\end")) if p]
            row.append(" ".join(cell))
            tok = self.take()
            if tok == "&":
                continue
            if tok == "\\end":
                if self.raw_group() != env:
                    raise ConversionError(f"\\begin{{{env}}} closed by another environment")
                if row != [""] or not rows:  # a final ``\\\\`` ends the last row, it opens none
                    rows.append(row)
                break
            rows.append(row)
            row = []
        if len({len(r) for r in rows}) != 1:
            raise ConversionError(f"rows of different lengths in {env}")
        body = "; ".join(", ".join(cell or '""' for cell in r) for r in rows)
        return f"mat(delim: {MATRICES[env]}, {body})"


def math_to_typst(src: str) -> str:
    """Typst math (without the ``$`` delimiters) for one LaTeX math segment; raises ``ConversionError``."""
    parser = _Parser(src)
    try:
        return " ".join(p for p in parser.sequence(None) if p)
    except RecursionError:
        raise ConversionError("math nested too deeply") from None


def split_math(text: str) -> list[tuple[bool, str]]:
    """Split a statement into ``(is_math, text)`` pieces at ``$...$`` (``\\$`` is a literal dollar)."""
    pieces: list[tuple[bool, str]] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] == "$":
            buf.append("$")
            i += 2
            continue
        if ch == "$":
            double = text.startswith("$$", i)
            delim = "$$" if double else "$"
            j = i + len(delim)
            end = _find_closing(text, j, delim)
            if end < 0:
                buf.append(text[i:])
                break
            if buf:
                pieces.append((False, "".join(buf)))
                buf = []
            pieces.append((True, text[j:end]))
            i = end + len(delim)
            continue
        buf.append(ch)
        i += 1
    if buf:
        pieces.append((False, "".join(buf)))
    return pieces


def _find_closing(text: str, start: int, delim: str) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(delim, i):
            return i
        i += 1
    return -1
