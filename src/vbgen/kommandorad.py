"""The command line's frame in Swedish: click's own messages, the help's layout, the
commands' English names kept as aliases, and each command's examples.

click asks ``gettext`` for every message of its own ("Usage:", "Missing argument", "Did you
mean …?") through the names ``_`` and ``ngettext`` in its modules. :func:`install` points
those names at a Swedish catalogue (:class:`Svenska`), so the frame is Swedish whatever the
user's locale; a test reads click's source and checks that the catalogue has every
message. The help shows each command's whole summary (click would cut it with "..."), the
English names it also answers to, and its examples.
"""

from __future__ import annotations

import difflib
import gettext
import importlib
import inspect
from collections.abc import Sequence
from typing import Any

import click

#: click's messages in Swedish, by click's own text (its gettext message id).
MESSAGES = {
    "Aborted!": "Avbrutet.",
    "deprecated": "föråldrad",
    "required": "krävs",
    "Missing command.": "Ett kommando saknas.",
    "Options": "Flaggor",
    "Positional arguments": "Argument",
    "Commands": "Kommandon",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "Varning: kommandot {name!r} är föråldrat.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "Varning: {name!r} är föråldrad.{extra_message}",
    "Value must be an iterable.": "Värdet ska vara en följd av värden.",
    "Could not determine name for option with declarations {decls!r}":
        "Kan inte avgöra namnet på flaggan {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument "
    "instead? Did you mean to pass '--{name}'?":
        "Ingen flagga angiven, bara ett namn ({name}): ett argument, eller '--{name}'?",
    "env var: {var}": "miljövariabel: {var}",
    "default: {default}": "standard: {default}",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.":
        "Ett argument har ett enda namn, fick {length}: {decls}.",
    "(dynamic)": "(räknas fram)",
    "Name '{name}' defined twice": "Namnet '{name}' finns två gånger",
    "Boolean option {decl!r} cannot use the same flag for true/false.":
        "Flaggan {decl!r} kan inte ha samma namn för ja och nej.",
    "Do you want to continue?": "Vill du fortsätta?",
    "Confirm the action without prompting.": "Bekräfta utan att fråga.",
    "%(prog)s, version %(version)s": "%(prog)s %(version)s",
    "Show the version and exit.": "Visa vbgens version och avsluta.",
    "Show this message and exit.": "Visa den här hjälpen och avsluta.",
    "Missing argument": "Argument saknas:",
    "Missing option": "Flagga saknas:",
    "Missing parameter": "Värde saknas:",
    "Missing {param_type}": "Värde saknas:",
    "Missing parameter: {param_name}": "Värde saknas: {param_name}",
    "unknown error": "okänt fel",
    "Invalid value for {param_hint}: {message}": "Ogiltigt värde för {param_hint}: {message}",
    "Invalid value: {message}": "Ogiltigt värde: {message}",
    "Could not open file {filename!r}: {message}":
        "Kan inte öppna filen {filename!r}: {message}",
    "Error: {message}": "Fel: {message}",
    "Try '{command} {option}' for help.": "Skriv '{command} {option}' för hjälp.",
    "No such option {name!r}.": "Flaggan {name!r} finns inte.",
    "No such command {name!r}.": "Kommandot {name!r} finns inte.",
    "Usage:": "Användning:",
    "Invalid start character for option ({option})":
        "En flagga kan inte börja så ({option})",
    "Option {name!r} does not take a value.": "Flaggan {name!r} tar inget värde.",
    "Argument {name!r} takes {nargs} values.": "Argumentet {name!r} tar {nargs} värden.",
    "Couldn't detect Bash version, shell completion is not supported.":
        "Kan inte avgöra Bashs version; komplettering i skalet fungerar inte.",
    "Shell completion is not supported for Bash versions older than 4.4.":
        "Komplettering i skalet kräver Bash 4.4 eller senare.",
    "Press any key to continue...": "Tryck på en tangent för att fortsätta.",
    "Repeat for confirmation": "Skriv igen för att bekräfta",
    "Error: The two entered values do not match.": "Fel: de två svaren är inte lika.",
    "Error: invalid input": "Fel: ogiltigt svar",
    "Unknown color {colour!r}": "Okänd färg {colour!r}",
    "file": "filen",
    "directory": "mappen",
    "path": "sökvägen",
    "Choose from:\n\t{choices}": "Välj bland:\n\t{choices}",
    "Choice({choices})": "Val({choices})",
    # vbgen's number options all take whole numbers.
    "{value!r} is not a valid {number_type}.": "{value!r} är inget heltal.",
    "{value} is not in the range {range}.": "{value} ligger utanför {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} är varken ja eller nej. Skriv något av: {states}",
    "{value!r} is not a valid UUID.": "{value!r} är ingen UUID.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} finns inte.",
    "{name} {filename!r} is a file.": "{name} {filename!r} är en fil.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} är en mapp.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} går inte att läsa.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} går inte att skriva i.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} går inte att köra.",
    "Unknown standard stream '{name}'": "Okänd standardström '{name}'",
    "{editor}: Editing failed": "{editor}: redigeringen misslyckades",
    "{editor}: Editing failed: {e}": "{editor}: redigeringen misslyckades: {e}",
    "Windows error: {error}": "Fel i Windows: {error}",
    "d": "d",
}

#: click's messages that have a plural, by the singular's text: the Swedish singular and
#: plural.
PLURALS = {
    "Got unexpected extra argument ({args})":
        ("Ett argument för mycket ({args})", "Argument för mycket ({args})"),
    "Takes {nargs} values but 1 was given.":
        ("Tar {nargs} värden men fick 1.", "Tar {nargs} värden men fick {len}."),
    "Did you mean {possibility}?":
        ("Menade du {possibility}?", "(Menade du någon av {possibilities}?)"),
    "Option {name!r} requires an argument.":
        ("Flaggan {name!r} behöver ett värde.", "Flaggan {name!r} behöver {nargs} värden."),
    "{value!r} is not {choice}.":
        ("{value!r} är inte {choice}.", "{value!r} är inte något av {choices}."),
    "{value!r} does not match the format {format}.":
        ("{value!r} har inte formen {format}.", "{value!r} har ingen av formerna {formats}."),
    "{len_type} values are required, but {len_value} was given.":
        ("{len_type} värden krävs, men fick {len_value}.",
         "{len_type} värden krävs, men fick {len_value}."),
}


class Svenska(gettext.NullTranslations):
    """click's messages in Swedish; a message not in the catalogue stays as click has it."""

    def gettext(self, message: str) -> str:
        return MESSAGES.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        if msgid1 in PLURALS:
            one, more = PLURALS[msgid1]
            return one if n == 1 else more
        return msgid1 if n == 1 else msgid2


#: click's modules that ask gettext for their messages.
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types",
                 "termui", "utils", "shell_completion", "_termui_impl")


def install() -> None:
    """Make click speak Swedish: its modules' ``_`` and ``ngettext`` ask the catalogue.

    Called before the commands are declared, since click asks for some texts (the help of
    ``--help``, the name of a path's kind) when an option is made.
    """
    catalogue = Svenska()
    for name in CLICK_MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # a module another version of click does not have
            continue
        if hasattr(module, "_"):
            module._ = catalogue.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = catalogue.ngettext  # type: ignore[attr-defined]


# --- Commands --------------------------------------------------------------------------------

#: The help option's names, Swedish first.
HELP_NAMES = ["-h", "--hjalp", "--help"]


def first_paragraph(text: str) -> str:
    """The first paragraph of a help text, as one line."""
    return " ".join(inspect.cleandoc(text).split("\n\n")[0].split())


def write_examples(formatter: click.HelpFormatter, examples: Sequence[tuple[str, str]]) -> None:
    """The section "Exempel": each command line, and under it what it does."""
    if examples:
        with formatter.section("Exempel"):
            for line, what in examples:
                formatter.write_text(line)
                with formatter.indentation(), formatter.indentation():
                    formatter.write_text(what)


class Command(click.Command):
    """A command with its whole summary in the list of commands, the English names it also
    answers to, and examples at the end of its help.

    ``examples`` are pairs of a command line and what it does.
    """

    def __init__(self, *args: Any, aliases: Sequence[str] = (),
                 examples: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[FLAGGOR]")
        super().__init__(*args, **kwargs)
        self.aliases = tuple(aliases)
        self.examples = tuple(examples)

    def get_short_help_str(self, limit: int = 45) -> str:
        # The whole summary, never cut: the list of commands wraps it instead.
        return first_paragraph(self.short_help or self.help or "")

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        if self.aliases:
            formatter.write_paragraph()
            with formatter.indentation():
                also = " och ".join(f"vbgen {a}" for a in self.aliases)
                formatter.write_text(f"Kommandot kan också skrivas {also}.")

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        write_examples(formatter, self.examples)
        super().format_epilog(ctx, formatter)


class Group(click.Group):
    """vbgen's commands in the order of the year's work (``order``), each also by its
    English name, and a suggestion for a misspelt one."""

    command_class = Command

    def __init__(self, *args: Any, order: Sequence[str] = (),
                 examples: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[FLAGGOR]")
        kwargs.setdefault("subcommand_metavar", "KOMMANDO [ARGUMENT …]")
        super().__init__(*args, **kwargs)
        self.order = tuple(order)
        self.examples = tuple(examples)
        #: The other names of commands, each to its command's name.
        self.aliases: dict[str, str] = {}

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        super().add_command(cmd, name)
        for alias in getattr(cmd, "aliases", ()):
            self.aliases[alias] = name or str(cmd.name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        rank = {name: i for i, name in enumerate(self.order)}
        return sorted(self.commands, key=lambda name: (rank.get(name, len(rank)), name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, self.aliases.get(cmd_name, cmd_name))

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        if (self.get_command(ctx, name) is None and not name.startswith("-")
                and not ctx.resilient_parsing):
            close = difflib.get_close_matches(name, [*self.commands, *self.aliases])
            hint = f" Menade du {close[0]!r}?" if close else ""
            ctx.fail(f"Kommandot {name!r} finns inte.{hint} Kommandona är "
                     f"{', '.join(self.list_commands(ctx))}.")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_commands(ctx, formatter)
        if self.aliases:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(
                    "De engelska namnen " + ", ".join(sorted(self.aliases))
                    + " fungerar också, så att äldre skript går som förut.")

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        write_examples(formatter, self.examples)
        super().format_epilog(ctx, formatter)
