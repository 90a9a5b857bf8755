"""Generated Swedish: counts with the noun's gender and number, lists, dates and ranges.

Every sentence the templates build from counts passes through here, so that it reads as a
Swedish editor would write it: "en av tre indikatorer", "ett av två nämndmål", "båda
indikatorerna", "ingen av de fyra indikatorerna", "11 februari 2025", "2022–2024".
The functions are Jinja filters and globals (see ``FILTERS`` and ``GLOBALS``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from . import fmt

if TYPE_CHECKING:
    from .derive.goals import (
        EtappmalCount,
        LevelCount,
        MalomradeFigur,
        OverforingFigur,
        StatusCount,
    )
    from .model.report import GoalLevel, Level

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




def capital(text: str) -> str:
    """``text`` with a capital first letter, the rest as it is."""
    return text[:1].upper() + text[1:]


def by_shown_sign(value: float, words: str, decimals: int = 0, scale: float = 1) -> str:
    """The word of ``words`` ("ökat/minskat/oförändrat") for ``value`` by its sign as it is
    shown: divided by ``scale`` (1000 for tkr shown in miljoner kronor) and rounded to
    ``decimals``. A Jinja filter, ``efter_tecken``: the rule of :func:`by_sign`."""
    return by_sign(fmt.shown(value / scale, decimals), tuple(words.split("/")))


# --- Sentences ---------------------------------------------------------------------------------
#
# The generated sentences of the generic blocks and of the tjänsteskrivelse. Each takes
# figures computed in :mod:`vbgen.derive.goals` and chooses every count word, singular or plural and
# direction word from them, the direction by the sign of the figure as the sentence shows it.

def _clause(verb: str, subject: str, rest: str, first: bool) -> str:
    # Swedish puts the verb second: after "Av tre indikatorer med etappmål" comes the verb.
    return f"{verb} {subject} {rest}" if first else f"{subject} {verb} {rest}"


def etappmal_sentence(c: EtappmalCount) -> str:
    """The sentence under an indicator table: how the indicators it shows that have an
    etappmål stand against it, counted in :func:`vbgen.derive.goals.etappmal_count`; "" when none
    has one.

    "Två av tre indikatorer med etappmål når årets etappmål.", "Indikatorn med etappmål når
    inte årets etappmål.", "Av tre indikatorer med etappmål når en årets etappmål, en når det
    inte och en saknar årets värde."
    """
    n = c.total
    if n == 0:
        return ""
    judged = c.reached + c.missed
    if judged == n:
        if n == 1:
            return f"Indikatorn med etappmål når {'' if c.reached else 'inte '}årets etappmål."
        return f"{capital(of_total(c.reached, n, 'indikator'))} med etappmål når årets etappmål."
    if n == 1:
        return ("Årets värde saknas ännu för indikatorn med etappmål." if c.missing else
                "Indikatorns etappmål är angivet i ord och jämförs inte med årets värde.")
    if c.missing == n:
        return f"Årets värde saknas ännu för {of_total(n, n, 'indikator')} med etappmål."
    if c.in_words == n:
        return f"{capital(of_total(n, n, 'indikator'))} har etappmål angivna i ord."
    parts: list[str] = []
    for count, verb, rest, later in (
            (c.reached, "når", "årets etappmål", "årets etappmål"),
            (c.missed, "når", "inte årets etappmål", "det inte"),
            (c.missing, "saknar", "årets värde", "årets värde"),
            (c.in_words, "har", "etappmål angivna i ord", "etappmål angivna i ord")):
        if count:
            if count == 1 and verb == "har":
                rest = later = "ett etappmål angivet i ord"
            parts.append(_clause(verb, number_word(count), rest if not parts else later,
                                 not parts))
    return f"Av {number_word(n)} indikatorer med etappmål {fmt.join_list(parts)}."


def goal_summary(level: GoalLevel, counts: Sequence[LevelCount], total: int,
                 unassessed: int, not_assessed: int = 0) -> str:
    """"Av nämndens sju nämndmål är två i mycket hög grad uppfyllda, ett i hög grad uppfyllt
    och fyra delvis uppfyllda." and how many still lack an assessment, and how many the data
    says are not assessed."""
    genus = level.genus
    parts = [f"{number_word(c.antal, genus)} {c.level.for_count(c.antal, genus)}"
             for c in counts if c.antal]
    out = []
    if parts and total == 1:
        only = next(c for c in counts if c.antal)
        out.append(f"Nämndens enda {level.i_text} är {only.level.for_count(1, genus)}.")
    elif parts:
        out.append(f"Av nämndens {number_word(total, genus)} {level.plural_form} är "
                   f"{fmt.join_list(parts)}.")
    if unassessed:
        name = level.i_text if unassessed == 1 else level.plural_form
        out.append(f"{capital(number_word(unassessed, genus))} {name} saknar ännu bedömning.")
    if not_assessed:
        name = level.i_text if not_assessed == 1 else level.plural_form
        out.append(f"{capital(number_word(not_assessed, genus))} {name} bedöms inte.")
    return " ".join(out)


def overall_assessment(namnd: str, year: int, level: Level) -> str:
    """"Förvaltningen bedömer att socialnämndens mål för 2024 sammantaget är i hög grad
    uppfyllda." ``namnd`` is the nämnd's name inside a sentence."""
    return (f"Förvaltningen bedömer att {namnd}s mål för {year} sammantaget är "
            f"{level.for_count(2)}.")


def goal_area(level: GoalLevel, area: MalomradeFigur) -> str:
    """What follows the name of a top-level goal: "har nämnden fyra nämndmål, varav ett i
    mycket hög grad uppfyllt och tre delvis uppfyllda." (``level`` is the assessed one)."""
    genus = level.genus
    name = level.i_text if area.antal == 1 else level.plural_form
    out = f"har nämnden {number_word(area.antal, genus)} {name}"
    levels = area.per_niva
    if len(levels) == 1 and levels[0].antal == area.antal:
        all_of = {1: "", 2: "båda "}.get(area.antal, "alla ")
        out += f", som {all_of}bedöms som {levels[0].level.for_count(area.antal, genus)}."
    elif levels:
        out += ", varav " + fmt.join_list(
            [f"{number_word(c.antal, genus)} {c.level.for_count(c.antal, genus)}"
             for c in levels]) + "."
    else:
        out += "."
    if area.antal_obedomda:
        out += (f" {capital(number_word(area.antal_obedomda, genus))} av dem saknar ännu "
                "bedömning.")
    if area.antal_ej_bedomda:
        out += f" {capital(number_word(area.antal_ej_bedomda, genus))} av dem bedöms inte."
    return out


def _tkr(value: float) -> str:
    return f"{fmt.tkr(value)} tkr"


def transfer_decision(namnd: str, transfer: OverforingFigur) -> str:
    """The decision on the result transfer, as the nämnd takes it."""
    shown = fmt.shown(transfer.belopp, 0)
    if shown > 0:
        return (f"{namnd} begär hos kommunstyrelsen att {_tkr(transfer.belopp)} av årets "
                "resultat balanseras mot nämndens eget kapital och att det balanserade "
                f"resultatet därefter uppgår till {_tkr(transfer.balanserat_efter)}.")
    if shown < 0:
        return (f"{namnd} begär hos kommunstyrelsen att ett underskott om "
                f"{_tkr(abs(transfer.belopp))} av årets resultat balanseras mot nämndens eget "
                "kapital och att det balanserade resultatet därefter uppgår till "
                f"{_tkr(transfer.balanserat_efter)}.")
    return (f"{namnd} begär hos kommunstyrelsen att 0 kr av årets resultat balanseras mot "
            "nämndens eget kapital och att det balanserade resultatet om "
            f"{_tkr(transfer.balanserat_fore)} kvarstår.")


def transfer_proposal(deviation: float | None, transfer: OverforingFigur) -> str:
    """The förvaltning's proposal on the result transfer, with the result it comes from."""
    out = [] if deviation is None else [
        f"Årets resultat jämfört med budget är {_tkr(deviation)}."]
    shown = fmt.shown(transfer.belopp, 0)
    if shown > 0:
        out.append(f"Förvaltningen föreslår att {_tkr(transfer.belopp)} av årets resultat förs "
                   "till nämndens eget kapital. Det balanserade resultatet ökar då från "
                   f"{_tkr(transfer.balanserat_fore)} till {_tkr(transfer.balanserat_efter)}.")
    elif shown < 0:
        out.append(f"Förvaltningen föreslår att ett underskott om {_tkr(abs(transfer.belopp))} "
                   "av årets resultat balanseras mot nämndens eget kapital. Det balanserade "
                   f"resultatet minskar då från {_tkr(transfer.balanserat_fore)} till "
                   f"{_tkr(transfer.balanserat_efter)}.")
    else:
        out.append("Förvaltningen föreslår att inget av årets resultat förs till nämndens eget "
                   f"kapital. Det balanserade resultatet om {_tkr(transfer.balanserat_fore)} "
                   "kvarstår oförändrat.")
    return " ".join(out)


def transfer_consequence(transfer: OverforingFigur) -> str:
    """What the proposed transfer means for the nämnd's eget kapital."""
    shown = fmt.shown(transfer.belopp, 0)
    if shown == 0:
        return ("Förslaget innebär att nämndens eget kapital är oförändrat, "
                f"{_tkr(transfer.balanserat_fore)}.")
    of = by_sign(shown, ("av årets överskott", "av årets underskott"))
    return (f"Förslaget innebär att {_tkr(abs(transfer.belopp))} {of} balanseras mot nämndens "
            f"eget kapital, som därefter uppgår till {_tkr(transfer.balanserat_efter)}.")


def uppdrag_sentence(total: int, per_status: Sequence[StatusCount]) -> str:
    """"Verksamhetsberättelsen redovisar fem uppdrag, varav två med status ”Klart” och tre med
    status ”Ej klart i år”."; "" without uppdrag."""
    if not total:
        return ""
    out = f"Verksamhetsberättelsen redovisar {number_word(total, 'ett')} uppdrag"
    if len(per_status) == 1:
        all_of = {1: "", 2: "båda "}.get(total, "alla ")
        return out + f", som {all_of}har status {quoted(per_status[0].status)}."
    return out + ", varav " + fmt.join_list(
        [f"{number_word(s.antal, 'ett')} med status {quoted(s.status)}"
         for s in per_status]) + "."


SENTENCES = {
    "etappmal_mening": etappmal_sentence,
    "malbedomning_mening_text": goal_summary,
    "samlad_bedomning_text": overall_assessment,
    "malomrade_mening_text": goal_area,
    "resultatoverforing_beslut_text": transfer_decision,
    "resultatoverforing_mening_text": transfer_proposal,
    "ekonomiska_konsekvenser_text": transfer_consequence,
    "uppdrag_mening_text": uppdrag_sentence,
}


FILTERS = {
    "datum": date,
    "citerad": quoted,
    "efter_tecken": by_shown_sign,
}

GLOBALS = {
    "antal": count,
    "av_antal": of_total,
    "talord": number_word,
    "intervall": span,
    "procent_not": fmt.NOT_MEANINGFUL_NOTE,
    "kon_ord": KON,
    **SENTENCES,
}
