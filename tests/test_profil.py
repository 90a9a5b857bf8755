"""The kommun profile (``profil:`` and ``kommun.yaml``) and the old form of the main file, on
small data folders written by the tests."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from vbgen.load import load
from vbgen.model import doc

from .conftest import line_of, run_cli
from .test_disposition import compose, make_folder, problems

PROFILE = """\
kommun: Norrby kommun
skala:
  - {text: Bra, symbol: "●"}
  - {text: Mindre bra, symbol: "○"}
malnivaer: [Kommunmål, Nämndmål]
bedomningsniva: Nämndmål
texter:
  vision: {fil: text/vision.md}
  styrmodell: {fil: text/styrmodell.md}
disposition:
  - rubrik: Profilens avsnitt
    text: {kommun: vision}
    block: [malbedomning]
kallor: {malbedomning: Norrbys målsystem}
"""
PROFILE_TEXTS = {"text/vision.md": "Norrby växer hållbart.\n",
                 "text/styrmodell.md": "Styrmodellen har två nivåer.\n"}
NAMND = """\
profil: ../profil
namnd: Testnämnden
ar: 2024
forvaltning: Testförvaltningen
mal:
  - id: K1
    namn: Kommunmålet
    under:
      - {id: N1, namn: Nämndmålet, maluppfyllelse: Bra}
"""


def make_profile(root: Path, text: str = PROFILE, files: dict[str, str] | None = None
                 ) -> Path:
    """Write ``root/profil`` with kommun.yaml and its text files."""
    folder = root / "profil"
    for rel, content in {"kommun.yaml": text, **PROFILE_TEXTS, **(files or {})}.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(dedent(content), encoding="utf-8")
    return folder


def paragraphs(document: doc.Document) -> list[str]:
    return [doc.plain(b.children) for b in document.blocks if isinstance(b, doc.Paragraph)]


def first_table(document: doc.Document) -> list[list[str]]:
    t = next(b for b in document.blocks if isinstance(b, doc.Table))
    return [[doc.plain(c.children) for c in row.cells] for row in t.head + t.body]


def test_the_profile_gives_the_fields_the_namnd_leaves_out(tmp_path: Path) -> None:
    make_profile(tmp_path)
    folder = make_folder(tmp_path, NAMND, head="")
    report, document = compose(folder, tmp_path)
    assert report.kommun == "Norrby kommun"
    assert [lv.text for lv in report.skala] == ["Bra", "Mindre bra"]
    assert report.assessed_level == 2
    assert report.kallor.malbedomning == "Norrbys målsystem"
    assert document.author == "Testförvaltningen, Norrby kommun"
    assert [doc.plain(h.children) for h in document.headings()] == ["Profilens avsnitt"]
    assert paragraphs(document) == ["Norrby växer hållbart."]
    assert first_table(document) == [["Kommunmål", "Nämndmål", "Måluppfyllelse"],
                                     ["Kommunmålet", "Nämndmålet", "●\u00a0Bra"]]


def test_the_namnd_overrides_any_top_level_field(tmp_path: Path) -> None:
    make_profile(tmp_path)
    body = NAMND + dedent("""\
        kommun: Norrby stad
        malnivaer: [Mål, Delmål]
        bedomningsniva: Delmål
        disposition:
          - rubrik: Nämndens avsnitt
            block: [malbedomning]
        """)
    report, document = compose(make_folder(tmp_path, body, head=""), tmp_path)
    assert report.kommun == "Norrby stad"
    assert [doc.plain(h.children) for h in document.headings()] == ["Nämndens avsnitt"]
    assert first_table(document)[0] == ["Mål", "Delmål", "Måluppfyllelse"]


def test_kommun_texts_in_the_outline_and_the_namnds_own_texter(tmp_path: Path) -> None:
    make_profile(tmp_path)
    body = NAMND + dedent("""\
        texter:
          vision: Nämndens egen version av visionen.
        disposition:
          - rubrik: Vision
            text: {kommun: vision}
            block:
              - text: {kommun: styrmodell}
        """)
    _, document = compose(make_folder(tmp_path, body, head=""), tmp_path)
    assert paragraphs(document) == ["Nämndens egen version av visionen.",
                                    "Styrmodellen har två nivåer."]


def test_an_unknown_kommun_text_is_an_error(tmp_path: Path) -> None:
    make_profile(tmp_path)
    body = NAMND + dedent("""\
        disposition:
          - rubrik: Vision
            text: {kommun: visionen}
        """)
    folder = make_folder(tmp_path, body, head="")
    assert problems(folder) == [
        f'vb.yaml, rad {line_of(folder / "vb.yaml", "visionen")}, fält '
        '"disposition[1].text": texten "visionen" finns inte under texter (i vb.yaml '
        "eller kommunprofilen); kända: styrmodell, vision"]


def test_an_unknown_kommun_text_in_a_text_block_is_an_error(tmp_path: Path) -> None:
    make_profile(tmp_path)
    body = NAMND + dedent("""\
        disposition:
          - rubrik: Vision
            block:
              - text: {kommun: visionen}
        """)
    folder = make_folder(tmp_path, body, head="")
    result = run_cli("validate", str(folder))
    assert result.exit_code == 1
    assert result.output == (
        "Ett fel hittades i data:\n"
        f'  vb.yaml, rad {line_of(folder / "vb.yaml", "visionen")}, fält '
        '"disposition[1].block[1].text": texten "visionen" finns inte under texter (i vb.yaml '
        "eller kommunprofilen); kända: styrmodell, vision\n")


def test_a_missing_profile_is_an_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, NAMND.replace("../profil", "../saknas"), head="")
    found = problems(folder)
    assert found[0] == ('vb.yaml, rad 1, fält "profil": kommunprofilen "../saknas" finns inte: '
                        "mappen ska ha filen kommun.yaml")


def test_an_error_in_kommun_yaml_names_that_file_and_line(tmp_path: Path) -> None:
    profile = make_profile(tmp_path, PROFILE.replace('{text: Mindre bra, symbol: "○"}',
                                                     '{text: Mindre bra, farg: grå}'))
    folder = make_folder(tmp_path, NAMND, head="")
    line = line_of(profile / "kommun.yaml", "farg: grå")
    assert problems(folder) == [f'../profil/kommun.yaml, rad {line}, fält "skala[2].farg": '
                                "okänt fält; kontrollera stavningen mot docs/dataformat.md"]


def test_a_missing_text_file_of_the_profile_names_kommun_yaml(tmp_path: Path) -> None:
    profile = make_profile(tmp_path, PROFILE.replace("text/styrmodell.md", "text/saknas.md"))
    folder = make_folder(tmp_path, NAMND, head="")
    line = line_of(profile / "kommun.yaml", "text/saknas.md")
    assert problems(folder)[0] == (f'../profil/kommun.yaml, rad {line}, fält '
                                   '"texter.styrmodell": filen "text/saknas.md" finns inte i '
                                   "mappen")


def test_unreadable_kommun_yaml_names_that_file(tmp_path: Path) -> None:
    make_profile(tmp_path, PROFILE.replace("malnivaer: [Kommunmål, Nämndmål]",
                                           "malnivaer: [Kommunmål, Nämndmål"))
    folder = make_folder(tmp_path, NAMND, head="")
    found = problems(folder)
    assert found[0].startswith("../profil/kommun.yaml, rad ")
    assert "kan inte läsas som YAML" in found[0]


def test_a_profile_cannot_point_to_another_profile(tmp_path: Path) -> None:
    profile = make_profile(tmp_path, "profil: ../annan\n" + PROFILE)
    folder = make_folder(tmp_path, NAMND, head="")
    assert problems(folder) == [
        f'../profil/kommun.yaml, rad {line_of(profile / "kommun.yaml", "profil:")}, fält '
        '"profil": en kommunprofil kan inte peka på en annan profil']


def test_the_profile_is_optional(tmp_path: Path) -> None:
    report = load(make_folder(tmp_path))
    assert report.profil is None and report.kommun == "Testby kommun"


def test_the_old_malomraden_form_gives_the_migration_message(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, dedent("""\
        kommun: Testby kommun
        namnd: Testnämnden
        ar: 2024
        forvaltning: Testförvaltningen
        malomraden:
          - namn: Trygghet
            kf_mal:
              - namn: Ett tryggt liv
                namndmal:
                  - {id: N1, namn: Trygga barn}
        """), head="")
    result = run_cli("validate", str(folder))
    assert result.exit_code == 1
    assert result.output == (
        "Ett fel hittades i data:\n"
        f'  vb.yaml, rad {line_of(folder / "vb.yaml", "malomraden")}, fält "malomraden": '
        "fältet hör till den gamla formen: målträdet skrivs nu som mal: med nivåernas namn i "
        "malnivaer: (till exempel [Målområde, Kommunfullmäktigemål, Nämndmål]); varje mål har "
        "namn, id och under: för målen på nivån under, i stället för kf_mal: och namndmal:. "
        "Se docs/dataformat.md\n")


def test_an_unknown_kommun_text_in_the_profiles_outline_names_kommun_yaml(tmp_path: Path
                                                                          ) -> None:
    profile = make_profile(tmp_path, PROFILE.replace("text: {kommun: vision}",
                                                     "text: {kommun: okand}"))
    folder = make_folder(tmp_path, NAMND, head="")
    assert problems(folder) == [
        f'../profil/kommun.yaml, rad {line_of(profile / "kommun.yaml", "okand")}, fält '
        '"disposition[1].text": texten "okand" finns inte under texter (i vb.yaml eller '
        "kommunprofilen); kända: styrmodell, vision"]


def test_a_mark_in_a_profile_text_is_an_error_at_the_profiles_own_file(tmp_path: Path) -> None:
    profile = make_profile(tmp_path, files={"text/vision.md": "Norrby växer.\n\n[tabell: plan]\n"})
    body = NAMND + dedent("""\
        disposition:
          - rubrik: Inledning
            text: {kommun: vision}
          - rubrik: Styrning
            text: "Så styrs kommunen.\\n\\n[diagram: kurva]"
        """)
    folder = make_folder(tmp_path, body, head="")
    assert problems(folder) == [
        f"../profil/text/vision.md, rad {line_of(profile / 'text' / 'vision.md', '[tabell')}: "
        'tabellen "plan" finns inte under tabeller; kända tabeller: inga',
        f"vb.yaml, rad {line_of(folder / 'vb.yaml', '[diagram: kurva]')}, fält "
        '"disposition[2].text": diagrammet "kurva" i texten finns inte under diagram; kända '
        "diagram: inga"]
