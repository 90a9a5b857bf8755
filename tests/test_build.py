"""Outputs are written whole, and a file someone has edited is never silently replaced."""

import os
import shutil
import stat

import pytest

from vbgen.build import Options, OverwriteError, build

from .conftest import replace_text, run_cli, word_document

REPORT = ("verksamhetsberattelse",)


@pytest.fixture
def out(tmp_path, sample_copy, warm_charts):
    target = tmp_path / "ut"
    warm_charts(target)
    build(sample_copy, Options(target, formats=("docx",), documents=REPORT))
    return target


def _edit_a_text(folder):
    """Change an input, so that a rebuild has something to do."""
    with (folder / "text" / "sammanfattning.md").open("a", encoding="utf-8") as fh:
        fh.write("\nEn mening till.\n")


def test_rebuild_replaces_untouched_output(sample_copy, out):
    first = next(out.glob("*.docx")).read_bytes()
    _edit_a_text(sample_copy)
    paths = build(sample_copy, Options(out, formats=("docx",), documents=REPORT))
    assert paths[0].read_bytes()[:2] == b"PK"
    assert len(first) > 0


def test_edited_output_is_not_overwritten(sample_copy, out):
    docx = next(out.glob("*.docx"))
    docx.write_bytes(docx.read_bytes() + b"redigerad")
    edited = docx.read_bytes()
    with pytest.raises(OverwriteError):
        build(sample_copy, Options(out, formats=("docx",), documents=REPORT))
    assert docx.read_bytes() == edited


def test_cli_reports_edited_file_and_force_replaces_it(sample_copy, out):
    docx = next(out.glob("*.docx"))
    docx.write_bytes(b"en annan fil")
    args = ("build", str(sample_copy), "--ut", str(out), "--format", "docx",
            "--dokument", "verksamhetsberattelse")
    result = run_cli(*args)
    assert result.exit_code == 1
    assert "har ändrats efter att vbgen skrev den" in result.output
    assert "--skriv-over" in result.output
    assert docx.read_bytes() == b"en annan fil"
    result = run_cli(*args, "--skriv-over")
    assert result.exit_code == 0
    assert docx.read_bytes()[:2] == b"PK"


def test_outputs_get_the_usual_file_mode(sample_copy, out):
    mask = os.umask(0o022)
    _edit_a_text(sample_copy)
    try:
        paths = build(sample_copy, Options(out, formats=("docx",), documents=REPORT))
    finally:
        os.umask(mask)
    assert stat.S_IMODE(paths[0].stat().st_mode) == 0o644


def test_no_temporary_files_left(sample_copy, out):
    _edit_a_text(sample_copy)
    build(sample_copy, Options(out, formats=("docx",), documents=REPORT))
    assert not list(out.glob(".*.tmp"))


def _build_with_summary(sample_copy, tmp_path, template: str):
    """Build with an own template in Sammanfattning, placed with a mall block."""
    own = tmp_path / "mallar" / "egna"
    own.mkdir(parents=True)
    (own / "sammanfattning.j2").write_text(template, encoding="utf-8")
    replace_text(sample_copy / "vb.yaml", "      - malsammanfattning\n",
                 "      - mall: egna/sammanfattning.j2\n")
    return run_cli("build", str(sample_copy), "--ut", str(tmp_path / "ut"),
                   "--mallar", str(tmp_path / "mallar"))


def test_template_error_is_reported_for_editors(sample_copy, tmp_path):
    result = _build_with_summary(sample_copy, tmp_path,
                                 "<h1>Sammanfattning</h1>\n<p>{{ vb.finns_inte }}</p>\n")
    assert result.exit_code == 1
    assert result.output.startswith("Fel i mallarna: egna/sammanfattning.j2, rad 2:")
    assert "Traceback" not in result.output


def test_unknown_tag_is_reported(sample_copy, tmp_path, warm_charts):
    warm_charts(tmp_path / "ut")
    result = _build_with_summary(sample_copy, tmp_path,
                                 "<h1>Sammanfattning</h1><blink>x</blink>")
    assert result.exit_code == 1
    assert result.output.startswith(
        "Fel i mallarna: egna/sammanfattning.j2, rad 1: okänd tagg <blink>;")


@pytest.mark.parametrize(("template", "message"), [
    ("<p>Före.</p>\n<table><tbody><tr><td>1</td></tr></tbody></table>\n",
     "egna/sammanfattning.j2, rad 2: varje <table> behöver en <caption>"),
    ("<p>Före.</p>\n<p>Trasig <b>fetstil</p>\n",
     "egna/sammanfattning.j2, rad 2: mallens resultat är inte giltig struktur"),
    ("<p>Före.</p>\n<p>Om {{ tabell('finns_inte') }}</p>\n",
     'egna/sammanfattning.j2, rad 2: tabellen "finns_inte" finns inte under tabeller'),
    ("<p>Före.</p>\n{% include 'saknas.j2' %}\n",
     'egna/sammanfattning.j2, rad 2: mallen "saknas.j2" finns inte'),
])
def test_template_errors_name_the_template_and_its_line(sample_copy, tmp_path, warm_charts,
                                                        template, message):
    warm_charts(tmp_path / "ut")
    result = _build_with_summary(sample_copy, tmp_path, template)
    assert result.exit_code == 1
    assert result.output.startswith("Fel i mallarna: " + message), result.output


def test_own_template_overrides_heading(sample_copy, tmp_path, warm_charts):

    warm_charts(tmp_path / "ut")
    own = tmp_path / "mallar" / "block"
    own.mkdir(parents=True)
    # The block layout for a section's text, overridden: every text is shown in a box.
    (own / "text.j2").write_text('<h2>Vår ruta</h2>{{ b.varde | md }}', encoding="utf-8")
    replace_text(sample_copy / "vb.yaml", "  - rubrik: Intern kontroll\n",
                 "  - rubrik: Vår interna kontroll\n    block:\n      - text: Egen text.\n"
                 "  - rubrik: Intern kontroll\n")
    paths = build(sample_copy, Options(tmp_path / "ut", formats=("docx",),
                                       templates=tmp_path / "mallar", documents=REPORT))
    headings = [p.text for p in word_document(paths[0]).paragraphs
                if p.style.name == "Heading 1"]
    assert headings.index("Vår interna kontroll") == headings.index("Intern kontroll") - 1
    assert "Vår ruta" in [p.text for p in word_document(paths[0]).paragraphs]


def _build_with_styles(sample_copy, tmp_path, styles):
    return run_cli("build", str(sample_copy), "--ut", str(tmp_path / "ut"), "--format", "docx",
                   "--dokument", "verksamhetsberattelse", "--stilar", str(styles))


def test_reference_document_without_a_needed_style(sample_copy, tmp_path, warm_charts):
    import docx

    from vbgen.resources import styles_dir

    warm_charts(tmp_path / "ut")
    styles = tmp_path / "stilar"
    styles.mkdir()
    reference = docx.Document(str(styles_dir() / "referens.docx"))
    for name in ("Tabellnot", "Bildtext"):
        element = reference.styles[name].element
        element.getparent().remove(element)
    reference.save(str(styles / "referens.docx"))
    result = _build_with_styles(sample_copy, tmp_path, styles)
    assert result.exit_code == 1
    assert result.output == (
        f'Fel i stilarna: {styles / "referens.docx"}: formatmallarna "Tabellnot", "Bildtext" '
        "saknas i referensdokumentet. Utgå från styles/referens.docx och ändra mallarna i "
        "stället för att ta bort dem (se docs/stilar.md).\n")
    assert not list((tmp_path / "ut").glob("*.docx"))


def test_reference_document_that_is_not_a_word_file(sample_copy, tmp_path, warm_charts):
    warm_charts(tmp_path / "ut")
    styles = tmp_path / "stilar"
    styles.mkdir()
    (styles / "referens.docx").write_text("inte ett Word-dokument", encoding="utf-8")
    result = _build_with_styles(sample_copy, tmp_path, styles)
    assert result.exit_code == 1
    assert result.output == (f"Fel i stilarna: {styles / 'referens.docx'}: filen går inte att "
                             "läsa som ett Word-dokument (.docx)\n")


def test_validate_checks_own_styles_and_templates_as_build_does(sample_copy, tmp_path):
    """"inga fel" from validate with --stilar and --mallar means build will not fail on them."""
    import docx

    from vbgen.resources import styles_dir

    styles = tmp_path / "stilar"
    styles.mkdir()
    reference = docx.Document(str(styles_dir() / "referens.docx"))
    element = reference.styles["Tabellnot"].element
    element.getparent().remove(element)
    reference.save(str(styles / "referens.docx"))
    result = run_cli("validate", str(sample_copy), "--stilar", str(styles))
    assert result.exit_code == 1
    assert result.output.startswith(f'Fel i stilarna: {styles / "referens.docx"}: '
                                    'formatmallarna "Tabellnot" saknas i referensdokumentet.')

    shutil.copytree(styles_dir(), styles, dirs_exist_ok=True)  # fonts and all
    css = (styles_dir() / "rapport.css").read_text(encoding="utf-8")
    (styles / "rapport.css").write_text(
        css + '\n.titelsida { background: url("https://example.org/bild.png"); }\n',
        encoding="utf-8")
    result = run_cli("validate", str(sample_copy), "--stilar", str(styles))
    assert result.exit_code == 1
    assert result.output.startswith(f"Fel i stilarna: {styles / 'rapport.css'} hänvisar till "
                                    "https://example.org/bild.png, som vbgen inte hämtar")

    (styles / "rapport.css").write_text('@import "https://example.org/mer.css";\n' + css,
                                        encoding="utf-8")
    result = run_cli("validate", str(sample_copy), "--stilar", str(styles))
    assert result.exit_code == 1
    assert "hänvisar till https://example.org/mer.css, som vbgen inte hämtar" in result.output

    (styles / "rapport.css").write_text(css, encoding="utf-8")
    assert run_cli("validate", str(sample_copy), "--stilar", str(styles)).exit_code == 0
    templates = tmp_path / "mallar"
    templates.mkdir()
    (templates / "verksamhetsberattelse.j2").write_text("{{ finns_inte }}\n", encoding="utf-8")
    result = run_cli("validate", str(sample_copy), "--mallar", str(templates))
    assert result.exit_code == 1
    assert result.output.startswith("Fel i mallarna: verksamhetsberattelse.j2, rad 1:")


def test_a_first_build_that_stops_leaves_no_process_and_no_folder_behind(sample_copy, tmp_path,
                                                                        monkeypatch):
    """A first build starts its drawing processes before it has read anything; when the data
    then stops it, they are stopped and its own folder is removed."""
    import multiprocessing
    import tempfile

    from vbgen.errors import DataError

    own = tmp_path / "tillfalligt"
    own.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own))
    (sample_copy / "vb.yaml").write_text("nämnd: [\n", encoding="utf-8")
    with pytest.raises(DataError):
        build(sample_copy, Options(tmp_path / "ut"))
    assert multiprocessing.active_children() == []
    assert list(own.iterdir()) == []
