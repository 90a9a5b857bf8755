"""Generated Swedish, phrase by phrase, for every count from 0 to 20."""

from __future__ import annotations

import datetime as dt

import pytest

from vbgen import fmt, sprak

WORDS = {0: "noll", 2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex", 7: "sju", 8: "åtta",
         9: "nio", 10: "tio", 11: "elva", 12: "tolv"}


def _word(n: int, gender: str) -> str:
    if n == 1:
        return gender
    return WORDS.get(n, str(n))


@pytest.mark.parametrize("n", range(21))
@pytest.mark.parametrize(("word", "plural", "gender"), [
    ("indikator", "indikatorer", "en"), ("nämndmål", "nämndmål", "ett"),
    ("uppdrag", "uppdrag", "ett"),
])
def test_count(n, word, plural, gender):
    expected = {0: f"inga {plural}", 1: f"{gender} {word}"}.get(n, f"{_word(n, gender)} {plural}")
    assert sprak.count(n, word) == expected


def _of_total_expected(k: int, n: int) -> str:
    """The phrase for indikator, written out case by case as an editor would."""
    if n == 1:
        return "indikatorn" if k == 1 else "ingen indikator"
    if k == 0:
        return f"ingen av de {_word(n, 'en')} indikatorerna"
    if k == n:
        return "båda indikatorerna" if n == 2 else f"alla {_word(n, 'en')} indikatorerna"
    return f"{_word(k, 'en')} av {_word(n, 'en')} indikatorer"


@pytest.mark.parametrize("n", range(1, 21))
def test_of_total_every_k(n):
    for k in range(n + 1):
        assert sprak.of_total(k, n, "indikator") == _of_total_expected(k, n)


@pytest.mark.parametrize(("k", "n", "expected"), [
    (1, 3, "ett av tre nämndmål"),
    (0, 2, "inget av de två nämndmålen"),
    (0, 4, "inget av de fyra nämndmålen"),
    (2, 2, "båda nämndmålen"),
    (7, 7, "alla sju nämndmålen"),
    (1, 1, "nämndmålet"),
    (0, 1, "inget nämndmål"),
    (13, 20, "13 av 20 nämndmål"),
])
def test_of_total_neuter(k, n, expected):
    assert sprak.of_total(k, n, "nämndmål") == expected


@pytest.mark.parametrize("n", range(21))
def test_count_word_follows_gender(n):
    assert fmt.count_word(n, "en") == _word(n, "en")
    assert fmt.count_word(n) == _word(n, "ett")
    assert sprak.number_word(n, "ett") == _word(n, "ett")


def test_unknown_noun_is_named():
    with pytest.raises(ValueError, match="bil"):
        sprak.count(2, "bil")


def test_dates_ranges_and_quotes():
    assert sprak.date(dt.date(2025, 2, 11)) == "11 februari 2025"
    assert sprak.date("2024-12-31") == "31 december 2024"
    assert sprak.span(2022, 2024) == "2022\u20132024"
    assert sprak.span("jan", "dec") == "jan\u2013dec"
    assert sprak.quoted("Ej klart i år") == "\u201dEj klart i år\u201d"


@pytest.mark.parametrize(("value", "base", "expected"), [
    (10.0, 100, "10,0\u00a0%"),
    (193.2, -1162, "\u2013"),   # a change from a negative amount means nothing as a percentage
    (None, 0, "\u2013"),
    (None, 5, "-"),             # missing is a hyphen, as everywhere else
    (-4.7, None, "\u22124,7\u00a0%"),
])
def test_percent_of_a_base(value, base, expected):
    assert fmt.percent_of(value, base) == expected


def test_lists_joined_with_och():
    assert fmt.join_list([]) == ""
    assert fmt.join_list(["en"]) == "en"
    assert fmt.join_list(["en", "två"]) == "en och två"
    assert fmt.join_list(["en", "två", "tre"]) == "en, två och tre"
