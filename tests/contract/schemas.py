"""Hypothesis strategies for the schemas of openapi.yaml, built with schemathesis's JSON Schema generator.

schemathesis 4 generates request data from an operation; for response bodies and WebSocket messages we need
values of a named component schema, so this module calls its JSON Schema strategy builder directly (pinned
version, see requirements/dev.txt) on a self-contained document whose `$defs` are the spec's components.
"""

from __future__ import annotations

import datetime
import json
import os
from functools import cache
from typing import Any

import jsonschema_rs
import yaml
from hypothesis import HealthCheck, provisional, settings
from hypothesis import strategies as st
from schemathesis.core.jsonschema import CANONICALIZE_DRAFT_BY_VALIDATOR
from schemathesis.generation.jsonschema.builder import build

from tests.conftest import SPEC_PATH

# Examples per schema: at least 100 in the default run; `make fuzz` raises it for the large run.
EXAMPLES = int(os.environ.get("GLADIA_FUZZ_EXAMPLES", "100"))

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=EXAMPLES <= 100,  # the default run is reproducible; the large run explores
    suppress_health_check=list(HealthCheck),
)


class _Counter:
    total = 0


# How many generated bodies went through a parsing test in this run (reported by conftest.py).
GENERATED = _Counter()

# The string formats the spec uses, as the server writes them.
FORMATS: dict[str, st.SearchStrategy[str]] = {
    "uuid": st.uuids().map(str),
    "date-time": st.datetimes(timezones=st.just(datetime.UTC)).map(lambda value: value.isoformat()),
    "date": st.dates().map(lambda value: value.isoformat()),
    "uri": provisional.urls(),
}


@cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


@cache
def _definitions() -> dict[str, Any]:
    text = json.dumps(spec()["components"]["schemas"])
    return json.loads(text.replace("#/components/schemas/", "#/$defs/"))


def document_for(schema: dict[str, Any]) -> dict[str, Any]:
    """A self-contained JSON Schema for `schema` (a spec fragment that may `$ref` components)."""
    rewritten = json.loads(json.dumps(schema).replace("#/components/schemas/", "#/$defs/"))
    return {"$defs": _definitions(), **rewritten}


def values_of(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    return build(
        document_for(schema),
        draft=CANONICALIZE_DRAFT_BY_VALIDATOR[jsonschema_rs.Draft202012Validator],
        formats=FORMATS,
    )


def validator_for(schema: dict[str, Any]) -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator(document_for(schema), validate_formats=False)


def component(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}
