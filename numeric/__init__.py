"""Numeric cross-checks: rigorous interval enclosures (mpmath iv), high-precision values and float64."""
