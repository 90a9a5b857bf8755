"""vbgen forhandsgranska: the report served on 127.0.0.1, rebuilt when a file changes."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from vbgen.commands.preview import Assets, Preview, PreviewError, PreviewWriter, page_box
from vbgen.model import doc

from .conftest import PROFILE, ROOT, answers_ctrl_c, copy_kultur, line_of, replace_text

# The preview starts servers and layout processes.
pytestmark = pytest.mark.langsam

#: The longest wait for the preview to see an edit; it normally takes well under a second.
WAIT = 8.0


@pytest.fixture
def folder(kultur: Path) -> Path:
    """A copy of the kultur- och fritidsnämnd sample beside a copy of its kommun profile."""
    return kultur


@pytest.fixture
def preview(folder: Path) -> Iterator[Preview]:
    """A running preview of ``folder`` that a test may edit, without page numbers."""
    with Preview(folder, paginate=False) as running:
        running.start()
        yield running


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    """A running preview for the tests that only read."""
    base = tmp_path_factory.mktemp("forhandsgranskning")
    with Preview(copy_kultur(base)) as running:
        running.start()
        yield running


def get(url: str, path: str, host: str | None = None) -> tuple[int, bytes]:
    """Ask the server for ``path`` exactly as written (no normalising of ``..``)."""
    address = url.removeprefix("http://").rstrip("/")
    conn = http.client.HTTPConnection(address, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host or address)
        conn.endheaders()
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"förhandsgranskningen visade inte {what}")
        time.sleep(0.1)


def test_serves_the_report_and_its_images(served: Preview) -> None:
    status, page = get(served.url, "/")
    assert status == 200
    text = page.decode()
    assert "<h1" in text and "Sammanfattning" in text
    assert 'href="/rapport.css"' in text
    images = [part.split('"')[0] for part in text.split('src="')[1:]]
    assert images and all(src.startswith("/fil/") for src in images)
    status, image = get(served.url, images[0])
    # Charts are vector graphics in the PDF, and so in its HTML.
    assert status == 200 and image.lstrip().startswith(b"<?xml") and b"<svg" in image
    status, css = get(served.url, "/rapport.css")
    assert status == 200 and b"@page" in css
    # The stylesheet's fonts are handed out by id too, not by their path.
    font = css.decode().split('url("')[1].split('"')[0]
    assert font.startswith("/fil/") and font.endswith(".ttf")
    assert get(served.url, font)[0] == 200


def test_page_numbers_from_the_pdf_layout(served: Preview) -> None:
    """/sidor gives the page of each heading as WeasyPrint lays the report out for the PDF."""
    version = get(served.url, "/version")[1].decode()

    def numbers() -> dict:  # type: ignore[type-arg]
        return json.loads(get(served.url, "/sidor")[1])

    wait_for(lambda: numbers()["version"] == version, "sidnumren")
    pages = numbers()["dokument"]["verksamhetsberattelse"]
    # Title page, table of contents, then the first section, each on a page of its own.
    assert pages["sidor"]["sammanfattning"] == 3
    order = [re.search(r'id="([^"]+)"', h).group(1)  # type: ignore[union-attr]
             for h in re.findall(r"<h[1-4] id=\"[^\"]+\"", get(served.url, "/")[1].decode())]
    found = [pages["sidor"][i] for i in order]
    assert found == sorted(found) and found[-1] <= pages["antal"] and pages["antal"] > 10


def test_page_numbers_follow_the_namnds_identity(tmp_path: Path) -> None:
    """A size a nämnd's identitet.css sets moves the pages in the preview as in the PDF."""
    from vbgen.build import Options, compose_all
    from vbgen.commands.preview import page_numbers

    documents, styles = compose_all(copy_kultur(tmp_path / "data"), Options(tmp_path / "ut"),
                                    draw=False)[1:]
    report = {"verksamhetsberattelse": documents["verksamhetsberattelse"]}

    def total(overrides: dict[str, str]) -> int:
        found = page_numbers(report, styles.stylesheet, tmp_path, [*styles.folders],
                             overrides=overrides, folders=styles.folders)
        return int(found["verksamhetsberattelse"]["antal"])  # type: ignore[call-overload]

    assert total({"brodtext-storlek": "16pt"}) > total(styles.overrides())


def test_refuses_anything_but_its_own_files(served: Preview) -> None:
    for path in ["/vb.yaml", "/../vb.yaml", "/fil/../vb.yaml", "/fil/../../../../etc/passwd",
                 "/fil/%2e%2e/vb.yaml", "/fil/", "/fil/0000000000000000.png", "//etc/passwd",
                 "/verksamhetsberattelse/../../vb.yaml", "/styles/rapport.css",
                 "/fonts/DejaVuSans.ttf", "/fil//etc/passwd"]:
        status, body = get(served.url, path)
        assert status == 404, path
        assert b"namnd" not in body and b"root:" not in body, path


def test_refuses_other_host_names(served: Preview) -> None:
    """A page from elsewhere that points its own name at 127.0.0.1 gets nothing."""
    status, body = get(served.url, "/", host="exempel.se")
    assert status == 403 and b"Sammanfattning" not in body


def test_version_changes_after_an_edit(preview: Preview, folder: Path) -> None:
    before = get(preview.url, "/version")[1]
    assert get(preview.url, "/version")[1] == before  # steady while nothing changes
    # The page asks with ?efter= and gets its answer once there is a newer build.
    answers: list[bytes] = []
    asking = threading.Thread(
        target=lambda: answers.append(get(preview.url, "/version?efter=" + before.decode())[1]))
    asking.start()
    replace_text(folder / "text" / "sammanfattning.md", "", "Ett nytt första stycke.\n\n")
    asking.join(timeout=WAIT)
    assert answers and answers[0] != before
    assert answers[0] == get(preview.url, "/version")[1]
    assert "Ett nytt första stycke." in get(preview.url, "/")[1].decode()
    # The kommun profile, outside the data folder, is watched too.
    before = get(preview.url, "/version")[1]
    replace_text(folder.parent / PROFILE.name / "kommun.yaml", "kommun: Norrviks kommun",
                 "kommun: Norrviks stad")
    wait_for(lambda: get(preview.url, "/version")[1] != before, "en ny version")
    assert "Norrviks stad" in get(preview.url, "/")[1].decode()


def test_error_in_page_and_back(preview: Preview, folder: Path) -> None:
    main = folder / "vb.yaml"
    good = main.read_text(encoding="utf-8")
    replace_text(main, "ar: 2023", "ar: tjugotjugotre")
    line = line_of(main, "ar: tjugotjugotre")
    wait_for(lambda: "kan inte byggas" in get(preview.url, "/")[1].decode(), "felet")
    page = get(preview.url, "/")[1].decode()
    assert f"vb.yaml, rad {line}" in page
    # The report that last built is still shown below the error.
    assert "Sammanfattning" in page
    main.write_text(good, encoding="utf-8")
    wait_for(lambda: "kan inte byggas" not in get(preview.url, "/")[1].decode(),
             "rapporten igen")


def test_follows_own_templates_and_styles(folder: Path, tmp_path: Path) -> None:
    """A change to a template or the stylesheet in --mallar or --stilar shows too."""
    templates, styles = tmp_path / "mallar", tmp_path / "stilar"
    templates.mkdir()
    styles.mkdir()
    main = templates / "verksamhetsberattelse.j2"
    shutil.copy(ROOT / "templates" / main.name, main)
    shutil.copy(ROOT / "styles" / "rapport.css", styles / "rapport.css")
    with Preview(folder, templates, styles, paginate=False) as running:
        running.start()
        before = get(running.url, "/version")[1]
        replace_text(main, "{% for del in vb.disposition %}",
                     "<p>Ett stycke ur en egen mall.</p>\n"
                     "{% for del in vb.disposition %}")
        wait_for(lambda: get(running.url, "/version")[1] != before, "en ny version")
        assert "Ett stycke ur en egen mall." in get(running.url, "/")[1].decode()
        replace_text(styles / "rapport.css", "--accent: #00566b;", "--accent: #7a1f5c;")
        wait_for(lambda: b"#7a1f5c" in get(running.url, "/rapport.css")[1], "den nya stilen")
        # The fonts stay in the built-in styles folder, which the own stylesheet cannot
        # reach; they are left out rather than read from outside its folder.
        assert b"url(" not in get(running.url, "/rapport.css")[1]


def test_error_from_the_start(folder: Path) -> None:
    """A folder that does not build at first is shown as its error until it is fixed."""
    main = folder / "vb.yaml"
    good = main.read_text(encoding="utf-8")
    main.write_text(good.replace("namnd: Kultur", "namnd: [Kultur", 1), encoding="utf-8")
    with Preview(folder, paginate=False) as running:
        running.start()
        page = get(running.url, "/")[1].decode()
        assert "Rapporten kan inte byggas" in page and "vb.yaml, rad" in page
        assert "senaste versionen" not in page and "Sammanfattning" not in page
        main.write_text(good, encoding="utf-8")
        wait_for(lambda: "Sammanfattning" in get(running.url, "/")[1].decode(), "rapporten")


def test_sheets_and_image_ids(tmp_path: Path) -> None:
    """A sheet per forced page break; images only by id, the logotype too."""
    logo = tmp_path / "logotyp.png"
    logo.write_bytes(b"\x89PNG")
    document = doc.Document("Rapport", [
        doc.TitlePage("Rapport", ["Nämnden"], logo=str(logo), logo_alt="Kommunens logotyp"),
        doc.Heading(1, [doc.Text("Ett")], id="ett"),
        doc.Paragraph([doc.Text("Text.")]),
        doc.Heading(2, [doc.Text("Ett och ett")], id="ett-och-ett"),
        doc.PageBreak(),
        doc.Paragraph([doc.Text("Efter brytningen.")]),
        doc.Heading(1, [doc.Text("Två")], id="tva"),
    ], header="Nämnden – Rapport")
    assets = Assets()
    sheets = PreviewWriter(document, assets).sheets()
    assert sheets.count('class="vb-ark"') == 4
    assert sheets.count("vb-sidhuvud") == 3  # none on the title page
    assert str(tmp_path) not in sheets and "file:" not in sheets
    (key, path), = assets.files.items()
    assert path == logo and f'src="/fil/{key}"' in sheets


def test_page_box_follows_the_stylesheet() -> None:
    box = page_box("@page { size: A4 landscape; margin: 1cm 2cm; @top-right { content: 'x' } }"
                   "@page titelsida { margin: 0 }")
    assert (box.width, box.height, box.margin) == ("29.7cm", "21cm", "1cm 2cm")


def test_command_stops_cleanly_on_ctrl_c(folder: Path, tmp_path: Path) -> None:
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp"), "PYTHONUNBUFFERED": "1"}
    (tmp_path / "tmp").mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "vbgen.cli", "preview", str(folder),
                             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env, preexec_fn=answers_ctrl_c)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert "visas på http://127.0.0.1:" in first, first
        url = first.split("visas på ")[1].strip()
        assert get(url, "/version")[0] == 200
        assert list((tmp_path / "tmp").iterdir()), "förhandsgranskningen har ingen egen mapp"
        proc.send_signal(signal.SIGINT)
        rest = proc.communicate(timeout=20)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, rest
    assert "Förhandsgranskningen är avslutad." in rest and "Traceback" not in rest
    # Nothing left behind: the temporary folder is gone and the data folder is as it was.
    assert list((tmp_path / "tmp").iterdir()) == []
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.name != "tmp")
    assert after == before


def test_port_in_use(folder: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        running = Preview(folder, paginate=False)
        with pytest.raises(PreviewError, match=f"127.0.0.1:{port}: porten används redan"):
            running.start(port)
    assert not running.work.exists()


def test_command_refuses_a_missing_folder(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "vbgen.cli", "preview",
                           str(tmp_path / "finns-inte"), "--port", "0"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "mappen finns inte" in proc.stderr and "Traceback" not in proc.stderr


# --- In a real browser ------------------------------------------------------------------------


def _browser():  # type: ignore[no-untyped-def]
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium saknas")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("chromium och chromium-driver saknas (scripts/test.sh installerar dem "
                    "som root med apt-get)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1200,900", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps",
                # Every name but 127.0.0.1 fails to resolve: the browser reaches nothing else.
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        options.add_argument(arg)
    return webdriver.Chrome(options=options,
                            service=webdriver.ChromeService(executable_path=driver))


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    driver = _browser()
    try:
        yield driver
    finally:
        driver.quit()


def test_browser_reloads_on_edit_and_shows_errors(browser, folder: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By

    def text(selector: str) -> str:
        """The text shown in the element, or nothing while the page is reloading."""
        try:
            return str(browser.execute_script(
                "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
                selector))
        except WebDriverException:
            return ""

    def page_of(selector: str) -> str | None:
        try:
            return browser.execute_script(  # type: ignore[no-any-return]
                "const e = document.querySelector(arguments[0]); return e && e.dataset.sida;",
                selector)
        except WebDriverException:
            return None

    with Preview(folder) as preview:
        preview.start()
        browser.get(preview.url)
        headings = [h.text for h in browser.find_elements(By.TAG_NAME, "h1")]
        assert "Sammanfattning" in headings
        # The report's stylesheet is applied: headings take the accent colour the nämnd's
        # identitet.css sets over the kommun profile's rapport.css (plum, #6b2c5f).
        color = browser.find_element(By.ID, "sammanfattning").value_of_css_property("color")
        assert color == "rgba(107, 44, 95, 1)"
        # The page numbers of the PDF's layout come in beside the headings and in the
        # table of contents.
        wait_for(lambda: page_of("#sammanfattning") == "3", "sidnumren")
        assert page_of('.innehall a[href="#sammanfattning"]') == "3"

        replace_text(folder / "text" / "sammanfattning.md", "",
                     "Biblioteket i Norrvik fyller hundra år.\n\n")
        wait_for(lambda: "Biblioteket i Norrvik fyller hundra år." in text("body"),
                 "den nya texten")

        main = folder / "vb.yaml"
        good = main.read_text(encoding="utf-8")
        main.write_text(good.replace("\nmal:\n", "\nmal:\n  - [\n", 1), encoding="utf-8")
        wait_for(lambda: "Rapporten kan inte byggas" in text("body"), "felet")
        alert = text("[role=alert]")
        assert "vb.yaml" in alert and "rad " in alert

        main.write_text(good, encoding="utf-8")
        wait_for(lambda: "Rapporten kan inte byggas" not in text("body"), "rapporten igen")
        assert "Biblioteket i Norrvik fyller hundra år." in text("body")
        if os.environ.get("VBGEN_SKARMBILD"):
            browser.save_screenshot(os.environ["VBGEN_SKARMBILD"])
