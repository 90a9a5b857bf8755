"""The page numbers of a Word file's contents, set again in a file already written.

A build writes the Word file while the PDF is laid out, with the page numbers of the last
build; when the PDF's turn out otherwise, only the numbers in the contents change, and they
are set in the file as it is rather than the file written anew.
"""

from __future__ import annotations

import io
import zipfile

from docx.oxml.ns import qn
from lxml import etree

from ..model import doc

_DOCUMENT = "word/document.xml"


def entries(document: doc.Document, depth: int) -> list[doc.Heading]:
    """The headings the contents of ``document`` list, down to level ``depth``."""
    return [h for h in document.headings(depth) if h.toc]


def number_runs(page: int | None) -> str:
    """The runs after an entry's title: a tab to the right margin and the page, if known."""
    return f"<w:r><w:tab/></w:r><w:r><w:t>{page}</w:t></w:r>" if page else ""


def renumber(data: bytes, document: doc.Document, pages: dict[str, int]) -> bytes | None:
    """The Word file ``data`` of ``document`` with its contents numbered by ``pages`` (the
    page of each heading id); None if its contents are not as vbgen writes them."""
    toc = next((b for b in document.blocks if isinstance(b, doc.TableOfContents)), None)
    if toc is None:
        return data
    headings = entries(document, toc.depth)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        infos = package.infolist()
        parts = {info.filename: package.read(info) for info in infos}
    if _DOCUMENT not in parts:
        return None
    root = etree.fromstring(parts[_DOCUMENT])
    links = _contents_links(root)
    if len(links) != len(headings):
        return None
    w = root.nsmap.get("w", "http://schemas.openxmlformats.org/wordprocessingml/2006/main")
    for link, heading in zip(links, headings, strict=True):
        for run in list(link)[1:]:  # the title's run stays
            link.remove(run)
        runs = number_runs(pages.get(heading.id))
        if runs:
            link.extend(etree.fromstring(f'<x xmlns:w="{w}">{runs}</x>'))
    parts[_DOCUMENT] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for info in infos:
            package.writestr(info, parts[info.filename])
    return out.getvalue()


def _contents_links(root: etree._Element) -> list[etree._Element]:
    """The entries' links of the contents field, in order: from the paragraph where the
    field begins to the one where it ends."""
    links: list[etree._Element] = []
    inside = False
    for p in root.iter(qn("w:p")):
        if not inside:
            inside = any(" TOC " in (t.text or "") for t in p.iter(qn("w:instrText")))
        if inside:
            links.extend(p.iter(qn("w:hyperlink")))
            if any(c.get(qn("w:fldCharType")) == "end" for c in p.iter(qn("w:fldChar"))):
                break
    return links
