"""The data format as a JSON Schema and as the reference part of ``docs/dataformat.md``.

Both are made from the models in :mod:`vbgen.model.report`, where each field is declared once with
its description, so the schema an editor such as VS Code checks ``vb.yaml`` against, the
reference a förvaltning reads and the loader cannot disagree.
"""

from __future__ import annotations

from typing import Any

from ..model.report import PLAIN_BLOCKS, Meta

#: Fields a main file must have even when it points to a kommun profile.
ALWAYS_REQUIRED = ("namnd", "ar")

_FILE_REF = {"type": "object", "properties": {"fil": {"type": "string"}},
             "required": ["fil"], "additionalProperties": False,
             "description": "Texten i en fil i datamappen: {fil: text/x.md}."}
_SHARED_REF = {"type": "object", "properties": {"kommun": {"type": "string"}},
               "required": ["kommun"], "additionalProperties": False,
               "description": "En gemensam text under texter: {kommun: vision}."}

_EXAMPLE_REF = {"type": "object", "properties": {"exempel": {"type": "string"}},
                "required": ["exempel"], "additionalProperties": False,
                "description": "Ett exempel att byta ut före den slutliga versionen: "
                               "{exempel: Erik Exempel}."}
_UNAVAILABLE_REF = {"type": "object", "properties": {"saknas": {"type": "string"}},
                    "required": ["saknas"], "additionalProperties": False,
                    "description": "Ett värde som inte finns, med skälet: {saknas: skäl}."}
#: The marks a value of the main file may have instead of the value itself.
_MARKS = ("exempel", "saknas")

#: How each kind of value reads in the reference.
_KINDS = {"markdown": "text (Markdown)", "tal": "tal", "janej": "ja/nej"}

#: Swedish descriptions of the groups of fields, for the schema and the reference.
GROUPS = {
    "Meta": ("vb.yaml", "Huvudfilen. Med profil: kan alla fält utom namnd och ar komma från "
                        "kommunprofilens kommun.yaml, och vb.yaml ersätter det som skiljer."),
    "Level": ("skala", "Ett steg i bedömningsskalan."),
    "GoalLevel": ("malnivaer", "En nivå i målträdet. Skrivs som bara namnet eller som en grupp "
                               "med namn, bestamd och plural, och hur nivåns mål visas."),
    "Goal": ("mal", "Ett mål på vilken nivå som helst, med målen under sig i under."),
    "TableDecl": ("tabeller", "En tabell: filen, rubriken och kolumnerna."),
    "Column": ("kolumner", "En kolumn i en tabell."),
    "Quantity": ("storheter", "En storhet som flera tabeller visar, med samma tal överallt."),
    "Section": ("disposition", "Ett avsnitt: rubrik, text, block och underavsnitt."),
    "Block": ("block", "Ett block: exakt ett av fälten, som anger vad blocket är. Ett block "
                       "utan inställningar skrivs som bara ordet: - malrapport."),
    "TableOptions": ("tabell", "En deklarerad tabell i ett block, med rader och rubrik som "
                               "bara gäller där."),
    "ChangeRow": ("tabell.forandringsrad", "En rad under varje rad med förändringen i procent "
                                           "från kolumn till kolumn."),
    "TableChart": ("diagram (ur en tabell)", "Ett diagram som ritas ur en tabells rader."),
    "CardsOptions": ("kort", "Kort ur en tabell: ett kort per rad."),
    "GoalTableOptions": ("malbedomning", "Vilka målnivåer en måltabell visar."),
    "SourceListOptions": ("kallforteckning", "Vilka målnivåer källförteckningen visar, och "
                                             "om tabellernas källor tas med."),
    "IndicatorTableStyle": ("malnivaer.indikatortabell", "Hur en målnivås "
                                                         "indikatortabeller visas."),
    "GoalReportOptions": ("malrapport", "Vad målrapporten visar under varje mål."),
    "IndicatorTableOptions": ("indikatorer", "Ett måls indikatortabell, var som helst i "
                                             "rapporten."),
    "TocOptions": ("innehall", "Innehållsförteckningen."),
    "GoalTableSources": ("kallor", "Källorna under tabellerna som vbgen gör av målträdet."),
    "DiagramDef": ("diagram", "Ett diagram vars tal står i en egen fil (se Diagram ovan)."),
    "Tjanstskrivelse": ("tjanstskrivelse", "Tjänsteskrivelsen som lägger fram "
                                           "verksamhetsberättelsen (se Tjänsteskrivelse ovan)."),
    "Underskrift": ("tjanstskrivelse.underskrift", "Den som skriver under för förvaltningen."),
    "Resultatoverforing": ("tjanstskrivelse.resultatoverforing",
                           "Hur mycket av årets resultat som förs till eget kapital."),
}


def _walk(node: Any, fix: Any) -> Any:
    if isinstance(node, dict):
        node = fix({k: _walk(v, fix) for k, v in node.items()})
    elif isinstance(node, list):
        node = [_walk(v, fix) for v in node]
    return node


def _user_forms(node: dict[str, Any]) -> dict[str, Any]:
    """Let the schema accept what the loader accepts: files for texts, Swedish numbers."""
    kind = node.pop("x-vbgen", None)
    # What the field says about itself stays with it.
    outer = {k: v for k, v in node.items() if k in ("title", "description", "default")}
    if kind == "markdown":
        return {**outer, "anyOf": [{"type": "string"}, _FILE_REF, _SHARED_REF, _EXAMPLE_REF,
                                   _UNAVAILABLE_REF]}
    if kind == "tal":
        return {**outer, "anyOf": [{"type": node.get("type", "number")}, {"type": "string"},
                                   _UNAVAILABLE_REF]}
    if node.get("type") == "string" and not {"enum", "pattern"} & set(node):
        # A text may be marked as an example, or as not available with the reason.
        return {**outer, "anyOf": [{"type": "string"}, _EXAMPLE_REF, _UNAVAILABLE_REF]}
    if kind == "janej":
        return {**outer, "anyOf": [{"type": "boolean"}, {"enum": ["ja", "nej"]}]}
    return node


def json_schema(profile: bool = False) -> dict[str, Any]:
    """The JSON Schema of ``vb.yaml`` or, with ``profile``, of a profile's ``kommun.yaml``."""
    schema = _walk(Meta.model_json_schema(), _user_forms)
    defs = schema["$defs"]
    for name, group in defs.items():
        # The models' docstrings are for developers; editors see Swedish.
        group.pop("description", None)
        if name in GROUPS:
            group["description"] = GROUPS[name][1]
    shorthand = {"enum": list(PLAIN_BLOCKS)}
    defs["Block"] = {"anyOf": [shorthand, defs["Block"]], "description": GROUPS["Block"][1]}
    defs["Section"] = {"anyOf": [shorthand, defs["Section"]],
                       "description": GROUPS["Section"][1]}
    schema["properties"]["malnivaer"]["items"] = {
        "anyOf": [{"type": "string"}, {"$ref": "#/$defs/GoalLevel"}]}
    schema["description"] = GROUPS["Meta"][1]
    schema["title"] = "kommun.yaml" if profile else "vb.yaml"
    required = schema.pop("required")
    if profile:
        schema["properties"].pop("profil")
    else:
        schema["required"] = [f for f in required if f in ALWAYS_REQUIRED]
        schema["if"] = {"not": {"required": ["profil"]}}
        schema["then"] = {"required": required}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


# --- The reference in docs/dataformat.md ---------------------------------------------------

START = "<!-- referens: genereras av scripts/make_docs.py; ändra i src/vbgen/model/report.py -->"
END = "<!-- slut på referensen -->"


def _type(node: dict[str, Any]) -> str:
    if "$ref" in node:
        return f"grupp ({GROUPS.get(node['$ref'].rsplit('/', 1)[-1], ('?',))[0]})"
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"
                   and not set(o.get("properties", {})) & set(_MARKS)]
        if len(options) == 1:
            return _type(options[0])
        if options and options[0].get("type") == "string" and any(
                o.get("properties", {}).get("fil") for o in options):
            return _KINDS["markdown"]
        if any(o.get("enum") == ["ja", "nej"] for o in options):
            return _KINDS["janej"]
        if len(options) == 2 and {o.get("type") for o in options} >= {"string"} and \
                options[0].get("type") in ("number", "integer"):
            return "heltal" if options[0]["type"] == "integer" else "tal"
        return " eller ".join(dict.fromkeys(_type(o) for o in options))
    kind = node.get("type")
    if kind == "array":
        return f"lista av {_type(node.get('items', {}))}"
    if kind == "object":
        return "grupp av fält"
    if node.get("enum"):
        return " / ".join(str(e) for e in node["enum"])
    return {"string": "text", "integer": "heltal", "number": "tal", "boolean": "ja/nej"}.get(
        str(kind), "värde")


def _table(group: dict[str, Any], required: list[str]) -> list[str]:
    lines = ["| fält | krävs | typ | beskrivning |", "|---|---|---|---|"]
    for name, node in group.get("properties", {}).items():
        description = node.get("description", "").replace("|", "\\|")
        lines.append(f"| `{name}` | {'ja' if name in required else 'nej'} | {_type(node)} "
                     f"| {description} |")
    return lines


def reference_markdown() -> str:
    """The generated reference: one table of fields per group, from the schema."""
    schema = json_schema()
    defs = schema["$defs"]
    out = [START, "", "### Huvudfilen `vb.yaml`", "", GROUPS["Meta"][1], "",
           *_table(schema, schema["then"]["required"])]
    for name, (title, text) in GROUPS.items():
        if name == "Meta":
            continue
        group = defs[name]
        body = next((o for o in group.get("anyOf", []) if "properties" in o), group)
        out += ["", f"### `{title}`", "", text, "", *_table(body, body.get("required", []))]
    return "\n".join([*out, "", END])


def replace_reference(text: str) -> str:
    """``text`` (docs/dataformat.md) with its reference part generated anew."""
    start, end = text.index(START), text.index(END) + len(END)
    return text[:start] + reference_markdown() + text[end:]

