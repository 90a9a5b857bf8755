"""The ``vbgen`` command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .build import DOCUMENTS, FORMATS, Options, OverwriteError, build, lacking_data
from .errors import DataError, StyleError, TemplateError


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
    from .load import load

    try:
        report = load(mapp)
    except DataError as exc:
        _fail(str(exc))
    goals = len(report.all_namndmal())
    indicators = sum(len(nm.indikatorer) for nm in report.all_namndmal())
    click.echo(f"{mapp}: inga fel. {report.namnd} {report.ar}: {goals} nämndmål, "
               f"{indicators} indikatorer.")
    for name in lacking_data(report, list(DOCUMENTS)):
        click.echo(f"{DOCUMENTS[name].label.capitalize()} kan inte byggas: vb.yaml saknar "
                   f"fältet {DOCUMENTS[name].needs} (se docs/dataformat.md).")


if __name__ == "__main__":
    main()
