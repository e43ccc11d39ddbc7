"""The PDF verification report: results JSON -> typst document (with matplotlib plots) -> PDF."""
