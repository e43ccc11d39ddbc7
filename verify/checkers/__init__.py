"""Registry of claim kinds: every module in this package that defines a :class:`Checker` subclass
decorated with :func:`register` is discovered automatically, so a new kind needs no dispatcher change."""

from __future__ import annotations

import importlib
import pkgutil

from verify.checkers.base import Checker, Context

REGISTRY: dict[str, Checker] = {}


def register(cls: type[Checker]) -> type[Checker]:
    """Class decorator: make ``cls.kind`` a known claim kind."""
    if cls.kind in REGISTRY and type(REGISTRY[cls.kind]) is not cls:
        raise RuntimeError(f"claim kind '{cls.kind}' registered twice")
    REGISTRY[cls.kind] = cls()
    return cls


def known_kinds() -> dict[str, Checker]:
    """All claim kinds, importing every checker module of this package once."""
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base" and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    return REGISTRY


__all__ = ["Checker", "Context", "REGISTRY", "known_kinds", "register"]
