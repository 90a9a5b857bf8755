"""Swedish numbers: formatted for templates (as Jinja filters) and charts, and read back.

Every figure a reader sees passes through here: ``501 534``, ``−3,6``, ``0,9 %``,
``4,5 miljoner kronor`` and ``-`` for a missing value.
"""

from __future__ import annotations

import math
import re
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


def parse_number(text: str) -> float | None:
    """Read a number written the Swedish or the English way; blank or ``-`` is missing."""
    s = _SPACES.sub("", text).replace("\u2212", "-").replace("\u2013", "-")
    if s in ("", "-"):
        return None
    if s.endswith("%"):
        s = s[:-1]
    if "," in s:
        if "." in s:
            raise ValueError  # 1.234,5 and 1,234.5 are too ambiguous to guess
        s = s.replace(",", ".")
    value = float(s)
    if not in_range(value):
        raise ValueError(OUT_OF_RANGE)
    return value


#: Every number vbgen reads lies between minus and plus this (a million million).
NUMBER_LIMIT = 1e12
OUT_OF_RANGE = ("talet ligger utanför det vbgen tar emot (ett ändligt tal mellan "
                "−1 000 000 000 000 och 1 000 000 000 000)")


def in_range(value: float) -> bool:
    """Whether ``value`` is a finite number that vbgen can compute with and show."""
    return math.isfinite(value) and abs(value) <= NUMBER_LIMIT
