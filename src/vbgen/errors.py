"""Problems found in a user's data, reported together and in Swedish."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one place of one file."""

    file: str
    message: str
    line: int | None = None
    field: str | None = None
    #: "kolumn" for a table cell, "fält" for a YAML field.
    field_word: str = "fält"

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(f"rad {self.line}")
        if self.field:
            parts.append(f'{self.field_word} "{self.field}"')
        return ", ".join(parts) + f": {self.message}"


class DataError(Exception):
    """The data cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems

    def __str__(self) -> str:
        n = len(self.problems)
        head = "Ett fel hittades i data:" if n == 1 else f"{n} fel hittades i data:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class TemplateError(Exception):
    """A template cannot be rendered; the message is for an editor.

    ``needle`` is text of the template that caused it (``<tabel``), so that the message can
    name the template's line; ``located`` is set once the message names its template.
    """

    def __init__(self, message: str, needle: str | None = None, located: bool = False) -> None:
        super().__init__(message)
        self.needle = needle
        self.located = located


class StyleError(Exception):
    """A style file (such as the reference document) cannot be used; the message is for an
    editor."""
