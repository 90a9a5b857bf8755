"""One headless LibreOffice for the whole test session, edited through its UNO bridge.

:class:`Office` starts ``soffice`` listening on a named pipe and a worker
(``libreoffice_worker.py``) run by a Python that has LibreOffice's ``uno`` module; each
:meth:`Office.edit` opens a file, makes a person's editing gestures with LibreOffice's own
commands and saves it as DOCX. Without LibreOffice 7.5 or later, or without its Python
bridge (Debian's python3-uno; ``scripts/test.sh`` installs both as root), the tests that
need it are skipped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
WORKER = Path(__file__).with_name("libreoffice_worker.py")
#: A gesture and its argument, as the worker reads them: ("skriv", "Ny text.").
Step = tuple[str, str]


def version() -> tuple[int, int] | None:
    """The installed LibreOffice's version, or None without one."""
    if SOFFICE is None:
        return None
    out = subprocess.run([SOFFICE, "--version"], capture_output=True, text=True,
                         timeout=60).stdout
    found = re.search(r"(\d+)\.(\d+)", out)
    return (int(found.group(1)), int(found.group(2))) if found else None


def skip_unless_usable() -> None:
    """Skip the test without a LibreOffice that keeps content controls' names (7.5+)."""
    found = version()
    if found is None:
        pytest.skip("LibreOffice (soffice) is not installed; scripts/test.sh installs it")
    if found < (7, 5):
        pytest.skip(f"LibreOffice {found[0]}.{found[1]} drops the names of content controls; "
                    "7.5 or later is needed (scripts/test.sh installs it as root)")


def uno_python() -> str | None:
    """A Python that can import LibreOffice's ``uno``: LibreOffice's own, or the system's."""
    assert SOFFICE is not None
    program = Path(os.path.realpath(SOFFICE)).parent
    for candidate in (program / "python", Path("/usr/bin/python3")):
        if candidate.is_file() and subprocess.run(
                [str(candidate), "-c", "import uno"], capture_output=True,
                timeout=60).returncode == 0:
            return str(candidate)
    return None


class Office:
    """A headless LibreOffice and the worker that edits files in it."""

    def __init__(self, profile: Path) -> None:
        python = uno_python()
        if python is None:
            pytest.skip("LibreOffice's Python bridge (python3-uno) is not installed; "
                        "scripts/test.sh installs it as root")
        self.pipe = f"vbgen-test-{os.getpid()}"
        self.office = subprocess.Popen(
            [SOFFICE or "soffice", f"-env:UserInstallation=file://{profile}", "--headless",
             "--invisible", "--norestore", "--nologo", "--nodefault",
             f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.worker = subprocess.Popen([python, str(WORKER), self.pipe], text=True,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._answer()

    def _answer(self) -> None:
        assert self.worker.stdout is not None
        line = self.worker.stdout.readline()
        if not line:
            raise RuntimeError("LibreOffice's worker stopped")
        answer = json.loads(line)
        if "error" in answer:
            raise AssertionError(f"LibreOffice: {answer['error']}")

    def edit(self, src: Path, dst: Path, steps: list[Step] | None = None) -> Path:
        """Open ``src``, make the gestures ``steps`` and save the result as DOCX at ``dst``."""
        assert self.worker.stdin is not None
        self.worker.stdin.write(json.dumps({"src": str(src), "dst": str(dst),
                                            "steps": steps or []}) + "\n")
        self.worker.stdin.flush()
        self._answer()
        return dst

    def close(self) -> None:
        """End the worker, then the LibreOffice this started."""
        if self.worker.stdin is not None:
            self.worker.stdin.close()
        self.office.terminate()
        for process in (self.worker, self.office):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.worker.stdout is not None:
            self.worker.stdout.close()
