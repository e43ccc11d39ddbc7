"""The results format: the JSON Schema of `certify --json` files, and the docs tables made from it."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

RESULTS_FORMAT = "gradverify-results/2"  # the ``format`` of a results file; bumped when a key changes
SCHEMA_PATH = Path(__file__).with_name("results.schema.json")
BEGIN = "<!-- BEGIN generated from verify/schema/results.schema.json by `python -m verify.schema` -->"
END = "<!-- END generated -->"


@cache
def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a results file."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _type(schema: dict[str, Any]) -> str:
    """A short type for the docs: ``string``, ``[string]``, ``string | null``, a definition's name, ..."""
    if "$ref" in schema:
        return f"`{schema['$ref'].rsplit('/', 1)[-1]}`"
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " | ".join(_type(s) for s in schema["anyOf"])
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items") or {}
        return f"[{_type(items)}]" if items else "[any]"
    if kind == "object" and "properties" in schema:
        return "object (below)"
    if kind == "object":
        values = schema.get("additionalProperties")
        return f"{{name: {_type(values)}}}" if isinstance(values, dict) and values else "object"
    if isinstance(kind, list):
        return " | ".join(kind)
    return kind or "any"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _tables(name: str, schema: dict[str, Any], out: list[str]) -> None:
    """The table of one object schema, then the tables of the objects defined inline in it."""
    heading = f"### {schema.get('title', name)} (`{name}`)" if name else f"### {schema['title']}"
    out += [heading, "", _cell(schema.get("description", "")).rstrip(".") + ".", "",
            "| key | type | meaning |", "| --- | --- | --- |"]
    required = set(schema.get("required", ()))
    inline = []
    for key, prop in schema["properties"].items():
        mark = " (always)" if key in required else ""
        out.append(f"| `{key}` | {_cell(_type(prop))} | {_cell(prop.get('description', ''))}{mark} |")
        for sub in [prop, *prop.get("anyOf", []), prop.get("items") or {}]:
            if sub.get("type") == "object" and "properties" in sub:
                inline.append((f"{name}.{key}" if name else key, sub))
    out.append("")
    for sub_name, sub in inline:
        _tables(sub_name, sub, out)


def markdown() -> str:
    """The generated part of docs/evidence.md: one table per object of the schema, every key described."""
    schema = load_schema()
    out = [BEGIN, ""]
    _tables("", {**schema, "title": "The results file"}, out)
    for name, sub in schema["$defs"].items():
        if sub.get("type") == "object" and "properties" in sub:
            _tables(name, sub, out)
    out.append(END)
    return "\n".join(out) + "\n"


__all__ = ["BEGIN", "END", "RESULTS_FORMAT", "SCHEMA_PATH", "load_schema", "markdown"]
