"""The pipeline's stages keep to their jobs: the model is complete when it is built, and the
checks read it without changing it."""

from __future__ import annotations

import copy
import shutil
import typing
from dataclasses import dataclass

import pytest

from vbgen.build import Options, build
from vbgen.checks import check
from vbgen.derive.tables import derive_table
from vbgen.errors import Problem
from vbgen.model import doc
from vbgen.model.report import Meta
from vbgen.readers import read
from vbgen.resources import styles_dir
from vbgen.writers.markdown import to_markdown

from .conftest import _WEASYPRINT, SAMPLE


def _state(report) -> dict:
    """Everything a check could change: the fields, the places and levels set as the model
    was built, and every table's cells."""
    return {
        "fields": report.model_dump(),
        "goals": [(g.id, g.niva, g.plats, len(g.indikatorer)) for g in report.all_goals()],
        "sections": [s.plats for s in report.disposition],
        "tables": {k: [copy.deepcopy(r.cells) for r in t.rows]
                   for k, t in report.tabelldata.items()},
    }


def test_checks_do_not_change_the_model():
    problems: list[Problem] = []
    report, lines = read(SAMPLE, problems)
    assert report is not None and not problems
    for table in report.tabelldata.values():
        derive_table(table)
    before = _state(report)
    assert check(report, lines, set()) == []
    assert _state(report) == before


def test_goal_levels_and_places_are_set_when_the_model_is_built():
    meta = Meta.model_validate({
        "kommun": "K", "namnd": "N", "ar": 2024, "forvaltning": "F",
        "skala": [{"text": "Uppfyllt"}], "malnivaer": ["Målområde", "Nämndmål"],
        "mal": [{"namn": "A", "under": [{"namn": "A1"}, {"namn": "A2"}]}],
        "disposition": [{"rubrik": "Inledning", "avsnitt": [{"rubrik": "Bakgrund"}]}],
    })
    goals = [(g.namn, g.niva, g.plats) for g in meta.mal[0].walk()]
    assert goals == [("A", 1, "mal[1]"), ("A1", 2, "mal[1].under[1]"),
                     ("A2", 2, "mal[1].under[2]")]
    assert meta.disposition[0].avsnitt[0].plats == "disposition[1].avsnitt[1]"


def _visitors() -> list[type]:
    """Every visitor of the document model in vbgen, found by importing its modules."""
    import vbgen.checks.siffror
    import vbgen.compose.luckor
    import vbgen.writers.docx
    import vbgen.writers.markdown
    import vbgen.writers.pdf
    import vbgen.writers.typografi  # noqa: F401

    def below(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *below(sub))]

    return below(doc.Visitor)


@pytest.mark.parametrize("family", [doc.Block, doc.Inline], ids=["block", "inline"])
def test_every_visitor_knows_every_node_of_what_it_visits(family):
    kinds = [k.__name__.lower() for k in typing.get_args(family)]
    visitors = _visitors()
    assert len(visitors) >= 8
    for visitor in visitors:
        known = [k for k in kinds if hasattr(visitor, f"visit_{k}")]
        if known:
            assert known == kinds, f"{visitor.__name__} lacks " + ", ".join(
                f"visit_{k}" for k in kinds if k not in known)


def test_a_node_no_visitor_knows_is_an_error_naming_it():
    @dataclass
    class Sidfot:
        children: list

    with pytest.raises(doc.UnknownNode, match="cannot visit a Sidfot node: it has no "
                                               "visit_sidfot"):
        doc.plain([doc.Text("a"), Sidfot([])])
    with pytest.raises(doc.UnknownNode, match="_Markdown cannot visit a Sidfot"):
        to_markdown([doc.Paragraph([doc.Text("a")]), Sidfot([])])


def test_a_style_weasyprint_ignores_is_told_with_its_file_and_line(kultur, tmp_path):
    styles = tmp_path / "stilar"
    shutil.copytree(styles_dir(), styles)
    css = styles / "rapport.css"
    lines = css.read_text(encoding="utf-8").count("\n")
    css.write_text(css.read_text(encoding="utf-8") + "p {\n  colr: red;\n}\n@sidan { }\n",
                   encoding="utf-8")
    notes: list[str] = []
    build(kultur, Options(tmp_path / "ut", formats=("pdf",), styles=styles), notes)
    told = [n for n in notes if n.startswith("Varning:")]
    assert told == [
        f'Varning: {css} rad {lines + 2}: "colr: red" används inte (okänd egenskap). Rätta '
        "stilmallen så att PDF:en ser ut som den är tänkt.",
        f"Varning: {css} rad {lines + 4}: regeln @sidan är okänd och används inte. Rätta "
        "stilmallen så att PDF:en ser ut som den är tänkt."]
    # A build with nothing changed tells it again.
    again: list[str] = []
    build(kultur, Options(tmp_path / "ut", formats=("pdf",), styles=styles), again)
    assert [n for n in again if n.startswith("Varning:")] == told


def test_the_built_in_style_sheet_has_nothing_weasyprint_ignores():
    from weasyprint import CSS

    from vbgen.writers import stilvarningar

    with stilvarningar.kept() as messages:
        CSS(filename=str(styles_dir() / "rapport.css"))
    assert messages == []


def test_a_weasyprint_warning_elsewhere_fails_a_test():
    from weasyprint import HTML

    with pytest.raises(AssertionError, match="WeasyPrint varnar: Ignored `colr: red`"):
        HTML(string='<p style="colr: red">x</p>').render()
    del _WEASYPRINT.seen[-1:]  # told above, and expected


def test_derived_figures_are_immutable_results_per_part():
    import dataclasses

    from vbgen.derive.goals import GoalFigures, MemoFigures, derive, goal_figures, memo_figures
    from vbgen.load import load

    report = load(SAMPLE)
    fig = derive(report)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fig.antal_uppdrag = 0  # type: ignore[misc]
    # Each part is computed on its own, and the whole is made of them.
    assert isinstance(goal_figures(report), GoalFigures)
    assert vars(fig) == {**vars(goal_figures(report)), **vars(memo_figures(report))}
    assert isinstance(fig, GoalFigures) and isinstance(fig, MemoFigures)
