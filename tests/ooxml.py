"""The order of a Word file's elements, as python-docx declares it from the schema.

Word reads an element's children in the order the schema gives and asks to repair a file
where they stand otherwise; LibreOffice does not mind, so only a check like this sees it.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
import zipfile
from pathlib import Path

from docx.oxml.ns import qn
from docx.oxml.parser import oxml_parser
from lxml import etree

#: Elements vbgen writes that python-docx does not model, with their children in the
#: schema's order (ECMA-376, CT_Anchor).
WRITTEN_BY_HAND = {
    qn("wp:anchor"): ("wp:simplePos", "wp:positionH", "wp:positionV", "wp:extent",
                      "wp:effectExtent", "wp:wrapNone", "wp:wrapSquare", "wp:wrapTight",
                      "wp:wrapThrough", "wp:wrapTopAndBottom", "wp:docPr",
                      "wp:cNvGraphicFramePr", "a:graphic"),
}


@functools.cache
def child_order(cls: type) -> tuple[str, ...]:
    """The children of the element class ``cls`` in the schema's order (its ``_tag_seq``,
    which python-docx removes from the class once it has used it)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (TypeError, OSError):
        return ()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "_tag_seq"
                                                for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    return ()


def out_of_order(docx_file: Path) -> list[str]:
    """Each element of the file's XML parts whose known children are out of the schema's
    order: the part, the element and its children."""
    found = []
    with zipfile.ZipFile(docx_file) as z:
        for part in sorted(n for n in z.namelist() if n.startswith("word/")
                           and n.endswith(".xml")):
            for el in etree.fromstring(z.read(part), oxml_parser).iter():
                sequence = WRITTEN_BY_HAND.get(el.tag) or child_order(type(el))
                order = {qn(tag): i for i, tag in enumerate(sequence)}
                places = [order[c.tag] for c in el if c.tag in order]
                if places != sorted(places):
                    children = " ".join(etree.QName(c).localname for c in el
                                        if isinstance(c.tag, str))
                    found.append(f"{part}: {etree.QName(el).localname} ({children})")
    return found
