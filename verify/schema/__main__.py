"""``python -m verify.schema``: print the evidence tables of docs/evidence.md, generated from the schema."""

from verify.schema import markdown

print(markdown(), end="")
