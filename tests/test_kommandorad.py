"""The command line in Swedish: click's own words, the help, the names and their aliases."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from vbgen.cli import main
from vbgen.kommandorad import MESSAGES, PLURALS

from .conftest import copy_kultur, run_cli

#: Words of click's English frame, and the English names of its value types.
ENGLISH = ["Usage", "Options", "Commands", "Show this message", "Show the version", "Error",
           "Try '", "[OPTIONS]", "COMMAND", "ARGS", "default:", "required", "TEXT", "INTEGER",
           "PATH", "DIRECTORY", "FILENAME", "BOOLEAN", "Did you mean", "No such",
           "Missing argument", "Invalid value", "is not"]

COMMANDS = ["ny", "kolada", "kontrollera", "forhandsgranska", "bygg", "hamta", "stil", "schema"]
ALIASES = {"build": "bygg", "validate": "kontrollera", "init": "ny", "preview": "forhandsgranska",
           "style": "stil"}


def _english(text: str) -> list[str]:
    return [word for word in ENGLISH if word in text]


def _click_messages() -> tuple[set[str], dict[str, str]]:
    """Every message click asks gettext for, read from its source: the single ones, and the
    singular of each with a plural with its plural."""
    single: set[str] = set()
    plural: dict[str, str] = {}
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.args and isinstance(node.args[0], ast.Constant)):
                continue
            if node.func.id == "_":
                single.add(node.args[0].value)
            elif node.func.id == "ngettext" and isinstance(node.args[1], ast.Constant):
                plural[node.args[0].value] = node.args[1].value
    # Not a constant in the source: the one text "required" is asked for as a variable.
    return single | {"required"}, plural


def _names(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)", text))


def test_the_catalogue_has_every_message_of_click() -> None:
    single, plural = _click_messages()
    assert len(single) > 50 and len(plural) > 5  # the source was read
    assert sorted(single - set(MESSAGES)) == []
    assert sorted(set(plural) - set(PLURALS)) == []


def test_each_translation_asks_only_for_names_click_gives() -> None:
    _, plural = _click_messages()
    for english, swedish in MESSAGES.items():
        assert _names(swedish) <= _names(english), english
    for english, forms in PLURALS.items():
        for swedish in forms:
            assert _names(swedish) <= _names(english) | _names(plural[english]), english


@pytest.mark.parametrize("args", [[], *([name] for name in COMMANDS)],
                         ids=["vbgen", *COMMANDS])
def test_every_help_is_swedish_whole_and_has_examples(args: list[str]) -> None:
    result = run_cli(*args, "--help")
    assert result.exit_code == 0, result.output
    assert _english(result.output) == []
    assert "..." not in result.output
    assert "\nExempel:\n" in result.output
    examples = result.output.split("\nExempel:\n")[1]
    assert re.search(r"^  vbgen \S", examples, re.MULTILINE)
    assert result.output.startswith(f"Användning: vbgen {' '.join(args)}".rstrip())


def test_the_list_of_commands_has_each_whole_summary_in_the_years_order() -> None:
    output = run_cli("--help").output
    listed = re.findall(r"^  ([a-z]+)  +(\S.*)$", output.split("Kommandon:\n")[1],
                        re.MULTILINE)
    assert [name for name, _ in listed] == COMMANDS
    for name, summary in listed:
        assert summary.endswith("."), name  # one line, not cut
        assert summary == main.commands[name].short_help
    assert "De engelska namnen build, init, preview, style, validate fungerar också" in output


@pytest.mark.parametrize("alias, name", ALIASES.items())
def test_the_english_names_still_work(alias: str, name: str) -> None:
    result = run_cli(alias, "--help")
    assert result.exit_code == 0
    assert result.output.startswith(f"Användning: vbgen {alias} [FLAGGOR]")
    assert f"Kommandot kan också skrivas vbgen {alias}." in result.output
    assert result.output.replace(alias, name) == run_cli(name, "--help").output.replace(
        alias, name)


def test_help_by_its_swedish_and_short_names() -> None:
    assert run_cli("bygg", "--hjalp").output == run_cli("bygg", "-h").output == \
        run_cli("bygg", "--help").output


def test_a_misspelt_command_is_named_with_a_suggestion() -> None:
    result = run_cli("byg", "x")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Fel: Kommandot 'byg' finns inte. Menade du 'bygg'? Kommandona är ny, kolada, "
        "kontrollera, forhandsgranska, bygg, hamta, stil, schema.")
    assert "Skriv 'vbgen --hjalp' för hjälp." in result.output
    assert _english(result.output) == []


@pytest.mark.parametrize("args, message", [
    (["bygg"], "Fel: Argument saknas: 'MAPP [MAPP …]'."),
    (["bygg", "x", "--slutlg"],
     "Fel: Flaggan '--slutlg' finns inte. (Menade du någon av '--slutlig', '--stilar', "
     "'--ut'?)"),
    (["bygg", "x", "--jobb", "0"],
     "Fel: Ogiltigt värde för '--jobb': 0 ligger utanför x>=1."),
    (["ny", "x", "--ar", "tjugo"], "Fel: Ogiltigt värde för '--ar': 'tjugo' är inget heltal."),
    (["hamta", "x.docx", "y", "--behall", "båda"],
     "Fel: Ogiltigt värde för '--behall': 'båda' är inte något av 'utkast', 'data'."),
    (["kontrollera", "x", "y"], "Fel: Ett argument för mycket (y)"),
    (["bygg", "x", "--ut"], "Fel: Flaggan '--ut' behöver ett värde."),
    ([], None),
])
def test_mistakes_on_the_command_line_are_told_in_swedish(args: list[str],
                                                          message: str | None) -> None:
    result = CliRunner().invoke(main, args)
    if message is None:  # no command: the help, in Swedish
        assert "Användning: vbgen" in result.output
    else:
        assert result.exit_code == 2, result.output
        assert result.output.splitlines()[-1] == message
    assert _english(result.output) == []


@pytest.mark.parametrize("command", ["kontrollera", "validate"])
def test_the_main_file_stands_for_its_folder(command: str, tmp_path: Path) -> None:
    folder = copy_kultur(tmp_path)
    by_file = run_cli(command, str(folder / "vb.yaml"))
    by_folder = run_cli(command, str(folder))
    assert by_file.exit_code == 0, by_file.output
    assert by_file.output == by_folder.output
    assert by_file.output.startswith(f"{folder}: inga fel.")


def test_another_file_is_not_a_data_folder(tmp_path: Path) -> None:
    other = tmp_path / "data.yaml"
    other.write_text("ar: 2024\n", encoding="utf-8")
    result = run_cli("bygg", str(other))
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"Fel: Ogiltigt värde för 'MAPP [MAPP …]': {other} är en fil; ange datamappen eller "
        "dess vb.yaml")


def test_init_takes_last_years_folder_by_either_name(tmp_path: Path) -> None:
    old = copy_kultur(tmp_path)
    for option, name in (("--fran", "a"), ("--from", "b")):
        result = run_cli("ny", str(tmp_path / name), option, str(old / "vb.yaml"))
        assert result.exit_code == 0, result.output
        assert f"vbgen kontrollera {tmp_path / name}" in result.output
    assert (tmp_path / "a" / "vb.yaml").read_bytes() == (tmp_path / "b" / "vb.yaml").read_bytes()


def test_the_command_ends_with_its_status_after_the_exit_handlers(tmp_path) -> None:
    """``vbgen`` leaves without taking the interpreter down piece by piece, but only after
    the exit handlers have run, and with the command's status."""
    import subprocess
    import sys

    from vbgen import __version__

    code = ("import atexit; from vbgen.cli import run; "
            "atexit.register(lambda: print('städat')); run()")
    ok = subprocess.run([sys.executable, "-c", code, "--version"], capture_output=True,
                        text=True, check=False)
    assert (ok.returncode, ok.stdout.split()) == (0, ["vbgen", __version__, "städat"])
    wrong = subprocess.run([sys.executable, "-c", code, "bygg", str(tmp_path / "saknas")],
                           capture_output=True, text=True, check=False)
    assert (wrong.returncode, wrong.stdout.split()) == (1, ["städat"])
    assert "mappen finns inte" in wrong.stderr
    assert "Traceback" not in wrong.stderr
