import pytest

from vbgen.derive.goals import derive
from vbgen.derive.tables import change_pct
from vbgen.load import load

from .conftest import SAMPLE


@pytest.fixture(scope="module")
def figures():
    report = load(SAMPLE)
    return report, derive(report)


def _cell(report, table: str, row: str, column: str) -> float:
    found = next(r for r in report.tabelldata[table].rows
                 if r.cells[report.tabelldata[table].decl.key_column.id].value == row)
    return found.cells[column].value


def test_result_figures_match_reference(figures):
    report, fig = figures
    assert round(_cell(report, "drift", "Årets resultat", "budget")) == 501534
    assert round(_cell(report, "drift", "Årets resultat", "utfall")) == 497046
    assert round(_cell(report, "drift", "Årets resultat", "avvikelse_procent"), 1) == 0.9
    assert round(_cell(report, "drift", "Årets resultat", "forandring_procent"), 1) == 6.6
    # The memo decides on the result as the resultaträkning shows it, 4 487 (of 4 487,2).
    assert fig.arets_resultat == 4487


def test_avvikelse_per_row(figures):
    report, _ = figures
    # Computed from the exact amounts: −191 278,6 − (−187 927,45).
    assert _cell(report, "resultatrakning", "Köp av verksamhet", "avvikelse") == \
        pytest.approx(-3351.15)
    assert round(_cell(report, "resultatrakning", "Verksamhetens intäkter", "avvikelse")) == 7365
    assert round(_cell(report, "drift", "Barn & ungdomsvård", "avvikelse")) == 6647
    assert round(_cell(report, "drift", "Övriga insatser till vuxna", "avvikelse_procent"),
                 1) == -16.3


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
