"""The JSON Schema and the generated reference follow the models, and both samples fit them."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from vbgen.commands.schema import END, START, replace_reference

from .conftest import ROOT, run_cli

SAMPLES = sorted(p for p in (ROOT / "sample_data").iterdir() if (p / "vb.yaml").is_file())
PROFILES = sorted(p for p in (ROOT / "sample_data").iterdir() if (p / "kommun.yaml").is_file())


class _TextDates(yaml.SafeLoader):
    """Reads dates as text, as an editor checking the file against the schema sees them."""


_TextDates.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _yaml(path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_TextDates)  # noqa: S506


def _schema(*args: str) -> dict:
    result = run_cli("schema", *args)
    assert result.exit_code == 0
    return json.loads(result.output)


@pytest.mark.parametrize("folder", SAMPLES, ids=[p.name for p in SAMPLES])
def test_schema_accepts_each_sample(folder):
    jsonschema.validate(_yaml(folder / "vb.yaml"), _schema())


@pytest.mark.parametrize("folder", PROFILES, ids=[p.name for p in PROFILES])
def test_profile_schema_accepts_each_profile(folder):
    jsonschema.validate(_yaml(folder / "kommun.yaml"), _schema("--kommun"))


def test_schema_finds_what_the_loader_refuses():
    schema = _schema()
    data = _yaml(SAMPLES[0] / "vb.yaml")
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors(data))
    data["disposition"].append({"tabell": "a", "text": "två slag i ett block"})
    data["mal"][0]["maluppfylelse"] = "stavfel"
    del data["namnd"]
    messages = sorted(e.message for e in validator.iter_errors(data))
    assert len(messages) == 3, messages
    assert any("namnd" in m for m in messages)
    assert any("maluppfylelse" in m for m in messages)


def test_a_main_file_without_profile_must_have_what_a_profile_could_give():
    schema = _schema()
    data = {"namnd": "Kulturnämnden", "ar": 2025}
    missing = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
    assert any("'kommun' is a required property" in m for m in missing)
    assert not list(jsonschema.Draft202012Validator(schema).iter_errors(
        {**data, "profil": "../kommunen"}))


def test_reference_in_docs_is_generated_from_the_models():
    doc = ROOT / "docs" / "dataformat.md"
    text = doc.read_text(encoding="utf-8")
    assert START in text and END in text
    assert replace_reference(text) == text, (
        "docs/dataformat.md är inte uppdaterad; kör .venv/bin/python scripts/make_docs.py")
    assert "| `malnivaer` | ja |" in text and "| `profil` | nej |" in text
