"""The files (SVG pictures) a report document refers to, named deterministically in order of creation."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Assets:
    """SVG files by name; names are ``PREFIX-N.svg`` so the same results give the same document."""

    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, prefix: str, data: bytes) -> str:
        """Store ``data`` (once per distinct picture) and return its file name for the typst source."""
        for name, stored in self.files.items():
            if stored == data and name.startswith(prefix + "-"):
                return name
        name = f"{prefix}-{len(self.files) + 1}.svg"
        self.files[name] = data
        return name
