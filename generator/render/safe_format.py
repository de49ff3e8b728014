"""Filling a letter sentence: only the named placeholders, never a reach into Python objects.

`str.format` lets `{value.__class__.__mro__}` or `{value[0]}` walk into the objects it is
given; a rubric author's sentence must not. Validate checks sentences up front
(score/rubric.py letter_problems); this is the same rule where they are filled in.
"""

from __future__ import annotations

import string
from typing import Any


class _Placeholders(string.Formatter):
    def __init__(self, allowed: set[str]):
        self.allowed = allowed

    def get_field(self, field_name: str, args, kwargs) -> tuple[Any, str]:
        if field_name not in self.allowed:
            raise ValueError(f"unknown placeholder {{{field_name}}}")
        return kwargs[field_name], field_name

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion:
            raise ValueError("placeholders take no conversion")
        return value

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec:
            raise ValueError("placeholders take no format")
        return str(value)


def fill(template: str, **values: Any) -> str:
    """``template`` with each `{name}` replaced by ``values[name]`` (as text); raises
    ValueError for anything else: another name, an attribute, an index, a format or a
    conversion, or an unbalanced brace."""
    return _Placeholders(set(values)).vformat(template, (), values)
