"""The build's worker processes: copies of the first, errors brought back, nothing left."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import docx
import pytest

from vbgen.model import doc
from vbgen.resources import styles_dir
from vbgen.writers.workers import MOST, Pool, may_fork

pytestmark = pytest.mark.skipif(not may_fork(), reason="processerna kopieras bara på Linux")

DOCUMENT = doc.Document("Prov", [doc.Heading(1, [doc.Text("Rubrik")], id="rubrik"),
                                 doc.Paragraph([doc.Text("Text.")])])


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[1])


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


#: The style sheet whose identity the Word file follows.
SHEET = styles_dir() / "rapport.css"


def test_the_other_processes_are_copies_of_the_first_and_end_with_the_pool() -> None:
    with Pool.start() as pool:
        tickets = [pool.docx(str(n), DOCUMENT, styles_dir() / "referens.docx", {"rubrik": 3},
                             SHEET) for n in range(3)]
        for data in pool.wait(tickets):
            assert docx.Document(io.BytesIO(data)).paragraphs
        processes = list(pool._processes)
        assert len(processes) == min(os.cpu_count() or 1, MOST)
        first, *copies = processes
        assert first.process is not None and first.process.pid == first.pid
        assert all(_parent(c.pid) == first.pid for c in copies)
    deadline = time.monotonic() + 10
    while not all(_gone(p.pid) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(p.pid) for p in processes)


def test_an_error_in_a_process_is_raised_in_the_build(tmp_path: Path) -> None:
    with Pool.start() as pool:
        ticket = pool.docx("fel", DOCUMENT, tmp_path / "finns-inte.docx", {}, SHEET)
        with pytest.raises(Exception) as caught:
            pool.wait([ticket])
        assert "finns-inte.docx" in str(caught.value)
        # The pool goes on after an error.
        ticket = pool.docx("rätt", DOCUMENT, styles_dir() / "referens.docx", {}, SHEET)
        assert pool.wait([ticket])[0][:2] == b"PK"


def test_in_this_process_the_same_work_is_done_in_turn(tmp_path: Path) -> None:
    pool = Pool(0)
    ticket = pool.docx("här", DOCUMENT, styles_dir() / "referens.docx", {}, SHEET)
    assert pool.wait([ticket])[0][:2] == b"PK"
    ticket = pool.docx("fel", DOCUMENT, tmp_path / "finns-inte.docx", {}, SHEET)
    with pytest.raises(Exception, match="finns-inte"):
        pool.wait([ticket])
    pool.close()


@pytest.mark.langsam
@pytest.mark.parametrize("copied", [True, False], ids=["i-processer", "i-denna-process"])
def test_a_build_leaves_no_font_folder_behind(tmp_path: Path, copied: bool) -> None:
    """WeasyPrint keeps a style sheet's fonts in a temporary folder that it removes only when
    its configuration is collected, which a worker's quick end and the interpreter's
    shutdown skip: the build removes them itself, in the process that made them."""
    import subprocess
    import sys

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    # A thread keeps the build in its own process, as in the preview.
    script = ("import sys, threading\n"
              + ("" if copied else "e = threading.Event()\n"
                 "threading.Thread(target=e.wait, daemon=True).start()\n")
              + "from pathlib import Path\n"
              "from vbgen.build import Options, build\n"
              "build(Path(sys.argv[1]), Options(Path(sys.argv[2])))\n"
              + ("" if copied else "e.set()\n"))
    sample = Path(__file__).parents[1] / "sample_data" / "kulturnamnden-2023"
    done = subprocess.run([sys.executable, "-c", script, str(sample), str(tmp_path / "ut")],
                          env={**os.environ, "TMPDIR": str(temporary)}, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Exception ignored" not in done.stderr
    assert list((tmp_path / "ut").glob("*.pdf"))
    assert not list(temporary.iterdir())


def test_the_word_process_is_a_copy_made_now_and_given_each_file_as_it_comes(
        tmp_path: Path) -> None:
    """The Word files are written by a copy of the build made when asked, with the
    documents in it, and each is sent to it at once and written into a folder: it goes from
    one to the next while the build is busy with the PDF and does not ask, however large
    the first file."""
    import random

    from PIL import Image

    reference = styles_dir() / "referens.docx"
    noise = tmp_path / "brus.png"  # does not pack: a file larger than a connection holds
    rng = random.Random(1)
    Image.frombytes("RGB", (600, 600), rng.randbytes(600 * 600 * 3)).save(noise)
    large = doc.Document("Prov", [*DOCUMENT.blocks, doc.Figure(str(noise), "Brus.")])
    with Pool.word() as pool:
        (process,) = pool._processes
        assert _parent(process.pid) == os.getpid()
        tickets = [pool.docx(str(n), document, reference, {"rubrik": n}, SHEET,
                             into=tmp_path / f"{n}.docx")
                   for n, document in enumerate([large, DOCUMENT])]
        # A Word file takes far longer to write than two tasks to give.
        assert list(process.sent) == tickets
        deadline = time.monotonic() + 30
        while not (tmp_path / "1.docx").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (tmp_path / "0.docx").stat().st_size > 1_000_000
        assert (tmp_path / "1.docx").exists()
        assert pool.wait(tickets) == [tmp_path / "0.docx", tmp_path / "1.docx"]
        for n in range(2):
            assert docx.Document(tmp_path / f"{n}.docx").paragraphs
        assert not process.sent
