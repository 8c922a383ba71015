"""Stage 5: rule firings -> findings with provenance (rule, file, line, references, facts).

A rule that fires several times for one subject (one durable rule per ``any`` branch, or one
derived fact per Annex III point) yields one finding whose ``because`` merges the facts.
Messages are French templates; ``{use_case.title}``, ``{vendor.name}``, ``{client.name}`` and
any fact field (``{use_case.roi.roi_percent}``) are filled in here, never evaluated as code; a
yes/no answer, a missing value or an empty list is printed in the words of
``rules/texts/facts.yaml`` (:class:`FactWords`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from engine.documents.formatting import number_fr
from engine.documents.texts import Texts
from engine.profile.model import Profile
from engine.rules.compiler import CompiledRule, CompiledRules
from engine.rules.durable.evaluate import Match
from engine.rules.spec import PLACEHOLDER, FindingSpec, ObligationSpec, RuleSpec

SEVERITY_ORDER = {"blocker": 0, "warning": 1, "info": 2}
DERIVED = "déduit:"  # prefix of a derived fact in ``because`` (kept: assessment.json prints it)
_KIND_LIST = {"use_case": "use_cases", "vendor": "vendors"}


@dataclass(frozen=True)
class Provenance:
    rule_id: str
    rule_title: str
    file: str
    line: int
    references: tuple[str, ...]


@dataclass(slots=True)
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
    kind: str = field(init=False)      # the finding's kind, or "obligation" for a bare duty
    severity: str = field(init=False)  # blocker, warning or info

    def __post_init__(self) -> None:
        self.kind = self.spec.kind if self.spec else "obligation"
        self.severity = self.spec.severity if self.spec else "info"

    @property
    def rule_id(self) -> str:
        return self.provenance.rule_id

    def sort_key(self) -> tuple[Any, ...]:
        return (SEVERITY_ORDER[self.severity], self.subject_kind, self.subject,
                self.provenance.rule_id)


def _get(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


@dataclass(frozen=True, slots=True)
class FactWords:
    """How a fact's value reads in a French sentence (``rules/texts/facts.yaml``)."""

    yes: str
    no: str
    unknown: str
    empty_list: str

    @classmethod
    def of(cls, texts: Texts) -> FactWords:
        return cls(*(texts.text(f"facts.value.{k}") for k in ("yes", "no", "unknown",
                                                                "empty_list")))

    def show(self, value: Any) -> str:
        """A yes/no answer, a missing value (``None``), a list (``a, b``), a number (French)."""
        if value is None:
            return self.unknown
        if isinstance(value, bool):
            return self.yes if value else self.no
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) or self.empty_list
        if isinstance(value, (int, float)):
            return number_fr(value)
        return str(value)


class _Texts:
    """The profile's own text (titles, names) that messages quote, found by fact id."""

    def __init__(self, profile: Profile, words: FactWords) -> None:
        self.words = words
        self.client = profile.client
        self.use_cases = {u.id: u for u in profile.use_cases}
        self.vendors = {v.id: v for v in profile.vendors}
        self._seen: dict[tuple[str, str, str], Any] = {}

    def get(self, kind: str, fact: dict[str, Any], path: str) -> Any:
        ident = "" if kind == "client" else str(
            fact.get("uid" if kind == "use_case" else "vid", ""))
        key = (kind, ident, path)
        if key not in self._seen:  # messages quote the same titles and names again and again
            self._seen[key] = self._find(kind, ident.partition(":")[2], path)
        return self._seen[key]

    def _find(self, kind: str, ident: str, path: str) -> Any:
        item: Any = self.client if kind == "client" else (
            self.use_cases if kind == "use_case" else self.vendors).get(ident)
        for part in path.split("."):
            item = getattr(item, part, None)
        if kind == "vendor" and path == "name" and item is None and ident:
            vendor = self.vendors.get(ident)
            item = vendor.label if vendor else None
        return item if isinstance(item, (str, int, float, bool, list)) else None


def fill(template: str, texts: _Texts, facts: dict[str, dict[str, Any]]) -> str:
    """Replace ``{kind.path}`` placeholders with profile text or fact values."""
    if "{" not in template:
        return template
    out: list[str] = []
    for literal, kind, path in _pieces(template):
        out.append(literal)
        if kind:
            fact = facts.get(kind, _NO_FACT)
            named = texts.get(kind, fact, path) if fact or kind == "client" else None
            out.append(texts.words.show(named if named is not None else _get(fact, path)))
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def _pieces(template: str) -> tuple[tuple[str, str, str], ...]:
    """A message template split once into (literal text, placeholder kind, path) triples."""
    pieces: list[tuple[str, str, str]] = []
    pos = 0
    for match in PLACEHOLDER.finditer(template):
        pieces.append((template[pos:match.start()], match.group(1), match.group(2)))
        pos = match.end()
    pieces.append((template[pos:], "", ""))
    return tuple(pieces)


def _profile_prefix(kind: str, fact: dict[str, Any]) -> str:
    """Where a fact comes from in the profile: ``client.``, ``use_cases[2].``, ``vendors[x].``"""
    if kind == "client":
        return "client."
    index = fact.get("index")
    if kind == "use_case" and index is not None:
        return f"use_cases[{index}]."
    return f"{_KIND_LIST.get(kind, kind)}[{str(fact.get('vid', '')).partition(':')[2]}]."


_ID_FIELDS = {"use_case": "uid", "vendor": "vid", "client": "cid"}
_NOT_DETAIL = frozenset({"type", "name", "subject", "sid", "id"})


@dataclass(frozen=True)
class _Plan:
    """What a firing of one durable rule turns into, worked out once per rule."""

    provenance: Provenance
    spec: RuleSpec
    finding: FindingSpec | None
    id_field: str
    kinds: tuple[tuple[str, str], ...]  # (alias, fact kind) of the profile facts bound
    derived: tuple[str, ...]            # aliases of the derived facts bound
    fields: tuple[tuple[str, str], ...]  # (fact kind, field path) the condition read

    @classmethod
    def of(cls, entry: CompiledRule) -> _Plan:
        spec = entry.rule.spec
        return cls(
            provenance=Provenance(spec.id, spec.title, entry.rule.source or entry.rule.file,
                                  entry.rule.line, tuple(spec.references)),
            spec=spec,
            finding=spec.then.finding,
            id_field=_ID_FIELDS[spec.subject],
            kinds=tuple((a, k) for a, k in entry.aliases.items() if k != "derived"),
            derived=tuple(a for a, k in entry.aliases.items() if k == "derived"),
            fields=tuple(dict.fromkeys(entry.fields)),
        )


_PLANS: dict[int, tuple[CompiledRules, dict[str, _Plan]]] = {}


def _plans(compiled: CompiledRules) -> dict[str, _Plan]:
    """The plans of one compiled rule base (kept while the rule base lives)."""
    known = _PLANS.get(id(compiled))
    if known is None or known[0] is not compiled:
        if len(_PLANS) > 8:  # a long-lived process that reloads its rules
            _PLANS.clear()
        known = _PLANS[id(compiled)] = (compiled, {
            name: _Plan.of(entry) for name, entry in compiled.index.items()})
    return known[1]


class _Reader:
    """The profile facts firings read, by profile path; one client's facts, read once each."""

    def __init__(self) -> None:
        self._read: dict[tuple[int, str], tuple[str, Any]] = {}

    def because(self, plan: _Plan, facts: dict[str, dict[str, Any]], match: Match
                ) -> dict[str, Any]:
        """What a firing read (``use_cases[0].stage: ...``) and the derived facts it needed."""
        because: dict[str, Any] = {}
        read = self._read
        for kind, path in plan.fields:
            fact = facts.get(kind, _NO_FACT)
            got = read.get((id(fact), path))  # the facts are shared by all the firings
            if got is None:
                got = read[id(fact), path] = (_profile_prefix(kind, fact) + path,
                                              _get(fact, path))
            because[got[0]] = got[1]
        for alias in plan.derived:
            fact = match.facts[alias]
            detail = sorted((k, v) for k, v in fact.items() if k not in _NOT_DETAIL)
            because[f"{DERIVED}{fact.get('name')}"] = (
                ", ".join(f"{k}={v}" for k, v in detail) or True)
        return because


_NO_FACT: dict[str, Any] = {}


def build_findings(matches: list[Match], compiled: CompiledRules, profile: Profile,
                   words: FactWords) -> list[Finding]:
    """Group firings by (rule, subject) into findings, with messages and merged provenance."""
    by_key: dict[tuple[str, str], Finding] = {}
    texts = _Texts(profile, words)
    plans = _plans(compiled)
    reader = _Reader()
    for match in matches:
        plan = plans[match.name]
        spec = plan.spec
        facts = {kind: match.facts[alias] for alias, kind in plan.kinds}
        subject = str(facts.get(spec.subject, _NO_FACT).get(plan.id_field, "")).partition(":")[2]
        key = (spec.id, subject)
        because = reader.because(plan, facts, match)
        found = by_key.get(key)
        if found is not None:
            found.because.update(because)
            continue
        finding_spec = plan.finding
        by_key[key] = Finding(
            provenance=plan.provenance,
            spec=finding_spec,
            subject_kind=spec.subject,
            subject=subject,
            message=fill(finding_spec.message, texts, facts) if finding_spec else spec.title,
            advice=(fill(finding_spec.advice, texts, facts)
                    if finding_spec and finding_spec.advice else None),
            because=because,
            obligations=list(spec.then.obligations),
        )
    return sorted(by_key.values(), key=Finding.sort_key)
