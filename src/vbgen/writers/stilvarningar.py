"""WeasyPrint's warnings about a style sheet, kept from its log and told in Swedish with the
style sheet's file and line: a declaration it ignores (``colr: red``) would otherwise change
nothing in the PDF without a word."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: What WeasyPrint logs of a declaration it ignores, a rule it does not know, a parse error.
_IGNORED = re.compile(r"^Ignored `(?P<what>.*)` at (?P<line>\d+):\d+, (?P<why>.*?)\.?$", re.S)
_RULE = re.compile(r"^Unknown (?:empty )?rule .*?(?P<what>@[\w-]+).* at (?P<line>\d+):\d+$", re.S)
_PARSE = re.compile(r"^Parse error at (?P<line>\d+):\d+: (?P<why>.*)$", re.S)
_AT = re.compile(r" at (?P<line>\d+):\d+")

#: WeasyPrint's reasons, in Swedish.
_REASONS = {
    "unknown property": "okänd egenskap",
    "invalid value": "ogiltigt värde",
    "unsupported property": "egenskapen stöds inte",
    "prefixed selectors are ignored": "selektorer med prefix stöds inte",
}


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def kept() -> Iterator[list[str]]:
    """WeasyPrint's warnings while the block runs, kept here instead of its log."""
    logger = logging.getLogger("weasyprint")
    handler, propagate = _Kept(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def told(stylesheet: Path, messages: list[str]) -> list[str]:
    """Each of WeasyPrint's ``messages`` about ``stylesheet`` as a user reads it."""
    out = []
    for message in messages:
        if m := _IGNORED.match(message):
            why = _REASONS.get(m["why"], m["why"])
            what = f'"{m["what"]}" används inte ({why})'
        elif m := _RULE.match(message):
            what = f'regeln {m["what"]} är okänd och används inte'
        elif m := _PARSE.match(message):
            what = f'CSS-koden går inte att tolka ({m["why"]}) och används inte'
        else:
            m = _AT.search(message)
            what = f"WeasyPrint säger: {message}"
        line = f" rad {m['line']}" if m is not None else ""
        out.append(f"Varning: {stylesheet}{line}: {what}. Rätta stilmallen så att PDF:en "
                   "ser ut som den är tänkt.")
    return out
