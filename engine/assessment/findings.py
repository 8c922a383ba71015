"""Stage 5: rule firings -> findings with provenance (rule, file, line, references, facts).

A rule that fires several times for one subject (one firing per ``any`` branch, or one per
derived fact such as an Annex III point) yields one finding whose ``because`` merges the facts,
in an order that does not depend on the rule engine's (branch, then the facts bound).
Messages are French templates; ``{use_case.title}``, ``{vendor.name}``, ``{client.name}`` and
any fact field (``{use_case.roi.roi_percent}``) are filled in here, never evaluated as code.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.documents.formatting import number_fr
from engine.documents.texts import Texts
from engine.profile.model import Profile
from engine.rules.compiler import ID_FIELDS
from engine.rules.firings import Firing
from engine.rules.schema import field_value
from engine.rules.spec import PLACEHOLDER, FindingSpec, ObligationSpec, Provenance
from engine.rules.types import FindingKind, Severity, Subject

SEVERITY_ORDER: dict[Severity, int] = {"blocker": 0, "warning": 1, "info": 2}
DERIVED = "déduit:"  # prefix of a derived fact in ``because`` (kept: assessment.json prints it)
_KIND_LIST = {"use_case": "use_cases", "vendor": "vendors"}

__all__ = ["Finding", "Provenance", "build_findings", "fill"]


@dataclass(slots=True)
class Finding:
    """One conclusion about one subject (a use case, a vendor, or the client)."""

    provenance: Provenance
    spec: FindingSpec | None
    subject_kind: Subject
    subject: str
    message: str
    advice: str | None
    because: dict[str, Any] = field(default_factory=dict)
    obligations: list[ObligationSpec] = field(default_factory=list)
    kind: FindingKind = field(init=False)  # the finding's kind, or "obligation" for a bare duty
    severity: Severity = field(init=False)

    def __post_init__(self) -> None:
        self.kind = self.spec.kind if self.spec else "obligation"
        self.severity = self.spec.severity if self.spec else "info"

    @property
    def rule_id(self) -> str:
        return self.provenance.rule_id

    def sort_key(self) -> tuple[Any, ...]:
        return (SEVERITY_ORDER[self.severity], self.subject_kind, self.subject,
                self.provenance.rule_id)


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
            self._seen[key] = self._find(kind, ident, path)
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


def fill(template: str, texts: _Texts, facts: Mapping[Any, dict[str, Any]]) -> str:
    """Replace ``{kind.path}`` placeholders with profile text or fact values."""
    if "{" not in template:
        return template
    out: list[str] = []
    for literal, kind, path in _pieces(template):
        out.append(literal)
        if kind:
            fact = facts.get(kind, _NO_FACT)
            named = texts.get(kind, fact, path) if fact or kind == "client" else None
            out.append(texts.words.show(
                named if named is not None else field_value(fact, kind, path)))
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
    return f"{_KIND_LIST.get(kind, kind)}[{fact.get('vid', '')}]."


class _Reader:
    """The profile facts firings read, by profile path; one client's facts, read once each."""

    def __init__(self) -> None:
        self._read: dict[tuple[int, str], tuple[str, Any]] = {}

    def because(self, firing: Firing, into: dict[str, Any]) -> None:
        """Add what a firing read (``use_cases[0].stage: ...``) and the derived facts it needed."""
        read = self._read
        facts = firing.facts
        for kind, path in firing.branch.fields:
            fact = facts.get(kind, _NO_FACT)
            got = read.get((id(fact), path))  # the facts are shared by all the firings
            if got is None:
                got = read[id(fact), path] = (_profile_prefix(kind, fact) + path,
                                              field_value(fact, kind, path))
            into[got[0]] = got[1]
        for derived in firing.derived:
            key = f"{DERIVED}{derived.name}"
            shown = derived.describe()
            before = into.get(key)
            if before is not None and before != shown:  # several facts of one name: all of them
                shown = "; ".join(sorted({*str(before).split("; "), str(shown)}))
            into[key] = shown


_NO_FACT: dict[str, Any] = {}


def _order(firing: Firing) -> tuple[Any, ...]:
    """Firings of one rule about one subject, in an order of their own (not the engine's)."""
    return firing.branch.number, firing.key()


def build_findings(firings: Iterable[Firing], profile: Profile, words: FactWords
                   ) -> list[Finding]:
    """Group firings by (rule, subject) into findings, with messages and merged provenance."""
    by_key: dict[tuple[str, str], Finding] = {}
    groups: dict[tuple[str, str], list[Firing]] = {}
    texts = _Texts(profile, words)
    reader = _Reader()
    for firing in firings:
        branch = firing.branch
        subject = str(firing.facts.get(branch.subject, _NO_FACT).get(
            ID_FIELDS[branch.subject], ""))
        key = (branch.rule.spec.id, subject)
        found = by_key.get(key)
        if found is None:
            because: dict[str, Any] = {}
            reader.because(firing, because)
            by_key[key] = _finding(firing, subject, because, texts)
            groups[key] = [firing]
        else:
            reader.because(firing, found.because)
            groups[key].append(firing)
    for key, group in groups.items():
        if len(group) == 1:
            continue
        ordered = sorted(group, key=_order)
        if all(a is b for a, b in zip(ordered, group, strict=True)):
            continue
        because = {}  # merged in the engine's order: merge again in an order of our own
        for firing in ordered:
            reader.because(firing, because)
        by_key[key] = _finding(ordered[0], key[1], because, texts)
    return sorted(by_key.values(), key=Finding.sort_key)


def _finding(firing: Firing, subject: str, because: dict[str, Any], texts: _Texts) -> Finding:
    branch, facts = firing.branch, firing.facts
    spec = branch.rule.spec
    finding = spec.then.finding
    return Finding(
        provenance=branch.provenance,
        spec=finding,
        subject_kind=spec.subject,
        subject=subject,
        message=fill(finding.message, texts, facts) if finding else spec.title,
        advice=fill(finding.advice, texts, facts) if finding and finding.advice else None,
        because=because,
        obligations=list(spec.then.obligations),
    )
