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


# --- The sentence under an indicator table, case by case -----------------------------------

from vbgen.derive.goals import EtappmalCount  # noqa: E402


@pytest.mark.parametrize(("count", "expected"), [
    (EtappmalCount(), ""),
    (EtappmalCount(reached=1), "Indikatorn med etappmål når årets etappmål."),
    (EtappmalCount(missed=1), "Indikatorn med etappmål når inte årets etappmål."),
    (EtappmalCount(missing=1), "Årets värde saknas ännu för indikatorn med etappmål."),
    (EtappmalCount(in_words=1),
     "Indikatorns etappmål är angivet i ord och jämförs inte med årets värde."),
    (EtappmalCount(reached=2), "Båda indikatorerna med etappmål når årets etappmål."),
    (EtappmalCount(reached=1, missed=1), "En av två indikatorer med etappmål når årets etappmål."),
    (EtappmalCount(missed=2), "Ingen av de två indikatorerna med etappmål når årets etappmål."),
    (EtappmalCount(reached=3), "Alla tre indikatorerna med etappmål når årets etappmål."),
    (EtappmalCount(reached=2, missed=1), "Två av tre indikatorer med etappmål når årets etappmål."),
    (EtappmalCount(reached=1, missed=1, missing=1),
     "Av tre indikatorer med etappmål når en årets etappmål, en når det inte och en saknar "
     "årets värde."),
    (EtappmalCount(missed=1, missing=1),
     "Av två indikatorer med etappmål når en inte årets etappmål och en saknar årets värde."),
    (EtappmalCount(reached=2, in_words=1),
     "Av tre indikatorer med etappmål når två årets etappmål och en har ett etappmål "
     "angivet i ord."),
    (EtappmalCount(missing=2, in_words=2),
     "Av fyra indikatorer med etappmål saknar två årets värde och två har etappmål angivna "
     "i ord."),
    (EtappmalCount(missing=3), "Årets värde saknas ännu för alla tre indikatorerna med etappmål."),
    (EtappmalCount(in_words=2), "Båda indikatorerna har etappmål angivna i ord."),
])
def test_etappmal_sentence(count, expected):
    assert sprak.etappmal_sentence(count) == expected


@pytest.mark.parametrize(("value", "words", "decimals", "expected"), [
    (0.04, "ökat/minskat/oförändrat", 1, "oförändrat"),
    (-0.06, "ökat/minskat/oförändrat", 1, "minskat"),
    (0.0, "fler/färre", 0, "fler"),
    (-0.4, "fler/färre/lika många", 0, "lika många"),
])
def test_by_shown_sign(value, words, decimals, expected):
    assert sprak.by_shown_sign(value, words, decimals) == expected


# --- The scale's forms ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "forms"), [
    ("I hög grad uppfyllt", ("i hög grad uppfylld", "i hög grad uppfyllt",
                             "i hög grad uppfyllda")),
    ("Mycket god", ("mycket god", "mycket gott", "mycket goda")),
    ("Godtagbar", ("godtagbar", "godtagbart", "godtagbara")),
    ("Uppnått", ("uppnådd", "uppnått", "uppnådda")),
    ("Genomfört", ("genomförd", "genomfört", "genomförda")),
    ("Påbörjat", ("påbörjad", "påbörjat", "påbörjade")),
    ("Bra", ("bra", "bra", "bra")),
])
def test_scale_forms_are_derived(text, forms):
    from vbgen.model.report import Level

    assert Level(text=text).forms() == forms


def test_scale_forms_declared_win():
    from vbgen.model.report import Level

    level = Level(text="Nära", utrum="nära", neutrum="nära", plural="nära")
    assert level.forms() == ("nära", "nära", "nära")
    assert Level(text="Mycket god").for_count(1, "en") == "mycket god"
    assert Level(text="Mycket god").for_count(1, "ett") == "mycket gott"
    assert Level(text="Mycket god").for_count(5) == "mycket goda"


def test_goal_summary_with_adjectives_agrees_with_the_levels_gender():
    from vbgen.derive.goals import LevelCount
    from vbgen.model.report import GoalLevel, Level

    scale = [Level(text="Mycket god"), Level(text="God"), Level(text="Godtagbar")]
    counts = [LevelCount(scale[0], 1), LevelCount(scale[1], 5), LevelCount(scale[2], 1)]
    assert sprak.goal_summary(GoalLevel(namn="Mål"), counts, 7, 0) == (
        "Av nämndens sju mål är ett mycket gott, fem goda och ett godtagbart.")
    assert sprak.goal_summary(GoalLevel(namn="Strategi", bestamd="strategin",
                                        plural="strategier"), counts, 7, 1) == (
        "Av nämndens sju strategier är en mycket god, fem goda och en godtagbar. "
        "En strategi saknar ännu bedömning.")
    assert sprak.goal_summary(GoalLevel(namn="Mål"), counts, 9, 1, 1) == (
        "Av nämndens nio mål är ett mycket gott, fem goda och ett godtagbart. "
        "Ett mål saknar ännu bedömning. Ett mål bedöms inte.")
    assert sprak.goal_summary(GoalLevel(namn="Mål"), [LevelCount(scale[1], 1)], 1, 0) == (
        "Nämndens enda mål är gott.")


def test_a_goal_area_tells_goals_not_assessed_apart_from_those_still_to_assess():
    from vbgen.derive.goals import LevelCount, MalomradeFigur
    from vbgen.model.report import GoalLevel, Level

    area = MalomradeFigur(None, 4, [LevelCount(Level(text="Uppfyllt"), 2)], 1, 1)
    assert sprak.goal_area(GoalLevel(namn="Mål"), area) == (
        "har nämnden fyra mål, varav två uppfyllda. Ett av dem saknar ännu bedömning. "
        "Ett av dem bedöms inte.")
