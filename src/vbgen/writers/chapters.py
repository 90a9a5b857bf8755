"""Cut a document into chapters that WeasyPrint can lay out apart, each as a page of HTML.

A chapter is a run of the document's top-level blocks that begins on a page of its own: a
level-1 heading, the table of contents or a page break usually does. Laid out alone it gives
the pages it gives inside the whole document, when three things are carried across:

- the elements around it that the style sheet's selectors look at (``.sidbrytning + h1``):
  the chapter's page holds copies of those neighbours, empty and not displayed;
- the numbers of the pages: the chapter is laid out from page 1 and its running header and
  footer are numbered afterwards (see :mod:`vbgen.writers.layout`), except in a chapter with
  links inside the document, such as the contents, whose text shows page numbers: its targets
  in other chapters stand on a page of their own after its pages, each with the page number
  it has in the whole, and it starts at its own first page number;
- the number of the footnotes before it.

:func:`check` reads the style sheet for anything else that ties a page to what came before
it (a counter, a string or a page selector that depends on the page's place); a document
whose style sheet has one is laid out in one piece. Whether each chapter really begins a page
is read from the laid-out chapter itself (its first box breaks before it), and a chapter that
does not is joined to the one before.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

#: The first tag of a block's HTML, its name and attributes.
START_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>")
_ID = re.compile(r'\sid="([^"]*)"')
#: A link inside the document, to an anchor.
INTERNAL_LINK = re.compile(r'\shref="#([^"]*)"')
#: Marks a copy of a neighbouring element, there for the selectors only.
HIDDEN = "data-vbgen-dold"
#: The named page that holds the targets of a chapter's links to other chapters.
TARGET_PAGE = "vbgen-mal"


# --- What in a style sheet ties chapters together ---------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """What a style sheet asks of a document laid out in chapters."""

    #: Why the document must be laid out in one piece, or "" if it may be cut.
    whole: str = ""
    #: How many elements before and after a chapter's own its selectors look at (None: all).
    before: int | None = 0
    after: int | None = 0
    #: Whether a running header or footer shows the number of pages (``counter(pages)``).
    total: bool = False


#: Counters a chapter may show in its text: its own, and the footnotes' (carried across).
_LOCAL_COUNTERS = {"footnote", "list-item"}
#: Pseudo-classes that look at an element's neighbours: how far back and forward.
_REACH: dict[str, tuple[int | None, int | None]] = {
    "first-child": (1, 0), "last-child": (0, 1), "only-child": (1, 1),
    "first-of-type": (None, 0), "last-of-type": (0, None), "only-of-type": (None, None),
    "nth-child": (None, 0), "nth-of-type": (None, 0),
    "nth-last-child": (0, None), "nth-last-of-type": (0, None),
}


def _wider(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else max(a, b)


def check(css: str, tags: Iterable[str]) -> Sheet:
    """Read the style sheet ``css`` for what chapters laid out apart must carry.

    ``tags`` are the element names of the document's top-level blocks: only selectors that
    may match one of them can look across a chapter's edge.
    """
    import tinycss2

    state = _Reading({t.lower() for t in tags})
    state.rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    if state.why:
        return Sheet(whole=state.why)
    return Sheet(before=state.before, after=state.after, total=state.total)


@dataclass
class _Reading:
    tags: set[str]
    why: str = ""
    before: int | None = 0
    after: int | None = 0
    total: bool = False

    def whole(self, why: str) -> None:
        self.why = self.why or why

    def rules(self, rules: list[Any]) -> None:
        import tinycss2

        for rule in rules:
            if rule.type == "qualified-rule":
                self.selectors(rule.prelude)
                self.declarations(rule.content, tinycss2.serialize(rule.prelude).strip())
            elif rule.type == "at-rule":
                name = rule.lower_at_keyword
                if name == "page":
                    self.page(rule)
                elif name == "import":
                    self.whole("stilmallen hämtar en annan stilmall (@import)")
                elif name in ("media", "supports", "layer", "container") and rule.content:
                    self.rules(tinycss2.parse_blocks_contents(
                        rule.content, skip_comments=True, skip_whitespace=True))

    def page(self, rule: Any) -> None:
        import tinycss2

        if any(t.type == "literal" and t.value == ":" for t in rule.prelude):
            # :first, :left, :right, :blank, :nth() depend on the page's place in the whole.
            self.whole(f"@page {tinycss2.serialize(rule.prelude).strip()}")
        for item in tinycss2.parse_blocks_contents(rule.content or [], skip_comments=True,
                                                   skip_whitespace=True):
            if item.type == "declaration":
                self.declaration(item, "@page")
            elif item.type == "at-rule":  # a margin box: @top-right, @bottom-right, @footnote
                for decl in tinycss2.parse_blocks_contents(item.content or [],
                                                           skip_comments=True,
                                                           skip_whitespace=True):
                    if decl.type == "declaration":
                        self.declaration(decl, "@page")

    def declarations(self, content: list[Any], selector: str) -> None:
        import tinycss2

        for decl in tinycss2.parse_blocks_contents(content or [], skip_comments=True,
                                                   skip_whitespace=True):
            if decl.type == "declaration":
                self.declaration(decl, selector)

    def declaration(self, decl: Any, selector: str) -> None:
        import tinycss2

        name = decl.lower_name
        text = tinycss2.serialize(decl.value).strip().lower()
        in_page = selector == "@page"
        if name in ("counter-reset", "counter-increment", "counter-set"):
            self.whole(f"{selector} {{ {name}: {text} }}")
        elif name == "position" and ("fixed" in text or "running" in text):
            self.whole(f"{selector} {{ position: {text} }}")
        elif name == "string-set" and selector not in ("html", "body", ":root"):
            self.whole(f"{selector} {{ string-set: {text} }}")
        for function in _functions(decl.value):
            fname = function.lower_name
            args = [tinycss2.serialize([t]).strip().lower() for t in function.arguments
                    if t.type not in ("whitespace", "comment")
                    and not (t.type == "literal" and t.value == ",")]
            if fname in ("counter", "counters") and args:
                if args[0] == "pages" and in_page:
                    self.total = True
                elif args[0] not in _LOCAL_COUNTERS and not (args[0] == "page" and in_page):
                    self.whole(f"{selector} {{ {name}: {text} }}")
            elif fname == "target-counter":
                if len(args) < 2 or args[1] != "page":
                    self.whole(f"{selector} {{ {name}: {text} }}")
            elif fname in ("target-counters", "target-text", "element"):
                self.whole(f"{selector} {{ {name}: {text} }}")

    def selectors(self, prelude: list[Any]) -> None:
        from cssselect2.parser import SelectorError, parse

        try:
            parsed = list(parse(prelude))
        except SelectorError:
            return  # WeasyPrint leaves out a rule it cannot read; so does the check
        for selector in parsed:
            self.tree(selector.parsed_tree)

    def tree(self, node: Any) -> None:
        """Widen the reach by what one selector looks at around a top-level element."""
        compounds, combinators = _chain(node)
        for i, compound in enumerate(compounds):
            for simple in compound.simple_selectors:
                self.nested(simple)
            if not self.top_level(compound):
                continue
            back: int | None = 0
            j = i
            while j > 0 and combinators[j - 1] in "+~":
                back = None if back is None or combinators[j - 1] == "~" else back + 1
                j -= 1
            self.before = _wider(self.before, back)
            for simple in compound.simple_selectors:
                name = getattr(simple, "name", "")
                if name in _REACH:
                    before, after = _REACH[name]
                    self.before = _wider(self.before, before)
                    self.after = _wider(self.after, after)

    def nested(self, simple: Any) -> None:
        """Selectors inside :not(), :is(), :where(), :has() count as if they stood alone."""
        for selector in getattr(simple, "selector_list", None) or ():
            tree = getattr(selector, "parsed_tree", selector)
            if type(tree).__name__ == "RelativeSelector":
                if tree.combinator in "+~":
                    self.after = None  # :has(+ p) looks at what follows the element
                tree = getattr(tree.selector, "parsed_tree", tree.selector)
            self.tree(tree)

    def top_level(self, compound: Any) -> bool:
        names = [s.lower_local_name for s in compound.simple_selectors
                 if type(s).__name__ == "LocalNameSelector"]
        return not names or any(n in self.tags for n in names)


def _chain(node: Any) -> tuple[list[Any], list[str]]:
    """The compounds of a selector from left to right, and the combinators between them."""
    compounds: list[Any] = []
    combinators: list[str] = []
    while type(node).__name__ == "CombinedSelector":
        compounds.append(node.right)
        combinators.append(node.combinator)
        node = node.left
    compounds.append(node)
    return compounds[::-1], combinators[::-1]


def _functions(tokens: Any) -> Iterator[Any]:
    for token in tokens or ():
        if token.type == "function":
            yield token
            yield from _functions(token.arguments)
        elif token.type in ("() block", "[] block", "{} block"):
            yield from _functions(token.content)


# --- Cutting the document ---------------------------------------------------------------------


@dataclass
class Chapter:
    """A run of the document's top-level blocks, laid out as a page of HTML of its own."""

    #: Its blocks: indexes into the document's blocks.
    first: int
    end: int
    #: The anchors its links lead to in other chapters.
    targets: list[str] = field(default_factory=list)
    #: How many footnotes the blocks before it hold.
    footnotes_before: int = 0
    #: The chapter's HTML body, its neighbours' copies included.
    body: str = ""
    #: The digest of what the chapter's pages are made of, apart from their numbers: its
    #: key in the cache.
    content: str = ""


def split(blocks: list[str], starts: Iterable[int], sheet: Sheet, footnotes: list[int]
          ) -> list[Chapter]:
    """Cut the blocks (their HTML, in order) into chapters that begin at ``starts``.

    ``footnotes`` is the number of footnotes in each block.
    """
    bounds = sorted({0, *(s for s in starts if 0 < s < len(blocks))})
    chapters = []
    for first, end in zip(bounds, [*bounds[1:], len(blocks)], strict=True):
        own = "".join(blocks[first:end])
        anchors = _ID.findall(own)
        targets = [t for t in dict.fromkeys(INTERNAL_LINK.findall(own)) if t not in anchors]
        chapters.append(Chapter(first, end, targets, sum(footnotes[:first])))
    for chapter in chapters:
        chapter.body = _body(blocks, chapter, sheet)
    return chapters


def _body(blocks: list[str], chapter: Chapter, sheet: Sheet) -> str:
    """The chapter's blocks, with copies of the neighbours the selectors look at."""
    lo = 0 if sheet.before is None else max(0, chapter.first - sheet.before)
    hi = len(blocks) if sheet.after is None else min(len(blocks), chapter.end + sheet.after)
    parts = [hidden_copy(blocks[i]) for i in range(lo, chapter.first)]
    parts += blocks[chapter.first:chapter.end]
    parts += [hidden_copy(blocks[i]) for i in range(chapter.end, hi)]
    return "\n".join(parts)


def hidden_copy(html: str) -> str:
    """An empty, hidden element with the tag and attributes of the block ``html``, but no id
    (the id may stand on a page of link targets)."""
    m = START_TAG.match(html)
    if m is None:
        return ""
    tag, attrs = m.group(1), _ID.sub("", m.group(2)).rstrip("/")
    return f"<{tag}{attrs} {HIDDEN}></{tag}>"


def target_page(targets: dict[str, int]) -> str:
    """The HTML of a page after a chapter's own that holds its link ``targets``.

    Each target is an empty element with a counter named "page" set to the target's page
    in the whole document: ``target-counter(…, page)`` reads an element's own counters
    before the counters of the page it stands on.
    """
    return "".join(f'<div id="{anchor}" style="page: {TARGET_PAGE} !important; '
                   f'counter-reset: page {n} !important"></div>'
                   for anchor, n in targets.items())


#: Style for every chapter: the neighbours' copies take no room.
HIDDEN_CSS = f"[{HIDDEN}] {{ display: none !important }}\n"


def digest(*parts: object) -> str:
    """A short digest of ``parts``, for cache keys."""
    h = hashlib.sha256()
    for part in parts:
        h.update(str(part).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:32]
