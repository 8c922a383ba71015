"""Stage 5: rule firings -> findings with provenance (rule, file, line, references, facts).

A rule that fires several times for one subject (one durable rule per ``any`` branch, or one
derived fact per Annex III point) yields one finding whose ``because`` merges the facts.
Messages are French templates; ``{use_case.title}``, ``{vendor.name}``, ``{client.name}`` and
any fact field (``{use_case.roi.roi_percent}``) are filled in here, never evaluated as code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from engine.compiler import CompiledRules
from engine.evaluate import Match
from engine.profile import Profile
from engine.rulespec import FindingSpec, ObligationSpec

SEVERITY_ORDER = {"blocker": 0, "warning": 1, "info": 2}
PLACEHOLDER = re.compile(r"\{(use_case|vendor|client)\.([a-z0-9_.]+)\}")
_KIND_LIST = {"use_case": "use_cases", "vendor": "vendors"}


@dataclass(frozen=True)
class Provenance:
    rule_id: str
    rule_title: str
    file: str
    line: int
    references: tuple[str, ...]


@dataclass
class Finding:
    """One conclusion about one subject (a use case, a vendor, or the client)."""

    provenance: Provenance
    spec: FindingSpec | None
    subject_kind: str
    subject: str
    message: str
    advice: str | None
    because: dict[str, Any] = field(default_factory=dict)
    obligations: list[ObligationSpec] = field(default_factory=list)

    @property
    def rule_id(self) -> str:
        return self.provenance.rule_id

    @property
    def kind(self) -> str:
        return self.spec.kind if self.spec else "obligation"

    @property
    def severity(self) -> str:
        return self.spec.severity if self.spec else "info"

    def sort_key(self) -> tuple[Any, ...]:
        return (SEVERITY_ORDER[self.severity], self.subject_kind, self.subject, self.rule_id)


def _get(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _show(value: Any) -> str:
    if value is None:
        return "non renseigné"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "aucun"
    if isinstance(value, (int, float)):
        from engine.formatting import number_fr

        return number_fr(value)
    return str(value)


class _Texts:
    """The profile's own text (titles, names) that messages quote, found by fact id."""

    def __init__(self, profile: Profile) -> None:
        self.client = profile.client
        self.use_cases = {u.id: u for u in profile.use_cases}
        self.vendors = {v.id: v for v in profile.vendors}

    def get(self, kind: str, fact: dict[str, Any], path: str) -> Any:
        if kind == "client":
            item: Any = self.client
        else:
            ident = str(fact.get("uid" if kind == "use_case" else "vid", "")).partition(":")[2]
            item = (self.use_cases if kind == "use_case" else self.vendors).get(ident)
        for part in path.split("."):
            item = getattr(item, part, None)
        if kind == "vendor" and path == "name" and item is None and fact:
            vendor = self.vendors.get(str(fact.get("vid", "")).partition(":")[2])
            item = vendor.label if vendor else None
        return item if isinstance(item, (str, int, float, bool, list)) else None


def fill(template: str, profile: Profile | _Texts, facts: dict[str, dict[str, Any]]) -> str:
    """Replace ``{kind.path}`` placeholders with profile text or fact values."""
    if "{" not in template:
        return template
    texts = profile if isinstance(profile, _Texts) else _Texts(profile)

    def one(match: re.Match[str]) -> str:
        kind, path = match.group(1), match.group(2)
        fact = facts.get(kind, {})
        named = texts.get(kind, fact, path) if fact or kind == "client" else None
        value = named if named is not None else _get(fact, path)
        return _show(value)

    return PLACEHOLDER.sub(one, template)


def _profile_path(kind: str, fact: dict[str, Any], path: str) -> str:
    if kind == "client":
        return f"client.{path}"
    index = fact.get("index")
    if kind == "use_case" and index is not None:
        return f"use_cases[{index}].{path}"
    return f"{_KIND_LIST.get(kind, kind)}[{str(fact.get('vid', '')).partition(':')[2]}].{path}"


_ID_FIELDS = {"use_case": "uid", "vendor": "vid", "client": "cid"}
_NOT_DETAIL = frozenset({"type", "name", "subject", "sid", "id"})


def _because(fields: list[tuple[str, str]], facts: dict[str, dict[str, Any]], match: Match,
             aliases: dict[str, str]) -> dict[str, Any]:
    """The profile facts a firing read, by profile path, and the derived facts it required."""
    because: dict[str, Any] = {}
    for kind, path in fields:
        fact = facts.get(kind, {})
        because[_profile_path(kind, fact, path)] = _get(fact, path)
    for alias, fact in match.facts.items():
        if aliases.get(alias) == "derived":
            detail = sorted((k, v) for k, v in fact.items() if k not in _NOT_DETAIL)
            label = f"déduit:{fact.get('name')}"
            because[label] = ", ".join(f"{k}={v}" for k, v in detail) or True
    return because


def build_findings(matches: list[Match], compiled: CompiledRules,
                   profile: Profile) -> list[Finding]:
    """Group firings by (rule, subject) into findings, with messages and merged provenance."""
    by_key: dict[tuple[str, str], Finding] = {}
    texts = _Texts(profile)
    for match in matches:
        entry = compiled.index[match.name]
        spec = entry.rule.spec
        aliases = entry.aliases
        facts = {aliases[a]: f for a, f in match.facts.items() if aliases.get(a) != "derived"}
        subject_fact = facts.get(spec.subject, {})
        subject = str(subject_fact.get(_ID_FIELDS[spec.subject], "")).partition(":")[2]
        key = (spec.id, subject)
        because = _because(entry.fields, facts, match, aliases)
        if key in by_key:
            by_key[key].because.update(because)
            continue
        finding_spec = spec.then.finding
        message = fill(finding_spec.message, texts, facts) if finding_spec else spec.title
        advice = (fill(finding_spec.advice, texts, facts)
                  if finding_spec and finding_spec.advice else None)
        by_key[key] = Finding(
            provenance=Provenance(spec.id, spec.title, entry.rule.source or entry.rule.file,
                                  entry.rule.line,
                                  tuple(spec.references)),
            spec=finding_spec,
            subject_kind=spec.subject,
            subject=subject,
            message=message,
            advice=advice,
            because=because,
            obligations=list(spec.then.obligations),
        )
    return sorted(by_key.values(), key=Finding.sort_key)
