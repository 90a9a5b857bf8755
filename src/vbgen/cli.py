"""The ``vbgen`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .build import DOCUMENTS, FORMATS, Options, OverwriteError, build, lacking_data
from .derive import assessment_notes, derive
from .errors import DataError, StyleError, TemplateError
from .load import load
from .schema import json_schema


def _formats(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    items = tuple(v.strip().lower() for v in value.split(",") if v.strip())
    unknown = [v for v in items if v not in FORMATS]
    if unknown or not items:
        raise click.BadParameter(
            f"okänt format {', '.join(unknown) or '(tomt)'}; välj bland {', '.join(FORMATS)}")
    return items


def _documents(_ctx: click.Context, _param: click.Parameter, value: str | None
               ) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = tuple(v.strip().lower() for v in value.split(",") if v.strip())
    unknown = [v for v in items if v not in DOCUMENTS]
    if unknown or not items:
        raise click.BadParameter(
            f"okänt dokument {', '.join(unknown) or '(tomt)'}; välj bland "
            f"{', '.join(DOCUMENTS)}")
    return items


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vbgen", message="%(prog)s %(version)s")
def main() -> None:
    """Bygg en nämnds verksamhetsberättelse som Word och PDF från en datamapp."""


@main.command("build")
@click.argument("mapp", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "formats", default=",".join(FORMATS), callback=_formats,
              show_default=True, help="Format att bygga, kommaseparerade.")
@click.option("--ut", "--out", "out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True, help="Mapp för de färdiga filerna.")
@click.option("--mallar", "templates", type=click.Path(file_okay=False, exists=True,
              path_type=Path), help="Egen mallmapp; mallar där ersätter de inbyggda.")
@click.option("--stilar", "styles", type=click.Path(file_okay=False, exists=True,
              path_type=Path), help="Egen stilmapp med rapport.css och referens.docx.")
@click.option("--skriv-over", "force", is_flag=True,
              help="Skriv över filer som har ändrats sedan vbgen skrev dem.")
@click.option("--dokument", "documents", callback=_documents, metavar="NAMN[,NAMN]",
              help="Dokument att bygga, kommaseparerade: "
                   f"{', '.join(DOCUMENTS)}. Standard: alla som data räcker till.")
def build_command(mapp: Path, formats: tuple[str, ...], out: Path, templates: Path | None,
                  styles: Path | None, force: bool, documents: tuple[str, ...] | None) -> None:
    """Bygg dokumenten för datamappen MAPP."""
    notes: list[str] = []
    try:
        written = build(mapp, Options(out, formats, templates, styles, force, documents),
                        notes)
    except DataError as exc:
        _fail(str(exc))
    except TemplateError as exc:
        _fail(f"Fel i mallarna: {exc}")
    except StyleError as exc:
        _fail(f"Fel i stilarna: {exc}")
    except OverwriteError as exc:
        _fail(str(exc))
    for path in written:
        click.echo(f"Skrev {path} ({path.stat().st_size // 1024} kB)")
    for note in notes:
        click.echo(note)


@main.command("validate")
@click.argument("mapp", type=click.Path(file_okay=False, path_type=Path))
def validate_command(mapp: Path) -> None:
    """Kontrollera datamappen MAPP utan att skriva något."""
    try:
        report = load(mapp)
    except DataError as exc:
        _fail(str(exc))
    goals = len(report.assessed_goals())
    level = report.level_name(report.assessed_level)
    indicators = sum(len(g.indikatorer) for g in report.all_goals())
    click.echo(f"{mapp}: inga fel. {report.namnd} {report.ar}: {goals} "
               f"{level.i_text if goals == 1 else level.plural_form}, {indicators} indikatorer.")
    for note in assessment_notes(report, derive(report)):
        click.echo(note)
    for name in lacking_data(report, list(DOCUMENTS)):
        click.echo(f"{DOCUMENTS[name].label.capitalize()} kan inte byggas: vb.yaml saknar "
                   f"fältet {DOCUMENTS[name].needs} (se docs/dataformat.md).")


@main.command("preview")
@click.argument("mapp", type=click.Path(file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port på 127.0.0.1; 0 väljer en ledig.")
@click.option("--mallar", "templates", type=click.Path(file_okay=False, exists=True,
              path_type=Path), help="Egen mallmapp; mallar där ersätter de inbyggda.")
@click.option("--stilar", "styles", type=click.Path(file_okay=False, exists=True,
              path_type=Path), help="Egen stilmapp med rapport.css.")
def preview_command(mapp: Path, port: int, templates: Path | None,
                    styles: Path | None) -> None:
    """Visa rapporten i webbläsaren och uppdatera den när du sparar en fil i MAPP."""
    from .preview import PreviewError, run

    try:
        run(mapp, port, templates, styles, click.echo)
    except PreviewError as exc:
        _fail(str(exc))


@main.command("schema")
@click.option("--kommun", "profile", is_flag=True,
              help="Schemat för en kommunprofils kommun.yaml i stället för vb.yaml.")
def schema_command(profile: bool) -> None:
    """Skriv JSON Schema för vb.yaml, så att en editor kan komplettera och kontrollera filen.

    Spara det med till exempel: vbgen schema > vb.schema.json
    """
    click.echo(json.dumps(json_schema(profile), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
