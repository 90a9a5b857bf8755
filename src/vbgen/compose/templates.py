"""Render the section templates into the document model.

Templates (Jinja) write a small XML vocabulary, described in ``docs/redaktorer.md``: ``h1``,
``p``, ``ul``, ``table``, ``figure`` and a few more. It is parsed here into
:mod:`vbgen.model.doc` objects, which every writer consumes. Prose from the data is Markdown and
is turned into the same vocabulary by the ``md`` filter.
"""

from __future__ import annotations

import re
import traceback
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.footnote import footnote_plugin

from .. import fmt, sprak
from ..derive import goals
from ..derive.goals import GoalRow
from ..errors import TemplateError
from ..model import doc
from ..model.report import (
    EXAMPLE_END,
    EXAMPLE_START,
    EXAMPLE_VALUE,
    FIXED_FORM,
    CardsOptions,
    Example,
    Goal,
    Indicator,
    Meta,
    Report,
    TableChart,
    TableOptions,
    Unavailable,
)
from ..model.tables import DataTable
from ..model.utkast import text_digest
from ..paths import OUTSIDE, Refused, check_file, present
from ..resources import template_dirs
from ..writers import typografi
from ..writers.charts import KINDS, KINDS_LISTED, Chart, ChartRenderer, Series
from . import citat, tabellvy

_MD = MarkdownIt("commonmark", {"html": False, "xhtmlOut": True}).use(footnote_plugin)
_SPACE = re.compile(r"[ \t\r\n]+")  # not \s: a no-break space must survive
#: The links a document may have: web pages and e-mail; anything else is shown as text.
LINK = re.compile(r"^(https?://|mailto:)[^\s<>\"]+$", re.IGNORECASE)


# --- Markdown prose -> XML vocabulary -------------------------------------------------------


#: Where a figure-citing mark stood in prose while Markdown is parsed: a private character,
#: its number, another.
_HELD = re.compile("\ue000(\\d+)\ue001")
_PRIVATE = re.compile("[\ue000\ue001]")


def _inline_xml(tokens: list[Token], env: dict[str, Any]) -> str:
    out: list[str] = []
    for t in tokens:
        if t.type == "text" or t.type == "code_inline":
            text = escape(t.content, quote=False)
            if "citat" in env:
                text = _HELD.sub(lambda m: env["citat"][int(m.group(1))], text)
            # A code span is the text's way to keep its characters as written.
            out.append(f'<span class="{typografi.VERBATIM}">{text}</span>'
                       if t.type == "code_inline" else text)
        elif t.type in ("softbreak",):
            out.append("\n")
        elif t.type == "hardbreak":
            out.append("<br/>")
        elif t.type in ("strong_open", "strong_close", "em_open", "em_close"):
            tag = "b" if t.type.startswith("strong") else "i"
            out.append(f"<{tag}>" if t.nesting == 1 else f"</{tag}>")
        elif t.type == "link_open":
            href = str(t.attrs.get("href", ""))
            out.append(f'<a href="{escape(href)}">' if LINK.match(href) else "<a>")
        elif t.type == "link_close":
            out.append("</a>")
        elif t.type == "footnote_ref":
            note = env["footnotes"]["list"][t.meta["id"]]
            if note.get("tokens") is not None:  # an inline note: ^[text]
                inner = _inline_xml(note["tokens"], env)
            else:  # a note defined below the text: [^1]: text
                inner = env.get("defined_notes", {}).get(t.meta["id"], "")
            out.append(f"<fn>{inner}</fn>")
        elif t.children:
            out.append(_inline_xml(t.children, env))
    return "".join(out)


def _defined_notes(tokens: list[Token], env: dict[str, Any]) -> dict[int, str]:
    """The text of each footnote defined below the prose, by its id."""
    notes: dict[int, list[str]] = {}
    current: int | None = None
    for t in tokens:
        if t.type == "footnote_open":
            current = t.meta["id"]
            notes[current] = []
        elif t.type == "footnote_close":
            current = None
        elif t.type == "inline" and current is not None:
            notes[current].append(_inline_xml(t.children or [], env))
    return {k: " ".join(v) for k, v in notes.items()}


def markdown_xml(text: str, heading_level: int = 4,
                 cite: Callable[[str], str] | None = None) -> str:
    """Turn Markdown prose into the template vocabulary; headings start at ``heading_level``.

    ``cite`` gives the vocabulary for a figure-citing mark (``[tal: …]``); without it the
    marks stay as written.
    """
    env: dict[str, Any] = {}
    text = _hold_marks(text, env, cite)
    tokens = _MD.parse(text, env)
    env["defined_notes"] = _defined_notes(tokens, env)
    out: list[str] = []
    in_footnotes = False
    level = heading_level
    for t in tokens:
        if t.type == "footnote_block_open":
            in_footnotes = True
        elif t.type == "footnote_block_close":
            in_footnotes = False
        elif in_footnotes:
            continue
        elif t.type == "heading_open":
            # "###" is the top level in prose; "####" one below it, and so on.
            level = min(6, heading_level + max(0, int(t.tag[1]) - 3))
            out.append(f'<h{level} toc="nej">')
        elif t.type == "heading_close":
            out.append(f"</h{level}>")
        elif t.type == "paragraph_open" and not t.hidden:
            out.append("<p>")
        elif t.type == "paragraph_close" and not t.hidden:
            out.append("</p>")
        elif t.type in ("bullet_list_open", "ordered_list_open", "list_item_open",
                        "bullet_list_close", "ordered_list_close", "list_item_close"):
            out.append(f"<{t.tag}>" if t.nesting == 1 else f"</{t.tag}>")
        elif t.type == "inline":
            out.append(_inline_xml(t.children or [], env))
        elif t.type in ("fence", "code_block"):
            out.append(f"<p>{escape(t.content.strip(), quote=False)}</p>")
    return "".join(out)


def _hold_marks(text: str, env: dict[str, Any], cite: Callable[[str], str] | None) -> str:
    """``text`` with each figure-citing mark replaced by a place holder that Markdown leaves
    alone (a row name may hold * or _), its vocabulary kept in ``env``."""
    if cite is None or "[tal:" not in text:
        return text
    held: list[str] = []

    def hold(m: re.Match[str]) -> str:
        held.append(cite(m.group(0)))
        return f"\ue000{len(held) - 1}\ue001"

    env["citat"] = held
    return citat.MARK.sub(hold, _PRIVATE.sub("", text))


def citation_xml(report: Report) -> Callable[[str], str]:
    """The vocabulary for a figure-citing mark in ``report``: ``<tal varde="[tal: …]">4,5
    miljoner kronor</tal>``; where the value is missing, a gap naming the cell inside it, and
    where the data says it is not available, its "..", so that the mark stays either way."""

    def xml(mark: str) -> str:
        try:
            cited = citat.cite(report, mark)
        except citat.CitationError as exc:
            raise TemplateError(f"{mark}: {exc}") from None
        # In prose a gap says what is missing; a value not available shows "..", as its cell.
        shown = (gap_mark(replace(cited.gap, kort=bool(cited.gap.skal))) if cited.gap
                 else escape(cited.text, quote=False))
        return f'<tal varde="{escape(cited.mark)}">{shown}</tal>'

    return xml


def _citing(context: jinja2.runtime.Context) -> Callable[[str], str] | None:
    report = context.get("vb")
    return citation_xml(report) if isinstance(report, Report) else None


@jinja2.pass_context
def _md_row(context: jinja2.runtime.Context, text: str | None) -> Markup:
    """Inline Markdown for a table cell or a note: bold, italic and footnotes, never blocks.

    A cell reading "- 3" or a note starting "* " is shown as written, not as a list.
    """
    if text is None or not str(text).strip():
        return Markup("")
    env: dict[str, Any] = {}
    tokens = _MD.parseInline(_hold_marks(str(text), env, _citing(context)), env)
    return Markup(_inline_xml(tokens[0].children or [], env) if tokens else "")


@jinja2.pass_context
def _md_filter(context: jinja2.runtime.Context, text: str | None, rubrikniva: int = 4,
               lucka: str = "", plats: str = "", falt: str = "", titel: str = "",
               skal: str | None = None) -> Markup:
    """Markdown prose from the data. ``falt`` is its place in vb.yaml ("mal[1].analys"),
    which names the file to fill when it is empty and makes it an editable text in a
    Word draft, titled ``titel``. An empty text the data marks as not available shows its
    reason (``skal``, or the one of ``falt``) instead of a gap."""
    report = context.get("vb")
    if falt and not plats and isinstance(report, Meta):
        plats = report.source_of(falt)
    if text is None or not str(text).strip():
        reason = skal or (report.utelamnade.get(falt) if falt and isinstance(report, Meta)
                          else None)
        body = gap(lucka, plats, reason) if lucka or reason else Markup("")
    else:
        body = Markup(markdown_xml(str(text), rubrikniva, _citing(context)))
        if isinstance(text, Example):
            body = gap("en egen text i stället för exemplet", text.plats) + body
    return _text_element(report, falt, titel or (lucka or falt).capitalize(), rubrikniva,
                         text, body)


def _text_element(report: object, falt: str, titel: str, rubrikniva: int, text: str | None,
                  body: Markup) -> Markup:
    """``body`` marked as the data's text at ``falt``, when the report names it."""
    tag = report.text_tag(falt) if falt and isinstance(report, Meta) else ""
    if not tag:
        return body
    return Markup('<text namn="{}" titel="{}" niva="{}" kontroll="{}">').format(
        tag, titel, rubrikniva, text_digest(text)) + body + Markup("</text>")


@jinja2.pass_context
def _text_block(context: jinja2.runtime.Context, falt: str, titel: str, rubrikniva: int,
                text: str | None, caller: Callable[[], str]) -> Markup:
    """``{% call textfalt(...) %}``: what the block renders is the text at ``falt``."""
    return _text_element(context.get("vb"), falt, titel, rubrikniva, text, Markup(caller()))


def missing(what: str, plats: str = "", reason: str | None = None, kort: bool = False
            ) -> Markup:
    """The inline mark of something the data lacks (a :class:`~vbgen.model.doc.Gap`): what, and
    where to fill it; with a ``reason``, a value the data says is not available."""
    return Markup('<lucka vad="{}" plats="{}" slag="{}" skal="{}"{}/>').format(
        what, plats, doc.UNAVAILABLE if reason is not None else doc.GAP, reason or "",
        Markup(' kort="ja"') if kort else "")


def gap_mark(lacking: tabellvy.CellGap) -> Markup:
    """The inline mark of what a table's cell (or a figure cited from one) lacks."""
    return missing(lacking.vad, lacking.plats, lacking.skal or None, lacking.kort)


def gap(what: str, plats: str = "", reason: str | None = None) -> Markup:
    """A paragraph marking where the data does not yet have what this place needs.

    ``plats`` names the file and field to fill; the draft's list of gaps shows it. With a
    ``reason`` the data says it is not available: the paragraph shows the reason instead.
    """
    if reason is not None:
        return Markup("<p>{}</p>").format(missing(what, plats, reason))
    return Markup('<p class="lucka">{}</p>').format(missing(what, plats))


@jinja2.pass_context
def _gap_global(context: jinja2.runtime.Context, vad: str, plats: str = "", falt: str = ""
                ) -> Markup:
    """``lucka("vad", falt="mal[1].analys")``: a gap paragraph; ``falt`` names the place in
    vb.yaml, which gives where to fill it and may be marked as not available."""
    report = context.get("vb")
    if falt and isinstance(report, Meta):
        return gap(vad, plats or report.source_of(falt), report.utelamnade.get(falt))
    return gap(vad, plats)


@jinja2.pass_context
def _missing_global(context: jinja2.runtime.Context, vad: str, plats: str = "",
                    kort: bool = False, skal: str = "", falt: str = "") -> Markup:
    """``saknas("vad", …)``: the inline mark, for a sentence or a table's cell."""
    report = context.get("vb")
    reason: str | None = skal or None
    if falt and isinstance(report, Meta):
        plats = plats or report.source_of(falt)
        reason = reason or report.utelamnade.get(falt)
    return missing(vad, plats, reason, kort)


@jinja2.pass_context
def _source_note(context: jinja2.runtime.Context, kalla: str | None, vad: str,
                 plats: str = "", falt: str = "") -> Markup:
    """``kallnot(kalla, vad, …)``: the note "Källa: …" under a table, as a reader must be
    able to tell where its figures come from. Without ``kalla`` the source is a gap, saying
    what is missing (``vad``) and where to write it (``plats``, or the field ``falt`` of
    vb.yaml)."""
    if kalla and str(kalla).strip():
        return Markup("<p>{}</p>").format(_md_row(context, f"Källa: {str(kalla).strip()}"))
    return Markup("<p>Källa: {}</p>").format(_missing_global(context, vad, plats, falt=falt))


# --- Jinja ------------------------------------------------------------------------------


class _FolderLoader(jinja2.FileSystemLoader):
    """A template loader that reads only files inside its folder, links resolved."""

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str, Callable[[], bool]]:
        # Checked before Jinja opens the file: a link out of the folder is never read, nor
        # a pipe or a device, which could make the build wait for ever.
        for folder in self.searchpath:
            path = Path(folder, *jinja2.loaders.split_template_path(template))
            if not present(path):
                continue
            try:
                check_file(Path(folder), path, limit=1 << 40)
            except Refused as exc:
                what = ("är en länk ut ur mallmappen; vbgen läser bara filer inuti mallmappen"
                        if str(exc) == OUTSIDE else str(exc))
                raise TemplateError(f"mallen {template} {what}") from None
            break
        return super().get_source(environment, template)


@lru_cache(maxsize=8)
def environment(user_templates: Path | None = None) -> jinja2.Environment:
    """The template environment: the user's folder first, the built-in templates after.

    One per folder and process, so that a template is compiled once; Jinja compiles it
    again when its file changes.
    """
    dirs = ([user_templates] if user_templates else []) + template_dirs()
    env = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader([_FolderLoader(str(d)) for d in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        extensions=["jinja2.ext.do"],
    )
    env.filters.update(fmt.FILTERS)
    env.filters.update(sprak.FILTERS)
    env.globals.update(sprak.GLOBALS)
    env.filters["md"] = _md_filter
    env.filters["md_rad"] = _md_row
    env.globals["lucka"] = _gap_global
    # The same, for a macro whose own argument is named lucka.
    env.globals["visa_lucka"] = _gap_global
    env.globals["saknas"] = _missing_global
    env.globals["kallnot"] = _source_note
    env.globals["textfalt"] = _text_block
    return env


def _template_name(filename: str, dirs: list[Path]) -> str:
    """A template file's name as editors write it: ``block/tabell.j2``."""
    path = Path(filename)
    for d in dirs:
        if path.is_relative_to(d):
            return path.relative_to(d).as_posix()
    return path.name


def _template_location(exc: BaseException, dirs: list[Path] | None = None) -> str:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and frame.filename.endswith(".j2"):
            return f"{_template_name(frame.filename, dirs or [])}, rad {frame.lineno}"
    return ""


def chart_figure(renderer: ChartRenderer, chart: Chart, bredd: float = 16,
                 plats: str = "") -> Markup:
    """A chart placed as a figure with its alt text and its caption "Diagram: … Källa: …".

    A chart without a source is a gap, to be filled at ``plats``: a reader must be able to
    tell where its figures come from. A chart without a single value is a gap in its file.
    """
    if not any(v is not None for series in chart.serier for v in series.values):
        return gap(f'värden till diagrammet "{chart.titel}"', chart.source_file or "")
    image = renderer.render(chart)
    caption = f"Diagram: {chart.titel}." + (f" Källa: {chart.kalla}." if chart.kalla else "")
    placed = Markup('<figure src="{}" vektor="{}" alt="{}" bredd="{}"><figcaption>{}'
                    "</figcaption></figure>").format(str(image.path), str(image.vector or ""),
                                                     image.alt, bredd, caption)
    if not chart.kalla:
        placed += gap(f'källa för diagrammet "{chart.titel}"', plats)
    return placed


def kalla_plats(report: Meta | None, field: str, key: str) -> str:
    """Where the källa of the chart or table ``key`` declared under ``field`` (``diagram``,
    ``tabeller``) in the data is written, as the list of gaps names it."""
    items = getattr(report, field, None) or []
    found = next((i for i, item in enumerate(items) if item.id == key), None)
    return report.source_of(f"{field}[{found}].kalla") if report and found is not None else ""


def chart_globals(charts: dict[str, Chart], renderer: ChartRenderer,
                  report: Meta | None = None) -> dict[str, Callable[..., Markup]]:
    """The template functions that place a chart as a figure with its alt text.

    ``diagram("id")`` shows a chart declared under ``diagram`` in the data (of ``report``);
    ``diagram_av(...)`` draws one from figures the template already has, so a chart of a
    table's rows shows exactly the table's numbers.
    """

    def diagram(chart_id: str, bredd: float = 16) -> Markup:
        chart = charts.get(chart_id)
        if chart is None:
            known = ", ".join(sorted(charts)) or "inga"
            raise TemplateError(f'diagrammet "{chart_id}" finns inte i data (diagram i '
                                f"vb.yaml); kända diagram: {known}")
        return chart_figure(renderer, chart, bredd, kalla_plats(report, "diagram", chart_id))

    def diagram_av(id: str, titel: str, kategorier: Iterable[object],
                   serier: dict[str, Iterable[float | None]], typ: str = "grupperad_stapel",
                   enhet: str = "", kalla: str = "", decimaler: int | None = None,
                   bredd: float = 16) -> Markup:
        if typ not in KINDS:
            raise TemplateError(f'diagram_av("{id}"): okänd diagramtyp "{typ}"; välj '
                                f"{KINDS_LISTED}")
        names = [str(k) for k in kategorier]
        series = [Series(str(n), list(v)) for n, v in serier.items()]
        if any(len(s.values) != len(names) for s in series):
            raise TemplateError(f'diagram_av("{id}"): varje serie ska ha ett värde per '
                                f"kategori ({len(names)} st)")
        return chart_figure(renderer, Chart(id=id, typ=typ, titel=titel, kategorier=names,
                                            serier=series, kalla=kalla, enhet=enhet,
                                            decimaler=decimaler), bredd)

    return {"diagram": diagram, "diagram_av": diagram_av}


def report_globals(report: Report, renderer: ChartRenderer) -> dict[str, Callable[..., Any]]:
    """The template functions that show declared tables, cards, goal tables and charts of a
    table's rows; each shows what :mod:`vbgen.derive` computed, as
    :mod:`vbgen.compose.tabellvy` lays a table out."""

    def table(shown: str | TableOptions) -> tabellvy.TableView:
        if isinstance(shown, str):
            return tabellvy.view(_declared(shown), None, kalla_plats(report, "tabeller", shown))
        return tabellvy.view(_declared(shown.tabell), shown,
                             kalla_plats(report, "tabeller", shown.tabell))

    def _declared(table_id: str) -> DataTable:
        found = report.tabelldata.get(table_id)
        if found is None:
            known = ", ".join(sorted(report.tabelldata)) or "inga"
            raise TemplateError(f'tabellen "{table_id}" finns inte under tabeller i vb.yaml; '
                                f"kända tabeller: {known}")
        return found

    def cards(opts: CardsOptions) -> list[tabellvy.Card]:
        return tabellvy.cards(_declared(opts.tabell), opts.titel, opts.falt)

    def goal_rows(levels: list[int], per_indikator: bool = False) -> list[GoalRow]:
        return goals.goal_rows(report, levels, per_indikator)

    def indicator_table(goal: Goal) -> goals.IndicatorTable:
        return goals.indicator_table(report, goal)

    def table_chart(opts: TableChart, bredd: float = 16) -> Markup:
        chart = goals.table_chart(_declared(opts.tabell), opts)
        return chart_figure(renderer, chart, bredd, kalla_plats(report, "tabeller", opts.tabell))

    def indicator_cell(ind: Indicator, column: int | str) -> Markup:
        """One cell of an indicator table: the value of a year, "etappmål" or "målvärde"."""
        value: float | str | Unavailable | None
        if column == tabellvy.ETAPPMAL:
            value, sign = ind.etappmal, ind.jamforelse
            needed = ind.etappmal_foregaende is not None
        elif column == tabellvy.MALVARDE:
            value, sign, needed = ind.malvarde, ind.malvarde_jamforelse, False
        else:
            value, sign = ind.values.get(int(column)), ""
            needed = int(column) == report.ar
        if isinstance(value, Unavailable) or (value is None and needed):
            return gap_mark(tabellvy.indicator_gap(ind, column, report.ar))
        if value is None:
            return Markup(fmt.MISSING)
        if isinstance(value, str):
            return Markup("{}").format(value)
        return Markup("{}").format((sign + fmt.NBSP if sign else "")
                                   + tabellvy.indicator_number(ind, value))

    def figure(mark: str) -> Markup:
        text = mark.strip()
        return Markup(citation_xml(report)(text if text.startswith("[") else f"[tal: {text}]"))

    return {"tabell": table, "kort": cards, "malrader": goal_rows,
            "indikatortabell_vy": indicator_table, "diagram_ur_tabell": table_chart,
            "indikatorcell": indicator_cell, "tal": figure,
            "indikatorkallor_luckor": lambda vy: [tabellvy.indicator_source_gap(i)
                                                  for i in vy.unsourced]}


#: The section templates vbgen once had, which a main file of the old form may name.
RETIRED_TEMPLATES = {f"avsnitt/{name}.j2" for name in (
    "sammanfattning", "ekonomi", "personal", "intern_kontroll", "uppfoljning",
    "bilaga_volymer")}


def render(template: str, context: dict[str, Any], user_templates: Path | None = None) -> str:
    """Render ``template`` to the XML vocabulary, with editor-friendly errors."""
    env = environment(user_templates)
    dirs = [d.resolve() for d in ([user_templates] if user_templates else []) + template_dirs()]
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.name or template}, rad {exc.lineno}: mallen har ett "
                            f"syntaxfel ({exc.message})") from None
    except jinja2.TemplateNotFound as exc:
        where = _template_location(exc, dirs)
        old = f"; {FIXED_FORM}" if exc.name in RETIRED_TEMPLATES else ""
        raise TemplateError(f"{where + ': ' if where else ''}mallen \"{exc.name}\" finns "
                            f"inte{old}") from None
    except jinja2.UndefinedError as exc:
        where = _template_location(exc, dirs) or template
        raise TemplateError(f"{where}: mallen använder något som inte finns i data "
                            f"({exc.message})") from None
    except TemplateError as exc:
        where = _template_location(exc, dirs)
        if where and not exc.located:
            raise TemplateError(f"{where}: {exc}", located=True) from None
        raise
    except SecurityError as exc:
        where = _template_location(exc, dirs) or template
        name = re.search(r"attribute '([^']*)'", str(exc))
        what = f"attributet {name.group(1)}" if name else "något"
        raise TemplateError(f"{where}: mallen försöker nå {what}, som mallar inte får använda "
                            "(mallarna körs i en skyddad miljö; se docs/redaktorer.md)") from None
    except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError,
            RecursionError) as exc:
        where = _template_location(exc, dirs) or template
        raise TemplateError(f"{where}: mallen kan inte köras ({exc.__class__.__name__}: "
                            f"{exc})") from None


def locator(user_templates: Path | None = None) -> Callable[[str, str], int | None]:
    """A function giving the first line of a template that contains some text."""
    env = environment(user_templates)

    def line_of(template: str, needle: str) -> int | None:
        try:
            source = env.loader.get_source(env, template)[0]  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            return None
        for number, line in enumerate(source.splitlines(), start=1):
            if needle in line:
                return number
        return None

    return line_of


# --- XML vocabulary -> document model -----------------------------------------------------


def _norm(text: str | None) -> str:
    return _SPACE.sub(" ", text or "")


#: An example value as a rendered template carries it: where to replace it, and the value.
_EXAMPLE = re.compile(f"{EXAMPLE_START}([^{EXAMPLE_VALUE}]*){EXAMPLE_VALUE}"
                      f"([^{EXAMPLE_END}]*){EXAMPLE_END}")


def _example(m: re.Match[str]) -> doc.Gap:
    return doc.Gap(f'"{m.group(2)}", ett exempel att byta ut', m.group(1), doc.EXAMPLE,
                   visas=m.group(2))


def _texts(text: str) -> list[doc.Inline]:
    """Template output as inlines: text, and the example values in it as gaps."""
    out: list[doc.Inline] = []
    pos = 0
    for m in _EXAMPLE.finditer(text):
        out += [doc.Text(_norm(text[pos:m.start()])), _example(m)]
        pos = m.end()
    out.append(doc.Text(_norm(text[pos:])))
    return [i for i in out if not isinstance(i, doc.Text) or i.text]


def _plain_examples(root: ET.Element) -> list[doc.Gap]:
    """Replace the example values in attributes, captions and title lines (which hold plain
    text) by their text; returns them as gaps."""
    found: list[doc.Gap] = []

    def shown(m: re.Match[str]) -> str:
        found.append(_example(m))
        return m.group(2)

    def plain(text: str) -> str:
        return _EXAMPLE.sub(shown, text)

    for el in root.iter():
        for key, value in el.attrib.items():
            if EXAMPLE_START in value:
                el.set(key, plain(value))
        if el.tag in ("caption", "rad") and el.text and EXAMPLE_START in el.text:
            el.text = plain(el.text)
    return found


def _inlines(el: ET.Element) -> list[doc.Inline]:
    out: list[doc.Inline] = []
    if el.text:
        out.extend(_texts(el.text))
    for child in el:
        tag = child.tag
        if tag in ("b", "strong"):
            out.append(doc.Strong(_inlines(child)))
        elif tag in ("i", "em"):
            out.append(doc.Emph(_inlines(child)))
        elif tag == "fn":
            out.append(doc.Footnote(_strip(_inlines(child))))
        elif tag == "span":
            out.append(doc.Span(_inlines(child), role=child.get("class", "")))
        elif tag == "tal":
            out.append(doc.Span(_inlines(child), role="tal", mark=child.get("varde", "")))
        elif tag == "br":
            out.append(doc.LineBreak())
        elif tag == "lucka":
            out.append(doc.Gap(child.get("vad", ""), child.get("plats", ""),
                               child.get("slag", doc.GAP), child.get("kort") == "ja",
                               skal=child.get("skal", "")))
        elif tag == "a":
            href = child.get("href", "")
            inner = _inlines(child)
            out.extend([doc.Link(inner, href)] if LINK.match(href) else inner)
        else:
            raise TemplateError(f"okänd tagg <{tag}> inne i en text", needle=f"<{tag}")
        if child.tail:
            out.extend(_texts(child.tail))
    return out


def _strip(inlines: list[doc.Inline]) -> list[doc.Inline]:
    """Trim whitespace at both ends, as HTML does at block edges."""
    items = [i for i in inlines if not (isinstance(i, doc.Text) and not i.text)]
    if items and isinstance(items[0], doc.Text):
        items[0] = doc.Text(items[0].text.lstrip())
    if items and isinstance(items[-1], doc.Text):
        items[-1] = doc.Text(items[-1].text.rstrip())
    # A footnote mark hugs the word before it.
    for i in range(1, len(items)):
        if isinstance(items[i], doc.Footnote) and isinstance(items[i - 1], doc.Text):
            items[i - 1] = doc.Text(items[i - 1].text.rstrip())  # type: ignore[union-attr]
    return [i for i in items if not (isinstance(i, doc.Text) and not i.text)]


def _cell(el: ET.Element) -> doc.Cell:
    classes = (el.get("class") or "").split()
    align: doc.Align = "right" if "tal" in classes else ("center" if "mitt" in classes else "left")
    return doc.Cell(_strip(_inlines(el)), align=align, colspan=int(el.get("colspan", "1")),
                    rowspan=int(el.get("rowspan", "1")), header=el.tag == "th")


def _rows(section: ET.Element) -> list[doc.Row]:
    rows = []
    for tr in section.findall("tr"):
        role = "summa" if "summa" in (tr.get("class") or "").split() else ""
        rows.append(doc.Row([_cell(c) for c in tr if c.tag in ("td", "th")], role=role))
    return rows


def _table(el: ET.Element) -> doc.Table:
    caption_el = el.find("caption")
    shown = _strip(_inlines(caption_el)) if caption_el is not None else []
    caption = doc.plain([i for i in shown if not isinstance(i, doc.Footnote)]).strip() \
        or (el.get("namn") or "").strip()
    thead, tbody = el.find("thead"), el.find("tbody")
    head = _rows(thead) if thead is not None else []
    body = _rows(tbody) if tbody is not None else []
    notes_el = el.find("notes")
    notes = ([doc.Paragraph(_strip(_inlines(p)), role="not") for p in notes_el.findall("p")]
             if notes_el is not None else [])
    widths = [float(w) for w in (el.get("bredder") or "").split()]
    if not caption:
        raise TemplateError('varje <table> behöver en <caption> (tabellens rubrik) eller, '
                            'när den visas utan rubrik, ett namn: <table namn="…">',
                            needle="<table")
    # A caption of plain text is the name as it stands; anything more is kept as shown.
    plain = len(shown) == 1 and isinstance(shown[0], doc.Text)
    return doc.Table(caption, head, body, notes, widths, role=el.get("class") or "",
                     shown_caption=None if plain else shown)


#: The processing instruction the outline writes before each block: ``<?mall block/x.j2?>``.
SOURCE_MARK = "mall"


class _Source:
    """Which template the elements being parsed came from, for error messages."""

    def __init__(self, main: str, locate: Callable[[str, str], int | None] | None) -> None:
        self.template, self.locate = main, locate
        #: The data texts met so far, by name.
        self.texts: dict[str, doc.TextSource] = {}

    def fail(self, exc: TemplateError) -> TemplateError:
        if exc.located:
            return exc
        line = self.locate(self.template, exc.needle) if self.locate and exc.needle else None
        where = self.template + (f", rad {line}" if line else "")
        return TemplateError(f"{where}: {exc}", located=True)


def _blocks(parent: ET.Element, source: _Source | None = None) -> list[doc.Block]:
    blocks: list[doc.Block] = []
    for el in parent:
        if el.tag is ET.ProcessingInstruction:
            target, _, name = (el.text or "").partition(" ")
            if target == SOURCE_MARK and source is not None:
                source.template = name.strip()
            continue
        try:
            blocks.extend(_block(el, source))
        except TemplateError as exc:
            raise source.fail(exc) if source is not None else exc from None
    return blocks


def _list_item(li: ET.Element) -> list[doc.Block]:
    if any(c.tag in ("p", "ul", "ol") for c in li):
        items: list[doc.Block] = []
        if li.text and li.text.strip():
            items.append(doc.Paragraph(_strip(_texts(li.text))))
        for c in li:
            items.extend(_block(c))
        return items
    return [doc.Paragraph(_strip(_inlines(li)))]


def _block(el: ET.Element, source: _Source | None = None) -> list[doc.Block]:
    tag = el.tag
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return [doc.Heading(int(tag[1]), _strip(_inlines(el)), id=el.get("id", ""),
                            toc=el.get("toc") != "nej")]
    if tag == "p":
        inl = _strip(_inlines(el))
        return [doc.Paragraph(inl, role=el.get("class") or "")] if inl else []
    if tag in ("ul", "ol"):
        return [doc.ListBlock([_list_item(li) for li in el.findall("li")], ordered=tag == "ol")]
    if tag == "table":
        return [_table(el)]
    if tag == "figure":
        cap = el.find("figcaption")
        return [doc.Figure(el.get("src", ""), el.get("alt", ""),
                           _strip(_inlines(cap)) if cap is not None else [],
                           float(el.get("bredd", "16")), vector=el.get("vektor", ""))]
    if tag == "sidbrytning":
        return [doc.PageBreak()]
    if tag == "innehall":
        return [doc.TableOfContents(el.get("titel", "Innehållsförteckning"),
                                    int(el.get("djup", "2")))]
    if tag == "titelsida":
        return [doc.TitlePage(el.get("titel", ""),
                              [_norm(r.text).strip() for r in el.findall("rad")],
                              el.get("logotyp") or None, el.get("alt", ""),
                              el.get("utkast", ""))]
    if tag in ("avsnitt", "div"):
        return _blocks(el, source)
    if tag == "text":
        return _text(el, source)
    if tag == "markering":
        blocks = _blocks(el, source)
        for b in blocks:
            if isinstance(b, doc.Table | doc.Figure):
                b.mark = el.get("varde", "")
        return blocks
    raise TemplateError(f"okänd tagg <{tag}>; se docs/redaktorer.md för de taggar som finns",
                        needle=f"<{tag}")


def _text(el: ET.Element, source: _Source | None) -> list[doc.Block]:
    """A text of the data: its blocks carry its name, kept for the Word draft."""
    name = el.get("namn", "")
    blocks = _blocks(el, source)
    for b in blocks:
        if isinstance(b, doc.Paragraph | doc.Heading | doc.ListBlock | doc.Table | doc.Figure
                      ) and not b.source:
            b.source = name
    if source is not None and name and blocks:
        source.texts[name] = doc.TextSource(el.get("titel", name), int(el.get("niva", "4")),
                                            el.get("kontroll", ""))
    return blocks


def _assign_ids(blocks: list[doc.Block]) -> None:
    seen: dict[str, int] = {}
    for b in blocks:
        if isinstance(b, doc.Heading) and not b.id:
            base = re.sub(r"[^a-z0-9åäö]+", "-", doc.plain(b.children).lower()).strip("-")
            base = base or "rubrik"
            seen[base] = seen.get(base, 0) + 1
            b.id = base if seen[base] == 1 else f"{base}-{seen[base]}"


def parse(xml: str, main: str = "", locate: Callable[[str, str], int | None] | None = None
          ) -> doc.Document:
    """Parse rendered template output into a :class:`~vbgen.model.doc.Document`.

    ``main`` names the main template and ``locate`` finds a template's line, so that an
    error names the template and line it came from rather than a line of the output.
    """
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_pis=True))
    try:
        parser.feed(xml)
        root = parser.close()
    except ET.ParseError as exc:
        line, column = exc.position
        lines = xml.splitlines()
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        # The template of the block where the error is, and its output on that line: blocks
        # of other templates may stand before and after it on the same line.
        mark = re.compile(rf"<\?{SOURCE_MARK} ([^?]+)\?>")
        starts = [0, *(m.end() for m in mark.finditer(text, 0, column))]
        end = next((m.start() for m in mark.finditer(text, column)), len(text))
        snippet = text[starts[-1]:end].strip()
        marks = mark.findall("\n".join([*lines[:line - 1], text[:column]]))
        template = marks[-1].strip() if marks else main
        found = locate(template, snippet[:40]) if locate and snippet else None
        where = (f"{template}, rad {found}" if found else template) if template else ""
        raise TemplateError(f"{where + ': ' if where else ''}mallens resultat är inte giltig "
                            f"struktur ({exc}): {snippet[:120]}", located=True) from None
    if root.tag != "dokument":
        raise TemplateError(f"{main + ': ' if main else ''}huvudmallen ska börja med "
                            "<dokument>", located=True)
    source = _Source(main, locate)
    outside = _plain_examples(root)
    blocks = _blocks(root, source)
    _assign_ids(blocks)
    return doc.Document(title=root.get("titel", ""), blocks=blocks,
                        author=root.get("forfattare", ""), subject=root.get("amne", ""),
                        header=root.get("sidhuvud", ""), typ=root.get("typ", ""),
                        sources=source.texts, gaps=outside)
