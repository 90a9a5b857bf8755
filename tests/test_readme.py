"""Every command of the README, run as it stands, in a fresh clone of the project."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT, answers_ctrl_c

#: The commands that are not run here, and why: they run this very test suite.
NOT_RUN = {"bash scripts/test.sh": "kör hela testsviten, som det här testet hör till",
           "bash scripts/test.sh -m slow": "kör testerna vid gränserna, minuter långa",
           '.venv/bin/python -m pytest -m "not langsam"': "kör enhetstesterna, som det här "
                                                          "testet hör till"}


def readme_commands(text: str) -> list[str]:
    """The commands in the README's shell code blocks, in order, without their comments."""
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, re.MULTILINE | re.DOTALL):
        for line in block.splitlines():
            command = re.sub(r"\s+#\s.*$", "", line).strip()
            if command:
                commands.append(command)
    return commands


def _fresh_clone(target: Path) -> Path:
    """A ``git clone`` of the project's last commit into ``target``: what someone who
    fetches the repository has, without the work tree's uncommitted or ignored files."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(target)],
                   check=True, capture_output=True)
    subprocess.run(["git", "checkout", "--quiet", "--detach", head], cwd=target,
                   check=True, capture_output=True)
    return target


def _prepared_venv(copy: Path) -> None:
    """A .venv in the copy that sees the packages of the one running the tests, so that the
    README's install command finds every dependency there and installs only vbgen."""
    subprocess.run([sys.executable, "-m", "venv", str(copy / ".venv")], check=True,
                   capture_output=True)
    new = subprocess.run([str(copy / ".venv" / "bin" / "python"), "-c",
                          "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    (Path(new) / "vbgen-test-beroenden.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")


#: The preview's first line, with the address it serves on.
_SERVING = re.compile(r"Förhandsgranskningen av kultur-2024 visas på (http://127\.0\.0\.1:(\d+)/)")


def _preview(command: str, copy: Path) -> None:
    """Run the preview as the README says, look at its page, and end it as a user does.

    Other programs on the machine (other test runs among them) may use any fixed port at
    any moment, so a command that names none is given ``--port 0``, which has the system
    pick a free one, and its page is read where the preview says it is. One that names a
    port passes when it serves there or says that another program has the port.
    """
    named = re.search(r"--port[ =](\d+)", command)
    args = shlex.split(command) + ([] if named else ["--port", "0"])
    # Without a shell between, so that Ctrl+C reaches vbgen as it does in a terminal.
    process = subprocess.Popen(args, cwd=copy, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, preexec_fn=answers_ctrl_c)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        serving = _SERVING.fullmatch(first.strip())
        if serving is None and named is not None:  # another program has the port
            said = first + process.communicate(timeout=60)[0]
            assert process.returncode == 1, said
            assert (f"Kan inte lyssna på 127.0.0.1:{named.group(1)}: porten används "
                    "redan.") in said
            return
        assert serving is not None, first
        assert named is None or serving.group(2) == named.group(1)
        deadline = time.monotonic() + 60
        while True:
            page = urllib.request.urlopen(serving.group(1), timeout=30).read().decode()
            if "Kultur- och fritidsnämnden" in page or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert "Kultur- och fritidsnämnden" in page
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # Ctrl+C
        done = process.stdout is None or process.stdout.closed  # read to its end above
        rest = "" if done else process.communicate(timeout=60)[0]
    assert process.returncode == 0, rest
    assert "Förhandsgranskningen är avslutad." in rest


def test_the_readme_has_the_commands_of_the_year() -> None:
    commands = readme_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert commands[0].startswith("python3 -m venv .venv && .venv/bin/pip install -q -e . ")
    names = [c.split()[1] for c in commands if c.startswith(".venv/bin/vbgen ")]
    assert {"ny", "kontrollera", "forhandsgranska", "bygg", "hamta", "schema"} <= set(names)
    assert not [c for c in commands if c.startswith("vbgen ")]  # not on PATH after install


@pytest.mark.skipif(not (ROOT / ".git").exists() or shutil.which("git") is None,
                    reason="ingen git-utcheckning")
@pytest.mark.skipif(shutil.which("python3") is None, reason="python3 finns inte")
def test_every_command_of_the_readme_runs_in_a_fresh_clone(tmp_path: Path) -> None:
    python3 = subprocess.run(["python3", "-c", "import sys; print(sys.version_info[:2])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    if python3 != str(sys.version_info[:2]):
        pytest.skip(f"python3 är {python3}, testerna körs med {sys.version_info[:2]}")
    copy = _fresh_clone(tmp_path / "vbgen")
    _prepared_venv(copy)
    commands = readme_commands((copy / "README.md").read_text(encoding="utf-8"))
    assert [c for c in commands if c in NOT_RUN] == list(NOT_RUN)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    for command in commands:
        if command in NOT_RUN:
            continue
        if " forhandsgranska " in command:
            _preview(command, copy)
            continue
        done = subprocess.run(command, shell=True, cwd=copy, capture_output=True, text=True,
                              timeout=600, env=env)
        said = done.stdout + done.stderr
        assert "Traceback" not in said, (command, said)
        if command.endswith("bygg kultur-2024 --slutlig"):
            # The new year's folder still has its gaps, as the README says.
            assert done.returncode == 1, (command, said)
            assert "Den slutliga versionen byggs inte: data har " in said
            continue
        assert done.returncode == 0, (command, said)
    # vbgen was installed from the copy, and what the commands were to make is there.
    installed = subprocess.run([str(copy / ".venv" / "bin" / "python"), "-c",
                                "import vbgen; print(vbgen.__file__)"],
                               capture_output=True, text=True, check=True).stdout
    assert Path(installed.strip()).is_relative_to(copy)
    assert (copy / "output" / "verksamhetsberattelse-socialnamnden-2024-utkast.pdf").is_file()
    assert (copy / "output" /
            "verksamhetsberattelse-kultur-och-fritidsnamnden-2024-utkast.docx").is_file()
    assert (copy / "rapporter" / "tjanstskrivelse-socialnamnden-2024-utkast.pdf").is_file()
    assert sorted(p.name for p in (copy / "rapporter" / "alla").iterdir()) == [
        "kulturnamnden-2023", "socialnamnden-2024"]
    assert (copy / "startmapp-2025" / "vb.yaml").is_file()
    assert (copy / "vb.schema.json").stat().st_size > 1000
