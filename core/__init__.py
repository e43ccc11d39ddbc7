"""The bottom layer: the safe expression parser, the suite's error types and its resource caps.

Everything else imports down to here (numeric, symbolic, pep, verify, reports); this package imports
nothing of the suite's.
"""
