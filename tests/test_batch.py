"""Building several data folders at once: ``vbgen bygg A B C`` and a kommun folder."""

from __future__ import annotations

import os
import shutil
import signal
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest

from vbgen.commands.batch import SUMMARY_HEAD, pdf_pages, plan, safe_name

from .conftest import KULTUR, PROFILE, SAMPLE, replace_text, run_cli, without_examples


def table(output: str) -> dict[str, list[str]]:
    """The summary table's rows by nämnd, each as its cells (the time as one cell)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split() == list(SUMMARY_HEAD))
    rows: dict[str, list[str]] = {}
    for line in lines[start + 1:]:
        cells = line.split()
        if len(cells) != 7 or cells[4] != "s":  # name, dokument, sidor, tid, s, luckor, fel
            break
        rows[cells[0]] = [*cells[1:3], " ".join(cells[3:5]), *cells[5:]]
    return rows


def gaps_in_docx(folder: Path) -> int:
    """The visible gaps in the Word files of ``folder``, read from the files themselves."""
    total = 0
    for path in folder.glob("*.docx"):
        with zipfile.ZipFile(path) as docx:
            total += docx.read("word/document.xml").decode("utf-8").count("[Saknas:")
    return total


@pytest.fixture
def three(tmp_path: Path) -> list[Path]:
    """Two good copies of the sample, one with a gap, and a third copy that is broken."""
    folders = [tmp_path / "socialnamnden", tmp_path / "Omsorgsnämnden 2024",
               tmp_path / "trasig"]
    for folder in folders:
        without_examples(shutil.copytree(SAMPLE, folder))
    replace_text(folders[1] / "vb.yaml", "analys: {fil: text/n1-analys.md}", "")
    replace_text(folders[2] / "vb.yaml", "ar: 2024", "ar: tjugofyra")
    return folders


def test_one_broken_folder_does_not_stop_the_others(
        three: list[Path], tmp_path: Path, warm_charts: Callable[[Path], None]) -> None:
    out = tmp_path / "ut"
    for name in ("socialnamnden", "omsorgsnamnden-2024", "trasig"):
        warm_charts(out / name)
    result = run_cli("build", *map(str, three), "--ut", str(out), "--format", "docx",
                     "--jobb", "2")
    assert result.exit_code == 1, result.output

    for name in ("socialnamnden", "omsorgsnamnden-2024"):
        built = sorted(p.name for p in (out / name).glob("*.docx"))
        assert built == ["tjanstskrivelse-socialnamnden-2024-utkast.docx",
                         "verksamhetsberattelse-socialnamnden-2024-utkast.docx"]
    assert not list((out / "trasig").glob("*.docx"))

    # One line per nämnd as it finishes, then the table, then the error in full.
    lines = result.output.splitlines()
    assert sum(line.startswith("socialnamnden: klar på ") for line in lines) == 1
    assert sum(line.startswith("omsorgsnamnden-2024: klar på ") for line in lines) == 1
    failed = next(line for line in lines if line.startswith("trasig: fel efter "))
    assert 'vb.yaml' in failed and '"ar"' in failed
    assert f"2 av 3 nämnder byggdes som utkast, till {out}{os.sep}; 1 misslyckades." in lines
    assert f"Fel i {three[2]}:" in lines
    assert "Traceback" not in result.output

    rows = table(result.output)
    assert list(rows) == ["socialnamnden", "omsorgsnamnden-2024", "trasig"]
    assert rows["socialnamnden"][:2] == ["2", "–"]  # two documents, no PDF to count pages of
    assert rows["socialnamnden"][2].endswith(" s")
    assert rows["socialnamnden"][3:] == ["0", "0"]
    # The gap left in one copy is counted, as many as the Word files show.
    gaps = gaps_in_docx(out / "omsorgsnamnden-2024")
    assert gaps > 0
    assert rows["omsorgsnamnden-2024"][3:] == [str(gaps), "0"]
    assert rows["trasig"][:2] == ["0", "–"]
    assert rows["trasig"][3] == "–" and int(rows["trasig"][4]) >= 1


def test_an_unchanged_namnd_reports_the_gaps_its_build_counted(
        three: list[Path], tmp_path: Path, warm_charts: Callable[[Path], None],
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "ut"
    warm_charts(out / "omsorgsnamnden-2024")
    command = ("build", str(three[0]), str(three[1]), "--ut", str(out), "--format", "docx",
               "--jobb", "1")
    first = table(run_cli(*command).output)

    def counted_again(*_args: object) -> int:
        raise AssertionError("luckorna räknades om")

    # Nothing changed: the gaps come from the last build's record, no data is loaded.
    monkeypatch.setattr("vbgen.commands.nyttar.count_gaps", counted_again)
    result = run_cli(*command)
    assert result.exit_code == 0, result.output
    again = table(result.output)
    assert "Inget har ändrats sedan förra bygget" in result.output
    assert int(first["omsorgsnamnden-2024"][3]) > 0
    for name in ("socialnamnden", "omsorgsnamnden-2024"):
        assert again[name][0] == "0"  # nothing written
        assert again[name][3:] == first[name][3:]


def test_quiet_batch_prints_only_the_summary(
        three: list[Path], tmp_path: Path, warm_charts: Callable[[Path], None]) -> None:
    out = tmp_path / "ut"
    warm_charts(out / "socialnamnden")
    result = run_cli("build", str(three[0]), str(three[2]), "--ut", str(out), "--format",
                     "docx", "--jobb", "1", "--tyst")
    assert result.exit_code == 1
    assert not any(": klar på " in line or ": fel efter " in line
                   for line in result.output.splitlines())
    assert list(table(result.output)) == ["socialnamnden", "trasig"]
    assert f"1 av 2 nämnder byggdes som utkast, till {out}{os.sep}; 1 misslyckades." \
        in result.output


def test_a_kommun_folder_builds_each_namnd_and_skips_the_profile(tmp_path: Path) -> None:
    kommun = tmp_path / "norrvik"
    shutil.copytree(KULTUR, kommun / "kulturnamnden-2023")
    shutil.copytree(KULTUR, kommun / "idrottsnamnden-2023")
    shutil.copytree(PROFILE, kommun / "norrviks-kommun")
    replace_text(kommun / "idrottsnamnden-2023" / "vb.yaml",
                 "namnd: Kultur- och fritidsnämnden", "namnd: Idrottsnämnden")
    out = tmp_path / "ut"

    result = run_cli("build", str(kommun), "--ut", str(out), "--format", "docx")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["idrottsnamnden-2023",
                                                     "kulturnamnden-2023"]
    assert [p.name for p in (out / "idrottsnamnden-2023").glob("*.docx")] == [
        "verksamhetsberattelse-idrottsnamnden-2023-utkast.docx"]
    assert [p.name for p in (out / "kulturnamnden-2023").glob("*.docx")] == [
        "verksamhetsberattelse-kultur-och-fritidsnamnden-2023-utkast.docx"]
    rows = table(result.output)
    assert list(rows) == ["idrottsnamnden-2023", "kulturnamnden-2023"]
    assert all(row[0] == "1" and row[4] == "0" for row in rows.values())
    assert f"2 av 2 nämnder byggdes som utkast, till {out}{os.sep}." in result.output
    # Neither nämnd asks for a tjänsteskrivelse, and nothing is said of it.
    assert "jänsteskrivelse" not in result.output


def test_a_single_folder_builds_as_before(
        sample_copy: Path, tmp_path: Path, warm_charts: Callable[[Path], None]) -> None:
    out = tmp_path / "ut"
    warm_charts(out)
    result = run_cli("build", str(sample_copy), "--ut", str(out), "--format", "docx")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        f"Skrev {out / 'verksamhetsberattelse-socialnamnden-2024-utkast'}")
    assert not any(line.split() == list(SUMMARY_HEAD) for line in result.output.splitlines())
    assert sorted(p.name for p in out.glob("*.docx")) == [
        "tjanstskrivelse-socialnamnden-2024-utkast.docx",
        "verksamhetsberattelse-socialnamnden-2024-utkast.docx"]


def test_folder_names_become_safe_subfolder_names(tmp_path: Path) -> None:
    assert safe_name(tmp_path / "Kultur- och fritidsnämnden 2023") == (
        "kultur-och-fritidsnamnden-2023")
    assert safe_name(tmp_path / "Överförmyndarnämnden") == "overformyndarnamnden"
    assert safe_name(tmp_path / "___") == "namnd"


def test_two_folders_for_the_same_subfolder_are_refused(tmp_path: Path) -> None:
    for parent in ("a", "b"):
        shutil.copytree(SAMPLE, tmp_path / parent / "Socialnämnden")
    result = run_cli("build", str(tmp_path / "a" / "Socialnämnden"),
                     str(tmp_path / "b" / "Socialnämnden"), "--ut", str(tmp_path / "ut"))
    assert result.exit_code == 1
    assert 'undermappen "socialnamnden"' in result.output
    assert not (tmp_path / "ut").exists()


def test_plan_skips_a_profile_given_among_the_folders(tmp_path: Path) -> None:
    jobs, notes = plan([SAMPLE, PROFILE])
    assert [job.name for job in jobs] == ["socialnamnden-2024"]
    assert notes == [f"{PROFILE} är en kommunprofil (kommun.yaml), ingen nämnd, och byggs inte."]


def test_pages_are_counted_from_the_pdfs(built_all: list[Path]) -> None:
    pdfs = [p for p in built_all if p.suffix == ".pdf"]
    assert len(pdfs) == 2
    assert pdf_pages(built_all) == sum(len(pypdf.PdfReader(str(p)).pages) for p in pdfs)
    assert pdf_pages([p for p in built_all if p.suffix == ".docx"]) is None


# --- Only real folders; stalled and crashed nämnder ------------------------------------------


def test_a_linked_namnd_folder_is_not_built(tmp_path: Path) -> None:
    kommun = tmp_path / "norrvik"
    shutil.copytree(KULTUR, kommun / "kulturnamnden-2023")
    shutil.copytree(PROFILE, kommun / "norrviks-kommun")
    elsewhere = tmp_path / "annanstans" / "hemlig-namnd"
    shutil.copytree(KULTUR, elsewhere)
    (kommun / "hemlig-namnd").symlink_to(elsewhere, target_is_directory=True)
    (kommun / "kopia").symlink_to(kommun / "kulturnamnden-2023", target_is_directory=True)
    jobs, notes = plan([kommun])
    assert [job.folder for job in jobs] == [kommun / "kulturnamnden-2023"]
    assert notes == [
        f"{kommun / 'hemlig-namnd'} är en länk till en nämnds mapp utanför kommunmappen och "
        "byggs inte; vbgen bygger bara de riktiga mapparna i en kommunmapp.",
        f"{kommun / 'kopia'} är en länk till en nämnds mapp och byggs inte; vbgen bygger bara "
        "de riktiga mapparna i en kommunmapp."]


def _stalls_or_crashes(real: Callable[..., list[Path]]) -> Callable[..., list[Path]]:
    """``build``, except that the folder "fastnar" never finishes and "kraschar" dies."""
    def build(folder: Path, options, notes=None, gaps=None):  # type: ignore[no-untyped-def]
        if folder.name == "fastnar":
            time.sleep(3600)
        if folder.name == "kraschar":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(folder, options, notes, gaps)
    return build


def test_a_stalled_or_crashed_namnd_is_reported_and_the_others_finish(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import vbgen.commands.batch

    kommun = tmp_path / "norrvik"
    for name in ("fastnar", "kraschar", "kultur"):
        shutil.copytree(KULTUR, kommun / name)
    shutil.copytree(PROFILE, kommun / "norrviks-kommun")
    # The nämnder build in processes copied from this one, with the build replaced here.
    batch = vbgen.commands.batch
    monkeypatch.setattr(batch, "build", _stalls_or_crashes(batch.build))
    started = time.monotonic()
    result = run_cli("build", str(kommun), "--ut", str(tmp_path / "ut"), "--format", "docx",
                     "--jobb", "3", "--tidsgrans", "12")
    assert time.monotonic() - started < 120
    assert result.exit_code == 1, result.output
    rows = table(result.output)
    assert list(rows) == ["fastnar", "kraschar", "kultur"]
    assert rows["kultur"][0] == "1" and rows["kultur"][4] == "0"
    assert rows["fastnar"][4] == "1" and rows["kraschar"][4] == "1"
    assert "fastnar: fel efter " in result.output
    assert "bygget tog mer än 12 s och stoppades (tidsgränsen ändras med --tidsgrans)" \
        in result.output
    assert "bygget avbröts: processen stoppades av signal 9 utan att bli klar" in result.output
    assert (f"1 av 3 nämnder byggdes som utkast, till {tmp_path / 'ut'}{os.sep}; "
            "2 misslyckades.") in result.output
    assert list((tmp_path / "ut" / "kultur").glob("*.docx"))
