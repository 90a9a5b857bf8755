"""Bad input gives a Swedish message naming file, line or row and field; exit code 1."""

import pytest

from .conftest import line_of, replace_text, run_cli


def test_valid_sample(sample_copy):
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 0
    assert "inga fel" in result.output


def test_wrong_type_in_yaml(sample_copy):
    replace_text(sample_copy / "vb.yaml", "ar: 2024", "ar: tjugotjugofyra")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    line = line_of(sample_copy / "vb.yaml", "ar: tjugotjugofyra")
    assert f'vb.yaml, rad {line}, fält "ar": förväntade ett heltal, fick "tjugotjugofyra"' \
        in result.output


def test_numbers_in_yaml_may_be_written_the_swedish_way(sample_copy):
    from vbgen.load import load

    replace_text(sample_copy / "vb.yaml", "balanserat_resultat: 9412",
                 'balanserat_resultat: "\u22129 412,5"')
    replace_text(sample_copy / "vb.yaml", "andel: 100 ", "andel: 1 0 ")
    report = load(sample_copy)
    assert report.tjanstskrivelse.resultatoverforing.balanserat_resultat == -9412.5
    assert report.tjanstskrivelse.resultatoverforing.andel == 10


def test_missing_number_in_yaml(sample_copy):
    replace_text(sample_copy / "vb.yaml", "balanserat_resultat: 9412", 'balanserat_resultat: "-"')
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    line = line_of(sample_copy / "vb.yaml", 'balanserat_resultat: "-"')
    assert (f'vb.yaml, rad {line}, fält "tjanstskrivelse.resultatoverforing.balanserat_resultat": '
            "förväntade ett tal\n") in result.output


def test_missing_field_in_yaml(sample_copy):
    replace_text(sample_copy / "vb.yaml", "kommun: Huddinge kommun\n", "")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert 'fält "kommun": saknas men krävs' in result.output
    assert result.output.count("vb.yaml, rad") == 1


def test_misspelt_field_in_yaml(sample_copy):
    replace_text(sample_copy / "vb.yaml", "forvaltning:", "förvaltning:")
    result = run_cli("validate", str(sample_copy))
    line = line_of(sample_copy / "vb.yaml", "förvaltning:")
    assert f'vb.yaml, rad {line}, fält "förvaltning": okänt fält' in result.output
    assert 'fält "forvaltning": saknas men krävs' in result.output


def test_unknown_assessment_level(sample_copy):
    replace_text(sample_copy / "vb.yaml", "maluppfyllelse: I hög grad uppfyllt",
             "maluppfyllelse: Halvvägs")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    line = line_of(sample_copy / "vb.yaml", "maluppfyllelse: Halvvägs")
    assert (f'vb.yaml, rad {line}, fält "mal[1].under[1].under[2].maluppfyllelse": '
            'okänd nivå "Halvvägs"; skalan har "I mycket hög grad uppfyllt"') in result.output


def test_unreadable_csv_row(sample_copy):
    path = sample_copy / "drift.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3] + ";extra;fält"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert "drift.csv, rad 4: raden har 8 fält men rubrikraden har 6" in result.output
    assert "summan stämmer inte" not in result.output


def test_bad_number_in_csv(sample_copy):
    replace_text(sample_copy / "indikatorer.csv", ";470;", ";fyrahundra;")
    result = run_cli("validate", str(sample_copy))
    line = line_of(sample_copy / "indikatorer.csv", "fyrahundra")
    assert (f'indikatorer.csv, rad {line}, kolumn "2022": förväntade ett tal, fick "fyrahundra"'
            in result.output)


def test_unknown_goal_id_in_csv(sample_copy):
    replace_text(sample_copy / "uppdrag.csv", "\nN1;", "\nN9;")
    result = run_cli("validate", str(sample_copy))
    line = line_of(sample_copy / "uppdrag.csv", "N9;")
    assert f'uppdrag.csv, rad {line}, kolumn "nämndmål": okänt mål "N9"' in result.output


def test_total_that_does_not_add_up(sample_copy):
    replace_text(sample_copy / "resultatrakning.csv", "-304 032", "-304 132")
    result = run_cli("validate", str(sample_copy))
    line = line_of(sample_copy / "resultatrakning.csv", "Verksamhetens kostnader")
    assert (f'resultatrakning.csv, rad {line}, kolumn "budget 2024": summan stämmer inte: raden '
            f"anger \u2212543\u00a0508,00 men raderna sedan förra summaraden blir "
            f"\u2212543\u00a0608,05" in result.output)


def test_all_problems_reported_at_once(sample_copy):
    replace_text(sample_copy / "vb.yaml", "ar: 2024", "ar: x")
    replace_text(sample_copy / "drift.csv", "2 203", "tvåtusen")
    result = run_cli("validate", str(sample_copy))
    assert "2 fel hittades i data:" in result.output
    assert "vb.yaml" in result.output and "drift.csv" in result.output


def test_missing_prose_file(sample_copy):
    (sample_copy / "text" / "n1-analys.md").unlink()
    result = run_cli("validate", str(sample_copy))
    line = line_of(sample_copy / "vb.yaml", "text/n1-analys.md")
    assert (f'vb.yaml, rad {line}, fält "mal[1].under[1].under[1].analys": '
            'filen "text/n1-analys.md" finns inte i mappen') in result.output


def test_broken_yaml_syntax(sample_copy):
    replace_text(sample_copy / "vb.yaml", "namnd: Socialnämnden", "namnd: [Socialnämnden")
    result = run_cli("validate", str(sample_copy))
    assert result.exit_code == 1
    assert "vb.yaml, rad" in result.output and "kan inte läsas som YAML" in result.output


def test_missing_folder(tmp_path):
    result = run_cli("build", str(tmp_path / "finns-inte"))
    assert result.exit_code == 1
    assert "mappen finns inte" in result.output


def test_nothing_written_on_error(sample_copy, tmp_path):
    replace_text(sample_copy / "vb.yaml", "ar: 2024", "ar: x")
    out = tmp_path / "ut"
    result = run_cli("build", str(sample_copy), "--ut", str(out))
    assert result.exit_code == 1
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["odt", ""])
def test_unknown_format(sample_copy, fmt):
    result = run_cli("build", str(sample_copy), "--format", fmt)
    assert result.exit_code == 2
    assert "okänt format" in result.output
