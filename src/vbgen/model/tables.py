"""A declared table as read: its rows of typed cells, each row with its kind and the line it
was read from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..model.report import (
    UNAVAILABLE_MARK,
    Column,
    Source,
    TableDecl,
)

#: Values of the optional ``radtyp`` column: a total row, a result row ("resultat", such as
#: Årets resultat: shown like a total but no sum), or a row whose numeric columns hold a rank
#: ("19/26") or a text instead of numbers.
ROW_KINDS = ("", "delsumma", "summa", "resultat", "rang", "text")


#: The kinds of total row, checked against the rows they sum.
SUM_KINDS = ("delsumma", "summa")


#: The kinds of row shown bold, as totals are.
TOTAL_KINDS = (*SUM_KINDS, "resultat")


#: The column that marks total rows; it is never shown.
ROW_KIND_COLUMN = "radtyp"


#: The mark of a derived förändring left out because its base is zero or negative.
NOT_COMPARABLE = "ej_jamforbar"


#: A number followed by a note mark: "2 174 *".
NOTE_MARK = re.compile(r"^(.*?)[\s\u00a0]*(\*+)$")


#: A place among others: "19/26".
RANK = re.compile(r"^(\d+)\s*/\s*(\d+)$")


@dataclass
class Value:
    """One cell: its typed value and the note mark that followed it in the file.

    A value the file marks as not available has the mark ``..`` and its ``reason`` (empty
    when a note of the table starting with ``..`` gives it); ``written`` is the number as the
    file wrote it, for messages.
    """

    value: float | str | date | None
    mark: str = ""
    reason: str = ""
    written: str = ""

    @property
    def unavailable(self) -> bool:
        return self.mark == UNAVAILABLE_MARK


@dataclass
class DataRow:
    cells: dict[str, Value]
    #: "", "delsumma" or "summa".
    kind: str = ""
    source: Source | None = None


@dataclass
class DataTable:
    """A declared table with its rows read and typed; derived columns filled by derive."""

    decl: TableDecl
    rows: list[DataRow] = field(default_factory=list)
    #: The report's year, which decides the columns whose cells are required.
    ar: int | None = None
    #: The decimals of each column that declares none, by its id, once computed
    #: (``derive.tables.decimals``).
    shown_decimals: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def columns(self) -> list[Column]:
        return [c for c in self.decl.kolumner if c.visas]

    def column(self, column_id: str) -> Column | None:
        return next((c for c in self.decl.kolumner if c.id == column_id), None)


def norm(name: str) -> str:
    """A column name as the readers key it: lower case, single spaces, ``_`` as space."""
    return " ".join(str(name).replace("_", " ").split()).lower()
