"""Generated Swedish: counts with the noun's gender and number, lists, dates and ranges.

Every sentence the templates build from counts passes through here, so that it reads as a
Swedish editor would write it: "en av tre indikatorer", "ett av två nämndmål", "båda
indikatorerna", "ingen av de fyra indikatorerna", "11 februari 2025", "2022–2024".
The functions are Jinja filters and globals (see ``FILTERS`` and ``GLOBALS``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from . import fmt

EN_DASH = "\u2013"

#: Number words up to twelve; larger counts are written with digits.
_WORDS = ["noll", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio",
          "elva", "tolv"]
_MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december"]


@dataclass(frozen=True)
class Noun:
    """A noun's forms: "en indikator", "indikatorer", "indikatorn", "indikatorerna"."""

    singular: str
    plural: str
    definite: str
    definite_plural: str
    #: "en" (utrum) or "ett" (neutrum).
    gender: str = "en"


#: The nouns generated sentences count, by their singular.
NOUNS = {n.singular: n for n in [
    Noun("indikator", "indikatorer", "indikatorn", "indikatorerna", "en"),
    Noun("nämndmål", "nämndmål", "nämndmålet", "nämndmålen", "ett"),
    Noun("uppdrag", "uppdrag", "uppdraget", "uppdragen", "ett"),
    Noun("mål", "mål", "målet", "målen", "ett"),
    Noun("risk", "risker", "risken", "riskerna", "en"),
    Noun("placering", "placeringar", "placeringen", "placeringarna", "en"),
    Noun("verksamhet", "verksamheter", "verksamheten", "verksamheterna", "en"),
]}


def noun(word: str) -> Noun:
    """The forms of ``word``; a template naming an unknown noun is a template error."""
    try:
        return NOUNS[word]
    except KeyError:
        raise ValueError(f'substantivet "{word}" finns inte i vbgen.sprak.NOUNS') from None


def number_word(n: int, gender: str = "en") -> str:
    """A count as Swedish prose writes it: "en"/"ett" by gender, words up to tolv, then digits."""
    if n == 1:
        return "ett" if gender == "ett" else "en"
    return _WORDS[n] if 0 <= n < len(_WORDS) else fmt.number(n)


def _none(gender: str, plural: bool) -> str:
    if plural:
        return "inga"
    return "inget" if gender == "ett" else "ingen"


def count(n: int, word: str) -> str:
    """``n`` of a noun: "inga indikatorer", "en indikator", "ett nämndmål", "tre uppdrag"."""
    w = noun(word)
    if n == 0:
        return f"inga {w.plural}"
    return f"{number_word(n, w.gender)} {w.singular if n == 1 else w.plural}"


def of_total(k: int, n: int, word: str) -> str:
    """``k`` of ``n`` as the subject of a sentence, in lower case.

    "en av tre indikatorer", "ett av två nämndmål", "båda indikatorerna", "alla tre
    indikatorerna", "ingen av de tre indikatorerna", and for a single one "indikatorn" or
    "ingen indikator".
    """
    w = noun(word)
    if n == 1:
        return w.definite if k == 1 else f"{_none(w.gender, False)} {w.singular}"
    if k == 0:
        if n == 2:
            return f"{_none(w.gender, False)} av de två {w.definite_plural}"
        return f"{_none(w.gender, False)} av de {number_word(n, w.gender)} {w.definite_plural}"
    if k == n:
        return f"båda {w.definite_plural}" if n == 2 else \
            f"alla {number_word(n, w.gender)} {w.definite_plural}"
    return f"{number_word(k, w.gender)} av {number_word(n, w.gender)} {w.plural}"


#: An indicator's row by kön, as its table names it.
KON = {"K": "kvinnor", "M": "män", "T": "totalt"}


def by_sign(shown: Decimal, words: tuple[str, ...]) -> str:
    """The word for a figure by its sign as it is shown: the first of ``words`` for a
    positive figure, the second for a negative one, and for one shown as zero the third, or
    the first when there are only two.

    The figure is taken as shown (rounded as the sentence or table shows it), so a word
    never contradicts the figure beside it: 0,04 miljoner kronor shown as "0,0" is zero.
    """
    if shown > 0:
        return words[0]
    if shown < 0:
        return words[1]
    return words[2] if len(words) > 2 else words[0]


def date(value: dt.date | str | None) -> str:
    """A date in running text: "11 februari 2025"."""
    if value is None:
        return fmt.MISSING
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def span(first: object, last: object) -> str:
    """A range with an en dash and no spaces: "2022–2024", "jan–dec"."""
    return f"{first}{EN_DASH}{last}"


def quoted(text: str) -> str:
    """A name quoted the Swedish way, with the same mark on both sides: ”Ej klart i år”."""
    return f"\u201d{text}\u201d"


FILTERS = {
    "datum": date,
    "citerad": quoted,
}

GLOBALS = {
    "antal": count,
    "av_antal": of_total,
    "talord": number_word,
    "intervall": span,
    "procent_not": fmt.NOT_MEANINGFUL_NOTE,
}
