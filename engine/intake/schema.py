"""The JSON Schema (draft 2020-12) of a profile, generated from the validation model, with the
French labels and explanations of ``rules/texts/profile.yaml`` (``iapme schema``).

Editors that read the ``# yaml-language-server: $schema=...`` modeline (VS Code's YAML
extension and other clients of yaml-language-server) then complete keys and values and show
their French meaning; ``enumDescriptions`` gives each value's label, as VS Code reads it. The
schema helps writing; the validator (:mod:`engine.profile.validate`) stays the judge: it also
refuses what a schema cannot say (control characters, contradictory answers, unknown vendors).
"""

from __future__ import annotations

import json
from typing import Any

from engine.documents.texts import Texts
from engine.intake.keys import Key, all_keys
from engine.intake.words import ProfileWords
from engine.profile.model import Profile

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = "schema/profile.schema.json"


def profile_schema(texts: Texts) -> dict[str, Any]:
    """The schema as a JSON-able dict."""
    words = ProfileWords(texts)
    schema = Profile.model_json_schema(mode="validation")
    definitions: dict[str, Any] = schema["$defs"]
    for key in all_keys():
        owner = schema if key.model is Profile else definitions[key.model.__name__]
        _describe(owner["properties"][key.name], key, words)
        if key.section is not None:
            section = definitions[key.section.__name__]
            section["title"] = words.label(key)
            section["description"] = words.help(key)
    result: dict[str, Any] = {"$schema": DRAFT,
                              "title": texts.text("profile.schema.title"),
                              "description": texts.text("profile.schema.description")}
    result.update((k, v) for k, v in schema.items() if k not in ("title", "description"))
    return result


def schema_text(texts: Texts) -> str:
    """The schema as the shipped file holds it (sorted nowhere: the model's order)."""
    return json.dumps(profile_schema(texts), ensure_ascii=False, indent=2) + "\n"


def _describe(node: dict[str, Any], key: Key, words: ProfileWords) -> None:
    node["title"] = words.label(key)
    node["description"] = words.help(key)
    if node.get("default", 0) is None:
        node.pop("default")  # an absent key is unanswered: never propose null
    for branch in _branches(node):
        if "enum" in branch:
            branch["enumDescriptions"] = [words.value(key, v) for v in branch["enum"]]
        if "const" in branch and branch["const"] is not None:
            branch["description"] = words.value(key, branch["const"]) if key.values else (
                words.no_champion)
        if branch.get("type") == "array" and key.kind in ("multi", "texts"):
            branch["uniqueItems"] = True
            items = branch.get("items", {})
            if "enum" in items:
                items["enumDescriptions"] = [words.value(key, v) for v in items["enum"]]


def _branches(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The node and the members of its ``anyOf`` (pydantic's form for optional values)."""
    return [node, *node.get("anyOf", [])]
