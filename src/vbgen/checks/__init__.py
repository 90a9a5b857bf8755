"""Every check across the data's files, on a report its readers built: the goal tree
against its levels and scale, the outline against the tables, charts and goals it names,
quantities shown in several tables, the tjänsteskrivelse, the size limits and total rows.

Checks read the model and return problems; they never change it.
"""

from __future__ import annotations

import re

from .. import fmt
from ..compose import citat
from ..derive.tables import TOLERANCE_TKR, summed_columns, total_parts
from ..errors import Problem
from ..model.prosa import Path_
from ..model.prosa import dotted as _dotted
from ..model.report import (
    MAIN_FILE,
    TABLE_MARK,
    UNAVAILABLE_MARK,
    UNITS,
    Column,
    Goal,
    Indicator,
    Report,
    Section,
    Uppdrag,
    markdown_fields,
)
from ..model.tables import DataTable, Value
from ..readers.mainfile import Lines, line_for
from ..writers.charts import KINDS, KINDS_LISTED


def check(report: Report, lines: Lines, told: set[str]) -> list[Problem]:
    """Every problem across the files of ``report``; ``told`` are the files whose problems
    were found as they were read, whose total rows are not checked again."""
    problems: list[Problem] = []
    check_derived(report, lines, problems)
    check_tree(report, lines, problems)
    check_tjanstskrivelse(report, lines, problems)
    check_outline(report, lines, problems)
    problems.extend(citat.check(report))
    check_quantities(report, lines, problems)
    check_size(report, problems)
    for i, decl in enumerate(report.tabeller):
        table = report.tabelldata.get(decl.id)
        if table is not None and table.decl is decl:
            check_marks(table, ("tabeller", i, "noter"), lines, problems)
    # A table with unreadable rows would only add misleading sum errors.
    broken = told | {p.file for p in problems}
    for table in report.tabelldata.values():
        problems.extend(p for p in check_table_totals(table) if p.file not in broken)
    return problems


#: The most text (Markdown, in bytes) and table rows one report may have: a report at either
#: limit builds in well under a minute and 1 GB of memory (docs/prestanda.md).
MAX_PROSE_BYTES = 1024 * 1024


MAX_TABLE_ROWS = 2000


def table_rows(report: Report) -> dict[str, int]:
    """The rows the report has from each table file, by the file's name (and sheet); a file
    two declarations read counts once."""
    rows: dict[str, int] = {}
    goal_rows: list[Indicator | Uppdrag] = [*(i for g in report.all_goals() for i in g.indikatorer),
                                            *report.all_uppdrag()]
    for r in goal_rows:
        rows[r.source.file] = rows.get(r.source.file, 0) + 1
    for t in report.tabelldata.values():
        rows[t.decl.fil + (f", blad {t.decl.flik}" if t.decl.flik else "")] = len(t.rows)
    return rows


def check_size(report: Report, problems: list[Problem]) -> None:
    """The report's texts and table rows, each all together, must be within their limits."""
    rows = table_rows(report)
    texts = [(place, len(text.encode("utf-8"))) for place, text in markdown_fields(report)
             if text]
    total = sum(size for _, size in texts)
    if total > MAX_PROSE_BYTES:
        place, size = max(texts, key=lambda t: t[1])
        problems.append(Problem(MAIN_FILE, f"texterna är tillsammans {total // 1024} kB; en "
                                f"rapport kan ha högst {MAX_PROSE_BYTES // 1024} kB text "
                                f"(ungefär 250 sidor). Störst är {report.source_of(place)} "
                                f"({size // 1024} kB)"))
    if sum(rows.values()) > MAX_TABLE_ROWS:
        largest = max(rows, key=lambda name: rows[name])
        problems.append(Problem(largest, f"tabellerna har tillsammans "
                                f"{fmt.number(sum(rows.values()))} rader; en rapport kan ha "
                                f"högst {fmt.number(MAX_TABLE_ROWS)} (den här filen har "
                                f"{fmt.number(rows[largest])}). Dela upp rapporten eller "
                                "sammanfatta raderna"))


def check_derived(report: Report, lines: Lines, problems: list[Problem]) -> None:
    """A derived column computes from columns before it, so that each is computed once,
    from figures already there: a column after it (or itself, or a cycle) is an error."""
    for i, decl in enumerate(report.tabeller):
        ids = [c.id for c in decl.kolumner]
        for j, c in enumerate(decl.kolumner):
            for name in c.sources:
                if name not in ids or ids.index(name) < j:
                    continue
                where: Path_ = ("tabeller", i, "kolumner", j,
                                "berakning" if c.berakning is not None else "sammansatt")
                what = ("sig själv" if name == c.id
                        else f'"{name}", som står efter den i kolumner')
                problems.append(Problem(MAIN_FILE, f'kolumnen "{c.id}" i tabellen '
                                        f'"{decl.id}" räknar med {what}; en beräknad kolumn '
                                        "räknar bara med kolumner före den, så flytta den "
                                        "efter dem", line_for(lines, where), _dotted(where)))




def check_tree(report: Report, lines: Lines, problems: list[Problem]) -> None:
    """Check the goal tree's ids, depth and assessments against its levels and scale."""
    seen: set[str] = set()
    levels = [lv.text for lv in report.skala]
    names = [lv.namn for lv in report.malnivaer]
    if report.bedomningsniva is not None and report.bedomningsniva not in names:
        problems.append(Problem(
            MAIN_FILE, f'okänd nivå "{report.bedomningsniva}"; malnivaer har '
                       + ", ".join(f'"{n}"' for n in names),
            line_for(lines, ("bedomningsniva",)), "bedomningsniva"))

    def visit(goal: Goal, niva: int, where: Path_) -> None:
        if niva > len(names):
            problems.append(Problem(
                MAIN_FILE, f"målträdet har fler nivåer än malnivaer ({len(names)}: "
                           + ", ".join(names) + "); lägg till nivåns namn i malnivaer",
                line_for(lines, where), _dotted(where)))
            return
        if goal.id:
            if goal.id in seen:
                loc = (*where, "id")
                problems.append(Problem(MAIN_FILE, f'id "{goal.id}" används av flera mål',
                                        line_for(lines, loc), _dotted(loc)))
            seen.add(goal.id)
        if goal.maluppfyllelse is not None and goal.maluppfyllelse not in levels:
            options = ", ".join(f'"{t}"' for t in levels)
            loc = (*where, "maluppfyllelse")
            problems.append(Problem(
                MAIN_FILE, f'okänd nivå "{goal.maluppfyllelse}"; skalan har {options}',
                line_for(lines, loc), _dotted(loc)))
        for k, child in enumerate(goal.under):
            visit(child, niva + 1, (*where, "under", k))

    for i, top in enumerate(report.mal):
        visit(top, 1, ("mal", i))


def check_tjanstskrivelse(report: Report, lines: Lines,
                           problems: list[Problem]) -> None:
    """Check the memo's overall assessment against the scale, its transfer against the result."""
    ts = report.tjanstskrivelse
    if ts is None:
        return
    reference = ts.resultatoverforing.resultat
    result: float | None = None
    if reference is None:
        loc: Path_ = ("tjanstskrivelse", "resultatoverforing")
        problems.append(Problem(
            MAIN_FILE, "årets resultat, som beslutet gäller, saknas: ange var en tabell visar "
            'det med resultat, till exempel resultat: "drift | Totalt | avvikelse" (se '
            "docs/dataformat.md#resultatöverföring)",
            line_for(lines, loc), _dotted(loc)))
    elif _table_of(reference) not in _unread(report):
        loc = ("tjanstskrivelse", "resultatoverforing", "resultat")
        try:
            found = citat.amount(report, reference)
        except citat.CitationError as exc:
            problems.append(Problem(MAIN_FILE, str(exc), line_for(lines, loc), _dotted(loc)))
            found = None
        if found is not None and found.kind != "belopp":
            problems.append(Problem(MAIN_FILE, "årets resultat ska vara ett belopp, men "
                                    f'"{reference}" är inget belopp', line_for(lines, loc),
                                    _dotted(loc)))
        result = found.tkr() if found is not None else None
    if ts.resultatoverforing.belopp is not None and result is not None:
        belopp = ts.resultatoverforing.belopp
        if belopp * result < 0 or abs(belopp) > abs(result):
            loc = ("tjanstskrivelse", "resultatoverforing", "belopp")
            problems.append(Problem(
                MAIN_FILE, f"beloppet {fmt.number(belopp)} tkr går inte att föra över: årets "
                f"resultat mot budget är {fmt.number(result)} tkr "
                f'(resultat: "{reference}"), och beloppet ska ha samma tecken och vara högst '
                "så stort",
                line_for(lines, loc), _dotted(loc)))
    levels = [lv.text for lv in report.skala]
    if ts.samlad_bedomning is not None and ts.samlad_bedomning not in levels:
        options = ", ".join(f'"{t}"' for t in levels)
        loc = ("tjanstskrivelse", "samlad_bedomning")
        problems.append(Problem(
            MAIN_FILE, f'okänd nivå "{ts.samlad_bedomning}"; skalan har {options}',
            line_for(lines, loc), _dotted(loc)))


def check_quantities(report: Report, lines: Lines,
                      problems: list[Problem]) -> None:
    """A quantity declared under ``storheter`` is shown with the same figure wherever the
    data shows it: two figures differ when no exact figure could be shown as both."""
    for i, quantity in enumerate(report.storheter):
        shown: list[tuple[str, citat.Amount]] = []
        for j, reference in enumerate(quantity.tal):
            loc: Path_ = ("storheter", i, "tal", j)
            if _table_of(reference) in _unread(report):
                continue  # its file has a problem of its own
            try:
                found = citat.amount(report, reference)
            except citat.CitationError as exc:
                problems.append(Problem(MAIN_FILE, str(exc), line_for(lines, loc),
                                        _dotted(loc)))
                continue
            if found is None:
                continue  # a gap, which the draft lists
            first = shown[0][1] if shown else None
            if first is not None and first.kind != found.kind:
                problems.append(Problem(
                    MAIN_FILE, f'storheten "{quantity.namn}": "{reference}" är '
                    f'{_KINDS[found.kind]} men "{shown[0][0]}" är {_KINDS[first.kind]}; en '
                    "storhet är samma slags tal överallt", line_for(lines, loc), _dotted(loc)))
            elif first is not None and not first.agrees(found):
                problems.append(Problem(
                    MAIN_FILE, f'storheten "{quantity.namn}" visas med olika tal: '
                    f'"{shown[0][0]}" visar {first.text}, men "{reference}" visar '
                    f"{found.text}; rätta siffrorna så att tabellerna visar samma tal",
                    line_for(lines, loc), _dotted(loc)))
            shown.append((reference.strip(), found))


def _table_of(reference: str) -> str:
    """The table a reference such as "drift | Totalt | utfall" names."""
    return reference.strip().removeprefix("[tal:").split("|")[0].strip()


def _unread(report: Report) -> set[str]:
    """The declared tables whose files could not be read; their problems are told."""
    return {t.id for t in report.tabeller} - set(report.tabelldata)


#: How a message names the kind of a quantity's figure.
_KINDS = {"belopp": "ett belopp", "tal": "ett tal som inte är ett belopp"}


def check_marks(table: DataTable, loc: Path_, lines: Lines,
                 problems: list[Problem]) -> None:
    """Every mark after a number (``2 174 *``) needs a note that starts with it, and a value
    not available (``..``) its reason, after the dots or in a note that starts with them."""
    explained = {m.group(0) for n in table.decl.noter if (m := re.match(r"\*+", n))}
    dots = any(n.startswith(UNAVAILABLE_MARK) for n in table.decl.noter)
    for row in table.rows:
        for column_id, value in row.cells.items():
            if value.unavailable and not value.reason and not dots:
                column = table.column(column_id)
                problems.append(Problem(
                    table.decl.fil, f'skriv skälet till att värdet saknas efter "..", till '
                    f'exempel ".. Statistiken publiceras i april", eller i en not som börjar '
                    f'med ".." under noter för tabellen "{table.decl.id}" i vb.yaml',
                    row.source.row if row.source else None,
                    column.kolumn if column else column_id, "kolumn"))
            if value.mark.startswith("*") and value.mark not in explained:
                column = table.column(column_id)
                problems.append(Problem(
                    table.decl.fil, f'markeringen "{value.mark}" har ingen förklaring; lägg '
                    f'till en not som börjar med "{value.mark}" under noter för tabellen '
                    f'"{table.decl.id}" i vb.yaml', row.source.row if row.source else None,
                    column.kolumn if column else column_id, "kolumn"))


#: The texts of a goal, where [tabell: id] and [diagram: id] marks may stand.
GOAL_TEXTS = ("beskrivning", "motivering", "analys", "genomfort_arbete")


#: The deepest heading level: sections nest no deeper (HTML's and the PDF's h1–h6).
MAX_HEADING_LEVEL = 6


def check_outline(report: Report, lines: Lines, problems: list[Problem]) -> None:
    """Every table, chart, column and goal level the outline names must exist, and every
    declared table be shown somewhere."""
    before = len(problems)
    charts = [d.id for d in report.diagram]
    levels = [lv.namn for lv in report.malnivaer]
    goal_ids = [str(g.id) for g in report.all_goals() if g.id]

    def fail(loc: Path_, message: str) -> None:
        problems.append(Problem(MAIN_FILE, message, line_for(lines, loc), _dotted(loc)))

    def table(loc: Path_, table_id: str) -> DataTable | None:
        if table_id in report.tabelldata:
            return report.tabelldata[table_id]
        if table_id not in {t.id for t in report.tabeller}:  # else its file had a problem
            known = ", ".join(t.id for t in report.tabeller) or "inga"
            fail(loc, f'tabellen "{table_id}" finns inte under tabeller; kända tabeller: {known}')
        return None

    def columns(loc: Path_, t: DataTable, names: list[str]) -> None:
        known = [str(c.id) for c in t.decl.kolumner]
        for name in names:
            if name not in known:
                fail(loc, f'kolumnen "{name}" finns inte i tabellen "{t.decl.id}"; kolumnerna '
                          "är " + ", ".join(known))

    def marks(loc: Path_, text: str | None) -> None:
        # A mark's problem is told at its own line, in the text's own file.
        for m in TABLE_MARK.finditer(text or ""):
            kind, ref = m.group(1), m.group(2)
            file, line, place = report.textursprung.locate(loc, m.group(0))
            if kind == "tabell":
                if ref not in {t.id for t in report.tabeller}:
                    known = ", ".join(t.id for t in report.tabeller) or "inga"
                    problems.append(Problem(file, f'tabellen "{ref}" finns inte under tabeller; '
                                                  f"kända tabeller: {known}", line, place))
            elif ref not in charts:
                problems.append(Problem(file, f'diagrammet "{ref}" i texten finns inte under '
                                              f"diagram; kända diagram: "
                                              f"{', '.join(charts) or 'inga'}", line, place))

    def section(s: Section, loc: Path_) -> None:
        depth = 1 + loc.count("avsnitt")
        if depth > MAX_HEADING_LEVEL:
            fail(loc, f"avsnittet ligger på nivå {depth} i dispositionen, men rubrikerna går "
                      f"bara till nivå {MAX_HEADING_LEVEL}; lägg det högre upp")
            return
        marks((*loc, "text"), s.text)
        for j, b in enumerate(s.block):
            where: Path_ = (*loc, "block", j, b.typ)
            value = b.varde
            deepest = depth + len(report.malnivaer) + 1
            if b.typ == "malrapport" and deepest > MAX_HEADING_LEVEL:
                fail(where, f"blocket ger rubriker till nivå {deepest} (en nivå för varje "
                            "målnivå och rubrikerna under varje mål), men rubrikerna går bara "
                            f"till nivå {MAX_HEADING_LEVEL}; lägg blocket i ett avsnitt på "
                            f"nivå {MAX_HEADING_LEVEL - len(report.malnivaer) - 1} eller högre")
            if b.typ == "text":
                marks(where, value)
            elif b.typ == "tabell" and isinstance(value, str):
                table(where, value)
            elif b.typ == "tabell":
                found = table((*where, "tabell"), value.tabell)
                for name in value.rader or []:
                    try:
                        if found is not None:
                            citat.find_row(found, name)
                    except citat.CitationError as exc:
                        fail((*where, "rader"), str(exc))
            elif b.typ == "diagram" and isinstance(value, str):
                if value not in charts:
                    fail(where, f'diagrammet "{value}" finns inte under diagram; kända '
                                f"diagram: {', '.join(charts) or 'inga'}")
            elif b.typ == "diagram":
                if value.typ not in KINDS:
                    fail((*where, "typ"), f'okänd diagramtyp "{value.typ}"; välj {KINDS_LISTED}')
                t = table((*where, "tabell"), value.tabell)
                if t is not None:
                    columns(where, t, [*([value.kategorier] if value.kategorier else []),
                                       *value.serier])
            elif b.typ == "kort":
                t = table((*where, "tabell"), value.tabell)
                if t is not None:
                    columns(where, t, [*([value.titel] if value.titel else []),
                                       *(value.falt or [])])
            elif b.typ == "indikatorer" and value.mal not in goal_ids:
                fail((*where, "mal"), f'okänt mål "{value.mal}"; kända id: '
                                      + (", ".join(goal_ids) or "inga"))
            elif b.typ == "malrapport" and value.mal:
                for name in value.mal:
                    if name not in goal_ids:
                        fail((*where, "mal"), f'okänt mål "{name}"; kända id: '
                                              + (", ".join(goal_ids) or "inga"))
            elif b.typ in ("malbedomning", "kallforteckning") and value.nivaer:
                for name in value.nivaer:
                    if name not in levels:
                        fail((*where, "nivaer"), f'okänd nivå "{name}"; malnivaer har '
                                                 + ", ".join(f'"{n}"' for n in levels))
        for k, sub in enumerate(s.avsnitt):
            section(sub, (*loc, "avsnitt", k))

    for i, s in enumerate(report.disposition):
        section(s, ("disposition", i))

    def goal(g: Goal, loc: Path_) -> None:
        for name in GOAL_TEXTS:
            marks((*loc, name), getattr(g, name))
        for k, sub in enumerate(g.under):
            goal(sub, (*loc, "under", k))

    for i, g in enumerate(report.mal):
        goal(g, ("mal", i))

    # A declared table that nothing shows is a mistake the reader would never see; a
    # template of its own (mall:) may show any table, so then nothing can be told, and a
    # problem above (a misspelt id) is the one to tell.
    if len(problems) > before or any(b.typ == "mall" for s in report.all_sections()
                                     for b in s.block):
        return
    used = {*report.placed_tables(), *citat.cited_tables(report)}
    used |= {b.varde.tabell for s in report.all_sections() for b in s.block
             if b.typ == "diagram" and not isinstance(b.varde, str)}
    for i, decl in enumerate(report.tabeller):
        if decl.id not in used and decl.visas:
            fail(("tabeller", i, "id"),
                 f'tabellen "{decl.id}" är deklarerad men visas inte; placera den med '
                 f"- tabell: {decl.id} eller en rad [tabell: {decl.id}] i en text, hämta tal "
                 f"ur den med [tal: {decl.id} | …] eller ta bort den")


def check_table_totals(table: DataTable) -> list[Problem]:
    """Check each total row of a declared table against the rows it sums."""
    problems: list[Problem] = []
    summed = summed_columns(table)
    for row, parts, what in total_parts(table):
        for c in summed:
            given = row.cells.get(str(c.id))
            values = [v for r in parts if (v := r.cells.get(str(c.id))) is not None
                      and isinstance(v.value, int | float)]
            if given is None or not isinstance(given.value, int | float) or not values:
                continue
            expected = sum(v.value for v in values if isinstance(v.value, int | float))
            if abs(float(given.value) - expected) > _tolerance(table, c):
                # Both figures with as many decimals as the file writes them: 144,2, not 144.
                decimals = max(_written_decimals(v) for v in [given, *values])
                source = row.source
                problems.append(Problem(
                    source.file if source else table.decl.fil,
                    f"summan stämmer inte: raden anger {fmt.number(given.value, decimals)} men "
                    f"{what} blir {fmt.number(expected, decimals)}",
                    source.row if source else None, c.kolumn, "kolumn"))
    return problems


def _written_decimals(value: Value) -> int:
    """How many decimals a cell's number has as its file writes it."""
    _, mark, decimals = value.written.replace(".", ",").rpartition(",")
    return len(decimals.strip()) if mark and decimals.strip().isdigit() else 0


def _tolerance(table: DataTable, column: Column) -> float:
    """How far a total may differ from its rows: rounding, as the column's type allows."""
    if table.decl.tolerans is not None:
        return table.decl.tolerans
    if column.typ == "belopp":
        return TOLERANCE_TKR * UNITS["tkr"] / UNITS[table.decl.enhet]
    if column.typ == "heltal":
        return 0.0
    decimals = column.decimaler if column.decimaler is not None else table.decl.decimaler
    return 10.0 ** -(decimals if decimals is not None else 2) + 1e-9
