import pytest

from vbgen.derive import change_pct, derive
from vbgen.load import load

from .conftest import SAMPLE


@pytest.fixture(scope="module")
def figures():
    report = load(SAMPLE)
    return report, derive(report)


def test_result_figures_match_reference(figures):
    _, fig = figures
    assert round(fig.nettobudget) == 501534
    assert round(fig.nettokostnad) == 497046
    assert round(fig.resultat_avvikelse) == 4487
    assert round(fig.resultat_avvikelse_pct, 1) == 0.9
    assert round(fig.nettokostnad_forandring_pct, 1) == 6.6


def test_avvikelse_per_row(figures):
    _, fig = figures
    by_post = {f.rad.post: round(f.avvikelse) for f in fig.resultat}
    assert by_post["Köp av verksamhet"] == -3351
    assert by_post["Verksamhetens intäkter"] == 7365
    drift = {f.rad.verksamhet: f for f in fig.drift}
    assert round(drift["Barn & ungdomsvård"].avvikelse) == 6647
    assert round(drift["Övriga insatser till vuxna"].avvikelse_pct, 1) == -16.3


def test_goal_counts(figures):
    _, fig = figures
    counts = {c.level.text: c.antal for c in fig.malbedomning}
    assert counts == {"I mycket hög grad uppfyllt": 2, "I hög grad uppfyllt": 1,
                      "Delvis uppfyllt": 4, "Ej uppfyllt": 0}
    assert fig.antal_namndmal == 7


def test_indicator_reached_respects_direction(figures):
    report, fig = figures
    inds = {i.namn: fig.indikator(i) for g in report.all_goals() for i in g.indikatorer}
    assert inds["Sjukfrånvaro, totalt (%)"].uppnatt is True  # 6,6 <= 7, lower is better
    assert inds["HME, totalt (%)"].uppnatt is False  # 82 < 85


def test_change_and_reached_edge_cases():
    assert change_pct(110, 100) == pytest.approx(10)
    assert change_pct(1083, -1162) is None  # no percentage of a negative base
    assert change_pct(5, 0) is None
    assert change_pct(None, 5) is None
