"""Swedish numbers: formatted for templates (as Jinja filters) and charts, and read back.

Every figure a reader sees passes through here: ``501 534``, ``−3,6``, ``0,9 %``,
``4,5 miljoner kronor`` and ``-`` for a missing value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "sv_SE"
MINUS = "\u2212"
NBSP = "\u00a0"
MISSING = "-"

Number = int | float | Decimal


def _round(value: Number, decimals: int) -> Decimal:
    # Half up, as in accounting; Babel alone would round half to even.
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def shown(value: Number, decimals: int | None = 0) -> Decimal:
    """``value`` as :func:`number` shows it: rounded half up, to at most two decimals when
    ``decimals`` is None. A word chosen by a figure's sign is chosen by this."""
    return _round(value, 2).normalize() if decimals is None else _round(value, decimals)


def decimals_shown(values: Iterable[Number | None]) -> int:
    """The decimals that show every one of ``values`` as :func:`number` with ``None`` would
    (at most two): the most any of them needs. Numbers side by side in a row or a column
    shown with these line up ("3,1 / −1,0 / 0,9") where each alone would not ("−1")."""
    return max((max(0, -int(shown(v, None).as_tuple().exponent)) for v in values
                if v is not None), default=0)


def number(value: Number | None, decimals: int | None = 0) -> str:
    """Format a number the Swedish way; ``decimals=None`` keeps up to two significant decimals."""
    if value is None:
        return MISSING
    if decimals is None:
        rounded = _round(value, 2).normalize()
        shown = max(0, -rounded.as_tuple().exponent)  # type: ignore[operator]
        pattern = "#,##0" + ("." + "0" * shown if shown else "")
    else:
        rounded = _round(value, decimals)
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    if rounded == 0:
        rounded = abs(rounded)  # never show "−0"
    text = format_decimal(rounded, format=pattern, locale=LOCALE, decimal_quantization=True)
    # Babel uses a hyphen-minus for sv_SE; typeset Swedish uses the real minus sign.
    return text.replace("-", MINUS).replace("\u202f", NBSP)


def percent(value: Number | None, decimals: int = 1) -> str:
    """Format a value already in percent: ``0,9 %``."""
    if value is None:
        return MISSING
    return f"{number(value, decimals)}{NBSP}%"


def tkr(value: Number | None) -> str:
    """Format an amount in tkr for a table: whole thousands."""
    return number(value, 0)


def mnkr(value_tkr: Number | None, decimals: int = 1) -> str:
    """Format an amount given in tkr as prose: ``4,5 miljoner kronor``."""
    if value_tkr is None:
        return MISSING
    return f"{number(Decimal(str(value_tkr)) / 1000, decimals)} miljoner kronor"


def to_mnkr(value_tkr: Number | None) -> float | None:
    """An amount in tkr as a number of miljoner kronor, for a chart's values."""
    return None if value_tkr is None else float(value_tkr) / 1000


def date_text(value: date) -> str:
    """A date as Swedish prose and tables write it: ``3 maj 2024``."""
    return format_date(value, format="d MMMM y", locale=LOCALE)


def count_word(n: int, gender: str = "ett") -> str:
    """Write small counts as words, as Swedish prose does (``tre``), larger as digits.

    One is "ett" before a neuter noun (nämndmål, uppdrag) and "en" before any other
    (indikator); see :mod:`vbgen.sprak` for whole phrases.
    """
    words = ["noll", "ett" if gender == "ett" else "en", "två", "tre", "fyra", "fem", "sex",
             "sju", "åtta", "nio", "tio", "elva", "tolv"]
    return words[n] if 0 <= n < len(words) else number(n)


#: Shown instead of a percentage change whose base is zero or negative.
NOT_MEANINGFUL = "\u2013"
#: The note a table with such a cell carries.
NOT_MEANINGFUL_NOTE = ("\u2013 Förändringen i procent redovisas inte när jämförelsevärdet är "
                       "noll eller negativt.")


def percent_of(value: Number | None, base: Number | None, decimals: int = 1) -> str:
    """A percentage of (or change from) ``base``; an en dash when the base is zero or negative.

    A percentage of a negative amount has no plain meaning (a change from −1 162 to 1 083 is
    not "193 % more"), so municipal reports show "–" with a note instead.
    """
    if base is not None and base <= 0:
        return NOT_MEANINGFUL
    return percent(value, decimals)


def join_list(items: list[str]) -> str:
    """Join phrases the Swedish way: ``a, b och c``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]


FILTERS = {
    "tal": number,
    "procent": percent,
    "tkr": tkr,
    "mnkr": mnkr,
    "till_mnkr": to_mnkr,
    "antal_ord": count_word,
    "procent_av": percent_of,
    "och_lista": join_list,
}


_SPACES = re.compile(r"[\s\u00a0\u202f]")

#: The decimal marks a table can declare (``decimaltecken``), and the character of each.
DECIMAL_MARKS = {"komma": ",", "punkt": "."}
#: A number whose other separator groups thousands: "12.400", "1,250,000".
_GROUPED = {",": re.compile(r"^[-+]?\d{1,3}(\.\d{3})+$"),
            ".": re.compile(r"^[-+]?\d{1,3}(,\d{3})+$")}


class NumberError(ValueError):
    """A text that is not a number as vbgen reads it; the message says why, in Swedish.

    ``kind`` is "tal" for a text that is no number, "gräns" for one out of range (the message
    is then :data:`OUT_OF_RANGE`) and "tecken" for a decimal mark other than the table's.
    """

    def __init__(self, message: str, kind: str = "tal") -> None:
        super().__init__(message)
        self.kind = kind


class NumberText(str):
    """A number cell of a workbook as text: read as the number it holds, whatever decimal mark
    the table declares, since Excel stored a number and not a text."""

    value: float

    def __new__(cls, value: float) -> NumberText:
        # Rounded to ten decimals: 0,066 shown as a percent is 6,6, not 6,6000000000000005.
        number = round(float(value), 10) if math.isfinite(value) else float(value)
        text = super().__new__(cls, _plain(number))
        text.value = number
        return text


def _plain(value: float) -> str:
    """A number as a Swedish file writes it, without thousands separators: ``-1234,5``."""
    if not math.isfinite(value):
        return str(value)
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _as_decimal(s: str, separator: str, mark: str) -> str:
    whole, _, decimals = s.partition(separator)
    decimals = decimals.rstrip("0")
    return (whole if whole.strip("+-") else whole + "0") + (mark + decimals if decimals else "")


def parse_number(text: str, decimal: str = ",") -> float | None:
    """Read a number written the Swedish way (or with ``decimal`` as its decimal mark); blank
    or ``-`` is missing. A number with the other mark is an error that gives its readings:
    "12.400" may be 12 400 or 12,4, and vbgen never guesses."""
    if isinstance(text, NumberText):
        if not in_range(text.value):
            raise NumberError(OUT_OF_RANGE, "gräns")
        return text.value
    s = _SPACES.sub("", text).replace("\u2212", "-").replace("\u2013", "-")
    if s in ("", "-"):
        return None
    if s.endswith("%"):
        s = s[:-1]
    other = "." if decimal == "," else ","
    names = {",": "komma", ".": "punkt"}
    if other in s and decimal in s:
        raise NumberError(f'talet "{text}" har både punkt och komma; skriv det utan '
                          f"tusentalsavgränsare och med {names[decimal]} före decimalerna",
                          "tecken")
    grouped = re.fullmatch(r"[-+]?\d{1,3}(" + re.escape(other) + r"\d{3})+", s)
    if grouped or re.fullmatch(r"[-+]?\d*" + re.escape(other) + r"\d+", s):
        thousands = number(float(s.replace(other, ""))).replace(NBSP, " ")
        reading = (thousands if s.count(other) > 1
                   else f"{thousands} eller {_as_decimal(s, other, decimal)}" if grouped
                   else _as_decimal(s, other, decimal))
        raise NumberError(f'talet "{text}" har {names[other]}, men tabellen skriver decimaler '
                          f"med {names[decimal]}: menar du {reading}?", "tecken")
    try:
        value = float(s.replace(decimal, "."))
    except ValueError:
        raise NumberError(f'förväntade ett tal, fick "{text}"') from None
    if not in_range(value):
        raise NumberError(OUT_OF_RANGE, "gräns")
    return value


#: Every number vbgen reads lies between minus and plus this (a million million).
NUMBER_LIMIT = 1e12
OUT_OF_RANGE = ("talet ligger utanför det vbgen tar emot (ett ändligt tal mellan "
                "−1 000 000 000 000 och 1 000 000 000 000)")


def in_range(value: float) -> bool:
    """Whether ``value`` is a finite number that vbgen can compute with and show."""
    return math.isfinite(value) and abs(value) <= NUMBER_LIMIT
