"""Data folders at vbgen's documented input limits, for the tests and scripts/granser.py.

Each case starts from the kultur sample and its kommun profile, copied into a folder of its
own, and grows one input to exactly its limit (``over=True``: one step beyond it). It returns
the arguments of the ``vbgen`` command that reads that input.
"""

from __future__ import annotations

import random
import shutil
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from vbgen.build import Options, build
from vbgen.checks import MAX_PROSE_BYTES, MAX_TABLE_ROWS, table_rows
from vbgen.load import load
from vbgen.model.report import markdown_fields
from vbgen.paths import MAX_IMAGE_PIXELS
from vbgen.readers.docx import CUSTOM_XML, DRAFT_PARTS, MAX_DRAFT_BYTES

ROOT = Path(__file__).resolve().parent.parent
KULTUR = ROOT / "sample_data" / "kulturnamnden-2023"
PROFILE = ROOT / "sample_data" / "norrviks-kommun"
WORDS = ("nämnden verksamheten under året arbetet barn unga kultur fritid bibliotek föreningar "
         "besök utvecklingen jämfört med föregående år ökade minskade medarbetare invånare "
         "insatser").split()


def kultur(root: Path) -> Path:
    """A copy of the kultur sample beside its kommun profile, in ``root``."""
    shutil.copytree(PROFILE, root / PROFILE.name)
    shutil.copytree(KULTUR, root / KULTUR.name)
    return root / KULTUR.name


def prose(size: int, seed: int = 1) -> str:
    """Swedish-looking Markdown of exactly ``size`` bytes: paragraphs, headings, lists."""
    rnd = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size:
        n = len(parts) + 1
        if n % 40 == 0:
            part = f"### Rubrik {n}"
        elif n % 15 == 0:
            part = "\n".join(f"- {' '.join(rnd.choices(WORDS, k=8))}" for _ in range(4))
        else:
            part = " ".join(rnd.choices(WORDS, k=90)) + "."
        parts.append(part)
        length += len(part.encode("utf-8")) + 2
    text = "\n\n".join(parts)
    # Cut at the size, at a word, and fill the last bytes with letters.
    cut = text.encode("utf-8")[:size].decode("utf-8", "ignore").rstrip()
    return cut + "x" * (size - len(cut.encode("utf-8")))


def texts(root: Path, over: bool = False) -> list[str]:
    """The report's texts together exactly at the limit, the added text in one file."""
    data = kultur(root)
    target = data / "text" / "sammanfattning.md"
    target.write_text("", encoding="utf-8")
    used = sum(len(t.encode("utf-8")) for _, t in markdown_fields(load(data)) if t)
    target.write_text(prose(MAX_PROSE_BYTES - used + over), encoding="utf-8")
    return ["build", str(data), "--ut", str(root / "ut")]


def rows(root: Path, over: bool = False) -> list[str]:
    """The report's table rows together exactly at the limit, the added rows in one table
    (besok.csv, shown in full)."""
    data = kultur(root)
    table = data / "besok.csv"
    # The sample's own rows stay: its texts cite them.
    own = table.read_text(encoding="utf-8").splitlines()
    used = sum(table_rows(load(data)).values())
    rnd = random.Random(2)
    lines = [f"Anläggning {i};{rnd.randint(1000, 99999)};{rnd.randint(1000, 99999)};"
             for i in range(MAX_TABLE_ROWS - used + over)]
    table.write_text("\n".join([*own, *lines]) + "\n", encoding="utf-8")
    return ["build", str(data), "--ut", str(root / "ut")]


def outline(root: Path, over: bool = False) -> list[str]:
    """Sections nested to the deepest heading level, with text and a table at the bottom."""
    data = kultur(root)
    depth = 6 + over
    nest, indent = "", "  "
    for level in range(1, depth + 1):
        nest += f"{indent}- rubrik: Nivå {level}\n"
        indent += "  "
        if level < depth:
            nest += f"{indent}avsnitt:\n"
            indent += "  "
    nest += f"{indent}text: Innerst, med en tabell.\n{indent}block:\n{indent}  - tabell: besok\n"
    main = data / "vb.yaml"
    text = main.read_text(encoding="utf-8")
    main.write_text(text.replace("disposition:\n", "disposition:\n" + nest, 1),
                    encoding="utf-8")
    return ["build", str(data), "--ut", str(root / "ut")]


def png(path: Path, width: int, height: int, gray: bool = False) -> None:
    """A valid PNG of this size, in colour or grey: bands with a frame, written row by row
    (a large image takes a second or two, and little memory)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (len(body).to_bytes(4, "big") + kind + body
                + zlib.crc32(kind + body).to_bytes(4, "big"))

    pack = zlib.compressobj(6)
    data = bytearray()
    pixel = 1 if gray else 3
    edge = b"\x00" + bytes(20 for _ in range(pixel)) * width
    row = edge
    for y in range(height):
        if y % 997 == 1:
            row = b"\x00" + bytes(((y * 7) % 256, 40, 160)[:pixel]) * width
        data += pack.compress(edge if y in (0, height - 1) else row)
    data += pack.flush()
    with path.open("wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n")
        fh.write(chunk(b"IHDR", width.to_bytes(4, "big") + height.to_bytes(4, "big")
                       + bytes((8, 0 if gray else 2, 0, 0, 0))))
        fh.write(chunk(b"IDAT", bytes(data)))
        fh.write(chunk(b"IEND", b""))


def logo(root: Path, over: bool = False) -> list[str]:
    """A logotype of exactly the most pixels a document takes (10 000 × 5 000)."""
    data = kultur(root)
    styles = root / "stilar"
    styles.mkdir()
    width, height = 10_000, MAX_IMAGE_PIXELS // 10_000 + over
    png(styles / "logotyp.png", width, height)
    return ["build", str(data), "--ut", str(root / "ut"), "--stilar", str(styles)]


def draft(root: Path, over: bool = False) -> list[str]:
    """A Word draft whose parts hamta reads unpack to exactly their limit: a real draft
    with paragraphs of one word each (the most work per byte) typed outside its texts."""
    data = kultur(root)
    (built,) = build(data, Options(root / "ut", formats=("docx",),
                                   documents=("verksamhetsberattelse",)))
    with zipfile.ZipFile(built) as z:
        files = {n: z.read(n) for n in z.namelist()}
    read = sum(len(b) for n, b in files.items() if n in DRAFT_PARTS or CUSTOM_XML.fullmatch(n))
    document = files["word/document.xml"]
    at = document.index(b"<w:body>") + len(b"<w:body>")
    unit = b"<w:p><w:r><w:t>ord</w:t></w:r></w:p>"
    room = MAX_DRAFT_BYTES - read + over
    filler = unit * (room // len(unit))
    filler += b" " * (room - len(filler))
    files["word/document.xml"] = document[:at] + filler + document[at:]
    path = root / "utkast.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in files.items():
            z.writestr(name, body)
    return ["hamta", str(path), str(data)]


#: Every limit, by the name scripts/granser.py shows.
CASES: dict[str, Callable[..., list[str]]] = {
    "texter": texts, "tabellrader": rows, "disposition": outline, "logotyp": logo,
    "utkast": draft,
}
