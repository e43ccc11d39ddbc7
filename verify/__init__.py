"""Claim files, verdicts, dispatch and the command line of the gradient-method verification suite."""

import symbolic  # noqa: F401 - the claim language: core.expr with symbolic's matrix functions registered

__version__ = "0.1.0"
