"""Claim files, verdicts, dispatch and the command line of the gradient-method verification suite."""

__version__ = "0.1.0"
