"""``vbgen hamta`` with drafts made by a stranger: it writes only the texts the data names.

Each crafted draft starts from a real draft of the kultur sample and changes what a stranger
can change in a Word file: the names of its text controls, the record of what it was built
from, the XML of a paragraph. Whatever the draft says, nothing outside the data's texts
changes (the whole folder is compared, bytes and modes, ``.git`` included), and the user
reads a Swedish message, never an internal error.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from vbgen.build import Options, build
from vbgen.commands.hamta import writable
from vbgen.load import load
from vbgen.model.utkast import DRAFT_NS

from .conftest import copy_kultur, run_cli

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
TEXT = "text/m1-analys.md"
STRANGER = "Skrivet av en främling."
#: What every refusal of a name says.
NOT_A_TEXT = "som inte är någon av datamappens texter; den skrivs inte"


def q(name: str) -> str:
    return f"{{{W}}}{name}"


def snapshot(root: Path) -> dict[str, tuple[int, bytes | str | None]]:
    """Every entry under ``root``: its mode and its bytes (a link: its target)."""
    out: dict[str, tuple[int, bytes | str | None]] = {}
    for here, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(here, name)
            st_ = os.lstat(path)
            if stat.S_ISLNK(st_.st_mode):
                content: bytes | str | None = os.readlink(path)
            elif stat.S_ISREG(st_.st_mode):
                content = path.read_bytes()
            else:
                content = None
            out[str(path.relative_to(root))] = (st_.st_mode, content)
    return out


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A kommun folder holding the kultur sample, a git folder with an executable hook, a
    text in a hidden folder, an executable text and a text that is a link; and a draft
    built from it."""
    root = tmp_path_factory.mktemp("kommun")
    data = copy_kultur(root)
    git = data / ".git"
    (git / "hooks").mkdir(parents=True)
    (git / "config").write_text("[core]\n\trepositoryformatversion = 0\n", encoding="utf-8")
    (git / "hooks" / "pre-commit").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    (git / "hooks" / "pre-commit").chmod(0o755)
    (data / ".dold").mkdir()
    shutil.move(data / "text" / "arets-handelser.md", data / ".dold" / "handelser.md")
    main = data / "vb.yaml"
    main.write_text(main.read_text(encoding="utf-8").replace(
        "{fil: text/arets-handelser.md}", "{fil: .dold/handelser.md}"), encoding="utf-8")
    (data / "text" / "verksamheterna.md").chmod(0o755)
    shutil.move(data / "text" / "kulturarv.md", data / "text" / "kulturarv-kalla.md")
    (data / "text" / "kulturarv.md").symlink_to("kulturarv-kalla.md")
    (data / TEXT).chmod(0o640)
    (root / "utanfor.md").write_text("Utanför datamappen.\n", encoding="utf-8")
    (docx,) = build(data, Options(root / "ut", formats=("docx",),
                                  documents=("verksamhetsberattelse",)))
    shutil.rmtree(root / "ut" / ".vbgen-cache")
    return root, docx


@pytest.fixture
def kommun(pristine: tuple[Path, Path], tmp_path: Path) -> Path:
    """A private copy of the prepared kommun folder."""
    root = tmp_path / "kommun"
    shutil.copytree(pristine[0], root, symlinks=True)
    return root


class Crafted:
    """A draft's parts, to change as a stranger would and save as a new draft."""

    def __init__(self, docx: Path) -> None:
        with zipfile.ZipFile(docx) as z:
            self.files = {n: z.read(n) for n in z.namelist()}
        self.doc = etree.fromstring(self.files["word/document.xml"])
        self.manifest = etree.fromstring(self.files["customXml/item1.xml"])

    def control(self, tag: str) -> etree._Element | None:
        return next((s for s in self.doc.iter(q("sdt"))
                     if s.find("w:sdtPr/w:tag", NS).get(q("val")) == tag), None)

    def edit(self, tag: str, text: str = STRANGER) -> None:
        """New words in the text's first paragraph."""
        control = self.control(tag)
        if control is not None:
            control.find(".//" + q("t")).text = text

    def rename(self, old: str, new: str, manifest: bool = True) -> None:
        """Give a text another name in its controls and (unless not) in the record."""
        for sdt in self.doc.iter(q("sdt")):
            tag = sdt.find("w:sdtPr/w:tag", NS)
            if tag.get(q("val")) == old:
                tag.set(q("val"), new)
        if manifest:
            for entry in self.manifest.iter(f"{{{DRAFT_NS}}}text"):
                if entry.get("namn") == old:
                    entry.set("namn", new)

    def save(self, path: Path, manifest: bytes | None = None, document: bytes | None = None,
             extra: dict[str, bytes] | None = None) -> Path:
        files = dict(self.files)
        files["word/document.xml"] = document or etree.tostring(self.doc)
        files["customXml/item1.xml"] = manifest or etree.tostring(self.manifest)
        files.update(extra or {})
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in files.items():
                z.writestr(name, data)
        return path


def _hamta(draft: Path, root: Path) -> tuple[int, str]:
    result = run_cli("hamta", str(draft), str(root / "kulturnamnden-2023"), "--ja")
    assert "Internt fel" not in result.output
    return result.exit_code, result.output


# --- Names that are not texts of the data --------------------------------------------------


@pytest.mark.parametrize("name", [
    ".git/config", ".git/hooks/pre-commit", "text/../.git/config", "/etc/passwd",
    "../utanfor.md", "text/../../utanfor.md", "text//m1-analys.md", "./text/m1-analys.md",
    "text/ny-fil.md", "vb.yaml", "vb.yaml:", "vb.yaml:kommun", "vb.yaml:namnd",
    "vb.yaml:forvaltning", "vb.yaml:tjanstskrivelse.underskrift.namn",
    "vb.yaml:malnivaer[1].namn", "vb.yaml:tabeller[1].fil", "vb.yaml:mal[1]",
    "vb.yaml:mal[99].analys", "vb.yaml:texter.vision", "vb.yaml:disposition[3].text",
    "vb.yaml:mal[1].maluppfyllelse", "text/arets-handelser.md", "C:\\Windows\\win.ini",
])
def test_a_name_that_is_no_text_of_the_data_is_refused(pristine, kommun, tmp_path, name):
    draft = Crafted(pristine[1])
    draft.rename(TEXT, name)
    draft.edit(name)
    path = draft.save(tmp_path / "främling.docx")
    before = snapshot(kommun)
    code, output = _hamta(path, kommun)
    assert code == 1, output
    assert NOT_A_TEXT in output
    assert snapshot(kommun) == before


def test_the_texts_the_data_names_are_the_writable_ones(pristine):
    names = writable(load(pristine[0] / "kulturnamnden-2023"))
    assert TEXT in names and "vb.yaml:mal[1].motivering" in names
    assert not [n for n in names if n.startswith("vb.yaml:") and not n.endswith((
        ".text", ".motivering", ".analys", ".genomfort_arbete", ".beskrivning",
        ".kommentar", ".drift_kommentar", ".inledning", ".satsningar", ".investeringar",
        ".lokalprojekt", ".externa_volymer", ".bedomning", ".kommunovergripande",
        ".internkontrollarbete", "sammanfattning", ".planerad", ".lou_orsaker",
        ".lou_resultat", ".direktupphandlade", "_text", ".sjukfranvaro_analys",
        ".medarbetarenkat", ".personalforsorjning", ".kompetensutveckling"))]
    # A text shared through the kommun profile is changed there, not from a nämnd's draft.
    assert "vb.yaml:disposition[3].text" not in names


@pytest.mark.parametrize("name, why", [
    (".dold/handelser.md", "ligger i en dold mapp"),
    ("text/verksamheterna.md", "är körbar"),
    ("text/kulturarv.md", "är en länk"),
])
def test_a_text_file_hamta_will_not_write_is_named(pristine, kommun, tmp_path, name, why):
    draft = Crafted(pristine[1])
    draft.edit(name)
    path = draft.save(tmp_path / "utkast.docx")
    before = snapshot(kommun)
    code, output = _hamta(path, kommun)
    assert code == 1, output
    assert f"{name}: texten" in output and f"skrivs inte: filen {why}" in output
    assert snapshot(kommun) == before


def test_an_edited_text_is_written_with_its_mode_kept(pristine, kommun, tmp_path):
    draft = Crafted(pristine[1])
    draft.edit(TEXT, "Ny analys.")
    draft.edit("vb.yaml:mal[1].motivering", "Ny motivering.")
    path = draft.save(tmp_path / "utkast.docx")
    before = snapshot(kommun)
    code, output = _hamta(path, kommun)
    assert code == 0, output
    after = snapshot(kommun)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed == {f"kulturnamnden-2023/{TEXT}", "kulturnamnden-2023/vb.yaml"}
    for name in changed:
        assert after[name][0] == before[name][0]
    assert stat.S_IMODE(after[f"kulturnamnden-2023/{TEXT}"][0]) == 0o640
    assert after[f"kulturnamnden-2023/{TEXT}"][1].startswith(b"Ny analys.")


def test_a_control_the_record_does_not_know_is_shown_and_not_taken(pristine, kommun,
                                                                    tmp_path):
    draft = Crafted(pristine[1])
    draft.rename(TEXT, ".git/hooks/pre-commit", manifest=False)
    draft.edit(".git/hooks/pre-commit", "#!/bin/sh\nrm -rf ~")
    path = draft.save(tmp_path / "utkast.docx")
    before = snapshot(kommun)
    code, output = _hamta(path, kommun)
    assert code == 0, output
    assert "Textfält som inte finns i utkastets uppgifter om texterna, tas inte med (1):" \
        in output
    assert "\u201d.git/hooks/pre-commit\u201d: \u201d#!/bin/sh rm -rf ~\u201d" in output
    assert snapshot(kommun) == before


# --- Paragraphs that cannot be read as text ------------------------------------------------


def _with_entity(document: bytes, tag: str, declaration: str) -> bytes:
    """The document with a DOCTYPE declaring ``&namn;`` and the entity in the text's first
    paragraph, as a hand-made file could have it."""
    doc = document.decode("utf-8")
    head, body = doc.split("?>", 1) if doc.startswith("<?xml") else ("", doc)
    root = body[body.index("<w:document"):].split(" ", 1)[0][1:]
    marker = f'<w:tag w:val="{tag}"/>'
    found = re.compile(r"<w:t[ >]").search(body, body.index(marker))
    assert found is not None
    at = body.index(">", found.start()) + 1
    body = body[:at] + "Början &namn; slutet. " + body[at:]
    return ((head + "?>" if head else "") + f"<!DOCTYPE {root} [{declaration}]>"
            + body).encode("utf-8")


@pytest.mark.parametrize("declaration", [
    '<!ENTITY namn "inskjuten text">',
    '<!ENTITY namn SYSTEM "file:///etc/passwd">',
])
def test_an_entity_in_a_text_is_an_error_naming_the_paragraph(pristine, kommun, tmp_path,
                                                             declaration):
    draft = Crafted(pristine[1])
    document = _with_entity(etree.tostring(draft.doc, xml_declaration=True,
                                           encoding="UTF-8"), "text/sammanfattning.md",
                            declaration)
    path = draft.save(tmp_path / "utkast.docx", document=document)
    before = snapshot(kommun)
    code, output = _hamta(path, kommun)
    assert code == 1, output
    assert ("texten \u201dSammanfattning\u201d (text/sammanfattning.md), stycke 1 "
            "(\u201dBörjan") in output
    assert "stycket har en XML-entitet (&namn;), som inte kan läsas som text. Inget hämtades" \
        in output
    assert "root:" not in output
    assert snapshot(kommun) == before


def test_an_image_in_a_text_is_an_error_naming_the_paragraph(pristine, kommun, tmp_path):
    draft = Crafted(pristine[1])
    draft.edit(TEXT, "Med en bild:")
    run = draft.control(TEXT).find(".//" + q("r"))
    etree.SubElement(run, q("drawing"))
    path = draft.save(tmp_path / "utkast.docx")
    before = snapshot(kommun)
    code, output = _hamta(path, kommun)
    assert code == 1, output
    assert "stycke 1 (\u201dMed en bild:\u201d): stycket har en bild eller ett inbäddat " \
           "objekt, som inte kan läsas som text" in output
    assert snapshot(kommun) == before


# --- A record of another shape -------------------------------------------------------------


def _manifest(pristine: tuple[Path, Path]) -> str:
    return Crafted(pristine[1]).files["customXml/item1.xml"].decode("utf-8")


@pytest.mark.parametrize("change, message", [
    (lambda m: m.replace("<text ", "<skript>rm -rf ~</skript><text ", 1), "del 1 har text"),
    (lambda m: m.replace("<text ", "<okand/><text ", 1), "del 1 är ett okänt element (okand)"),
    (lambda m: m.replace("<text ", '<text fil="/etc/passwd" ', 1),
     "text nr 1 har ett okänt attribut (fil)"),
    (lambda m: m.replace('niva="2" ', "", 1), "text nr 1 saknar attributet niva"),
    (lambda m: m.replace('niva="2" ', 'niva="två" ', 1),
     "text nr 1 har en rubriknivå som inte är 1–9"),
    (lambda m: m.replace('data="', 'data="x', 2), "text nr 1 saknar kontrollsummor"),
    (lambda m: m.replace('namn="text/sammanfattning.md"',
                         'namn="text/sammanfattning.md&#10;.git/config"'),
     "styrtecken (som en radbrytning)"),
    (lambda m: m.replace("<text ", "<!-- en kommentar --><text ", 1), "del 1 är inget element"),
    (lambda m: m.replace("<utkast ", '<!DOCTYPE utkast [<!ENTITY x "y">]><utkast ', 1),
     "den har en DOCTYPE-deklaration"),
    (lambda m: m.replace("</utkast>", "<text", 1), "den kan inte läsas som XML"),
    (lambda m: m.replace("<utkast ", "<utkast xmlns:x='urn:x' x:a='1' ", 1),
     "utkast har ett okänt attribut"),
    (lambda m: m.replace('"text/m1-analys.md"', '"text/m1-genomfort.md"', 1),
     'texten "text/m1-genomfort.md" står två gånger'),
    (lambda m: m.replace('<tal namn="vbgen-tal:', '<tal namn="text/sammanfattning.md', 1),
     "har fel namn eller markering"),
    (lambda m: re.sub(r'markering="\[tal:[^"]*"', 'markering="text/ny-fil.md"', m, count=1),
     "har fel namn eller markering"),
    # A generated table's rows and cells, as the record keeps what the table showed.
    (lambda m: m.replace("<rad><cell>", "<rad><skript>rm</skript><cell>", 1),
     "har en tabellrad med något annat än celler"),
    (lambda m: m.replace("<rad><cell>", "<rad>text<cell>", 1),
     "har något annat än tabellrader inuti"),
    (lambda m: m.replace("<rad><cell>", "<okand/><rad><cell>", 1),
     "har något annat än tabellrader inuti"),
    (lambda m: m.replace("<rad><cell>", '<rad><cell fil="/etc/passwd">', 1),
     "har en tabellrad med något annat än celler"),
    (lambda m: m.replace('huvud="1"', 'huvud="ett"', 1),
     "har ett antal rubrikrader som inte är ett tal"),
    (lambda m: m.replace('huvud="1"', 'huvud="999"', 1), "har fler rubrikrader än rader"),
    (lambda m: re.sub(r'tabell="[^"]*" huvud="1"', "", m, count=1),
     "har text eller element inuti"),
    (lambda m: m.replace("<rad><cell>", "<rad><cell>&#10;", 1), "har en cell med styrtecken"),
    (lambda m: m.replace("<rad><cell>", "<rad><cell>" + "x" * 2001, 1),
     "har en cell med styrtecken eller över 2000 tecken"),
    (lambda m: re.sub(r'visat="[^"]*"', 'visat="a&#10;b"', m, count=1),
     "styrtecken (som en radbrytning)"),
])
def test_a_record_of_another_shape_is_refused(pristine, kommun, tmp_path, change, message):
    manifest = change(_manifest(pristine))
    draft = Crafted(pristine[1])
    draft.edit(TEXT)
    path = draft.save(tmp_path / "utkast.docx", manifest=manifest.encode("utf-8"))
    before = snapshot(kommun)
    code, output = _hamta(path, kommun)
    assert code == 1, output
    assert ("utkast.docx: uppgifterna om vad utkastet byggdes av (customXml/item1.xml) har "
            "inte den form vbgen skriver:") in output
    assert message in output
    assert snapshot(kommun) == before


def test_two_records_are_refused(pristine, kommun, tmp_path):
    draft = Crafted(pristine[1])
    draft.edit(TEXT)
    path = draft.save(tmp_path / "utkast.docx",
                      extra={"customXml/item9.xml": _manifest(pristine).encode("utf-8")})
    code, output = _hamta(path, kommun)
    assert code == 1
    assert "utkastet har flera uppgifter om vad det byggdes av" in output


def test_a_record_in_another_namespace_is_no_record(pristine, kommun, tmp_path):
    manifest = _manifest(pristine).replace(DRAFT_NS, "urn:annat:1")
    path = Crafted(pristine[1]).save(tmp_path / "utkast.docx", manifest=manifest.encode())
    code, output = _hamta(path, kommun)
    assert code == 1
    assert "utkast.docx: filen är inget utkast från vbgen" in output


# --- Any record, any name -----------------------------------------------------------------

#: Pieces of names a stranger might try, and names the data really has.
PIECES = st.sampled_from([".git/", "config", "hooks/pre-commit", "..", "/", "./", "text/",
                          ".md", "vb.yaml", "vb.yaml:", "mal[1]", ".analys", "kommun",
                          "\\", "~", "\u00e5", " ", "%2e", "[", "]", ":", "text/m1-analys.md",
                          "vb.yaml:mal[1].motivering", ".dold/handelser.md", "\n"])
NAMES = st.one_of(
    st.lists(PIECES, min_size=1, max_size=5).map("".join),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20),
)
#: Changes to the record's XML, each as a stranger could make it.
SHAPES = st.sampled_from(["", "<okand/>", "<text/>", "<last namn='vbgen:1' kontroll='x'/>",
                          "<last namn='vbgen:0' kontroll='0000000000000000' tabell='t' "
                          "huvud='1'><rad><cell>a</cell></rad><rad>b</rad></last>",
                          "tail", "<?pi x?>", "<text namn='a' titel='b' niva='0' "
                          "data='0000000000000000' utkast='0000000000000000'/>"])


@pytest.mark.langsam
@settings(max_examples=30, deadline=None)
@given(names=st.lists(NAMES, min_size=1, max_size=3), shape=SHAPES, in_document=st.booleans())
def test_any_record_and_names_change_only_named_texts(pristine, tmp_path_factory, names, shape,
                                                      in_document):
    root = tmp_path_factory.mktemp("k") / "kommun"
    shutil.copytree(pristine[0], root, symlinks=True)
    data = root / "kulturnamnden-2023"
    allowed = {f"kulturnamnden-2023/{n}" for n in writable(load(data)) if ":" not in n}
    allowed.add("kulturnamnden-2023/vb.yaml")
    draft = Crafted(pristine[1])
    sources = [TEXT, "text/m1-genomfort.md", "vb.yaml:mal[1].motivering"]
    for source, name in zip(sources, names, strict=False):
        draft.edit(source)
        draft.rename(source, name, manifest=True)
        if not in_document:
            draft.rename(name, source, manifest=False)
    manifest = etree.tostring(draft.manifest).decode("utf-8")
    if shape == "tail":
        manifest = manifest.replace("/>", "/>text", 1)
    elif shape:
        manifest = manifest.replace("<text ", shape + "<text ", 1)
    path = draft.save(tmp_path_factory.mktemp("d") / "utkast.docx",
                      manifest=manifest.encode("utf-8"))
    before = snapshot(root)
    code, output = _hamta(path, root)
    assert code in (0, 1), output
    assert output.strip()
    after = snapshot(root)
    assert after.keys() == before.keys()
    changed = {k for k in after if after[k] != before[k]}
    assert changed <= allowed, (changed, output)
    assert all(after[k][0] == before[k][0] for k in changed)
    if code == 1 and "ändrats både i utkastet och i data" not in output:
        assert not changed
