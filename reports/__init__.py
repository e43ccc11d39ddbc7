"""The PDF verification report."""
