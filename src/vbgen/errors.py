"""Problems found in a user's data, reported together and in Swedish."""

from __future__ import annotations

import errno
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


class EnvironmentProblem(Exception):
    """The machine, not the data, stops vbgen: a file that cannot be read, a folder that
    cannot be written, a full disk. The message names the place and the reason."""


class OutputBusyError(Exception):
    """Another vbgen is writing into the same output folder."""


_REASONS = {
    errno.EACCES: "behörighet saknas",
    errno.EPERM: "behörighet saknas",
    errno.ENOSPC: "disken är full",
    errno.EDQUOT: "diskkvoten är slut",
    errno.EROFS: "filsystemet är skrivskyddat",
    errno.EISDIR: "det är en mapp, inte en fil",
    errno.ENOTDIR: "en del av sökvägen är en fil, inte en mapp",
    errno.ENOENT: "finns inte",
    errno.EEXIST: "det finns redan en fil med det namnet",
    errno.ENAMETOOLONG: "namnet är för långt",
    errno.EIO: "in- eller utmatningsfel på disken",
}


def os_reason(exc: OSError) -> str:
    """The operating system's reason for ``exc``, in Swedish where it is a common one."""
    reason = _REASONS.get(exc.errno or 0)
    if reason:
        return reason
    return exc.strerror or exc.__class__.__name__


def environment_problem(exc: OSError, doing: str, where: object) -> EnvironmentProblem:
    """An :class:`EnvironmentProblem` for ``exc``: "kan inte läsa data/drift.csv: ..."."""
    place = exc.filename if exc.filename else where
    return EnvironmentProblem(f"{doing} {place}: {os_reason(exc)}")
