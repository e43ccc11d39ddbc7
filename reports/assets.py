"""The files (SVG pictures) a report document refers to, named deterministically in order of creation."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass
class Assets:
    """SVG files by name; names are ``PREFIX-N.svg`` so the same results give the same document."""

    files: dict[str, bytes] = field(default_factory=dict)
    _by_digest: dict[tuple[str, bytes], str] = field(default_factory=dict, repr=False)
    _counts: dict[str, int] = field(default_factory=dict, repr=False)

    def add(self, prefix: str, data: bytes) -> str:
        """Store ``data`` (once per distinct picture) and return its file name for the typst source."""
        key = (prefix, hashlib.sha256(data).digest())
        name = self._by_digest.get(key)
        if name is None:
            name = f"{prefix}-{len(self.files) + 1}.svg"
            self.files[name] = data
            self._by_digest[key] = name
            self._counts[prefix] = self._counts.get(prefix, 0) + 1
        return name

    def count(self, prefix: str) -> int:
        """How many distinct pictures with this prefix are stored (pictures are budgeted per report)."""
        return self._counts.get(prefix, 0)
