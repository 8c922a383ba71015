"""Rule files: the declarative format compliance officers write, loaded with positions.

A rule file is YAML with a ``rules:`` list. Each rule::

    - id: ai-act.art5.1f.emotion-workplace      # unique, lower-case
      title: "<the rule's name, in French>"       # printed in the documents
      subject: use_case                          # use_case | vendor | client
      references: ["Art. 5(1)(f)", "Recital 44"]  # canonical form, printed in French
      valid_from: "2025-02-02"                   # optional: rule applies from this legal date
      valid_until: "2030-12-31"                  # optional: and up to this one (inclusive)
      when: {all: [{field: use_case.system.capabilities, contains: emotion_recognition}, ...]}
      then:
        finding: {kind: ai_act, tier: unacceptable, severity: blocker, message: "..."}
        obligations: [{text: "...", reference: "Art. 26(2)", applies_from: "2027-12-02",
                       bearer: deployer, control: human_oversight}]
        assert: [{name: annex_iii, point: "4(a)"}]   # derived facts other rules can require

The condition language (``all``/``any``/``not``, comparisons, lists, ``missing``, ``derived``,
joins through ``vendor.*`` fields) is parsed into a typed tree by :mod:`engine.rules.conditions`
and compiled by :mod:`engine.rules.compiler`. The closed vocabularies (kinds, severities, tiers)
are the types of :mod:`engine.rules.types`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.common.validation import issues_from
from engine.errors import Issue, Location, RuleError
from engine.profile.yamlio import YamlDoc, load_yaml
from engine.rules.types import Kind, Priority, RuleTier, Severity, Status, Subject

RuleId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,99}$")]
# A placeholder of a finding's message or advice: ``{use_case.title}``, ``{vendor.hosting}``.
PLACEHOLDER = re.compile(r"\{(use_case|vendor|client)\.([a-z0-9_.]+)\}")
Ref = Annotated[str, Field(min_length=2, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FindingSpec(_Strict):
    kind: Kind
    severity: Severity
    message: Annotated[str, Field(min_length=3, max_length=2000)]
    # ai_act: the tier it gives; missing_answer: the most severe tier an answer could give in
    # this context (absent: the answer changes obligations only, "to complete")
    tier: RuleTier | None = None
    field: str | None = None       # missing_answer: the unanswered profile key
    priority: Priority | None = None
    item: str | None = None        # checklist item id (anti_failure q1..q7, scale_up c1..c5)
    status: Status | None = None
    advice: Annotated[str, Field(max_length=2000)] | None = None  # what to do, in French
    penalty: str | None = None     # an id of rules/penalties.yaml: the fine at stake


class ObligationSpec(_Strict):
    text: Annotated[str, Field(min_length=3, max_length=1000)]
    reference: Ref
    applies_from: dt.date
    # company: whatever the company is for this use case (its role; deployer when unanswered)
    bearer: Literal["deployer", "provider", "company"]
    control: (
        Literal["ai_disclosure", "output_marking", "human_oversight", "logs_kept",
                "workers_informed", "dpia_done", "staff_ai_training"] | None
    ) = None
    status: Status | None = None   # the status when no control answers it (default unknown)
    penalty: str | None = None     # an id of rules/penalties.yaml: the fine at stake


class ThenSpec(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    finding: FindingSpec | None = None
    obligations: list[ObligationSpec] = []
    asserts: list[dict[str, str | int | float | bool]] = Field(default=[], alias="assert")


class RuleSpec(_Strict):
    id: RuleId
    title: Annotated[str, Field(min_length=3, max_length=300)]
    subject: Subject
    references: list[Ref] = []
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    note: str | None = None
    when: dict[str, Any]
    then: ThenSpec


class RuleFile(_Strict):
    rules: list[dict[str, Any]]


@dataclass(frozen=True)
class LoadedRule:
    """A rule with where it was written, for provenance and error messages."""

    spec: RuleSpec
    file: str
    line: int
    doc: YamlDoc
    index: int
    source: str = ""  # the file relative to the rule folder's parent (rules/ai_act/x.yaml)

    def locate(self, *path: str | int) -> Location:
        return self.doc.locate(("rules", self.index, *path))

    @functools.cached_property
    def fingerprint(self) -> str:
        """The rule as written (its spec, after the timeline's names) and where: a change to
        it changes the documents of the clients it applies to, and only theirs."""
        import hashlib

        text = f"{self.source or self.file}:{self.line}:{self.spec.model_dump_json()}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @functools.cached_property
    def provenance(self) -> Provenance:
        """Where a finding of this rule comes from (worked out once per rule)."""
        spec = self.spec
        return Provenance(spec.id, spec.title, self.source or self.file, self.line,
                          tuple(spec.references))


@dataclass(frozen=True, slots=True)
class Provenance:
    """What a finding cites: the rule, where it is written, its legal references."""

    rule_id: str
    rule_title: str
    file: str
    line: int
    references: tuple[str, ...]


# Rule test cases, vendor register, neutral values, the deliverables' wording.
NOT_RULES = ("tests", "vendors", "vocabulary", "texts")
# The table of fines (engine.assessment.penalties), the legal dates (engine.rules.timeline) and
# the tables read once the rules have run (engine.assessment.policy: the decision's precedence,
# the action plan's topics, the calendar).
NOT_RULE_FILES = ("penalties.yaml", "timeline.yaml", "decision.yaml", "actions.yaml",
                  "calendar.yaml")


def rule_files(rules_dir: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` rule file under ``rules_dir`` (sorted).

    Left aside: the folders of :data:`NOT_RULES` (``tests/`` holds the rule test cases,
    ``vendors/`` the vendor register, ``vocabulary/`` the deliberately neutral vocabulary values
    that ``iapme rules lint`` reads, ``texts/`` the documents' wording), the tables of
    :data:`NOT_RULE_FILES` (fines, decision, actions, calendar) and ``*.test.yaml`` files.
    """
    files = [p for p in rules_dir.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file()]
    return sorted(p for p in files if not p.name.endswith((".test.yaml", ".test.yml"))
                  and not set(p.relative_to(rules_dir).parts[:-1]) & set(NOT_RULES)
                  and p.relative_to(rules_dir).as_posix() not in NOT_RULE_FILES)


def load_rules(rules_dir: Path) -> tuple[list[LoadedRule], list[Issue]]:
    """Load every rule file; return the rules that parsed and the problems of the others.

    The dates a rule writes by name (``applies_from: annex_iii_duties``) and its
    ``{date.name}`` placeholders are resolved from ``timeline.yaml`` first
    (:mod:`engine.rules.timeline`); an unknown name is a problem of that rule.
    """
    from engine.rules.timeline import load_timeline, located, resolve_rule

    if not rules_dir.is_dir():
        raise RuleError.at(str(rules_dir), "rules folder not found")
    rules: list[LoadedRule] = []
    timeline, issues = load_timeline(rules_dir)
    for path in rule_files(rules_dir):
        shown = str(path)
        try:
            doc = load_yaml(path, display_path=shown, error_cls=RuleError)
        except RuleError as exc:
            issues.extend(exc.issues)
            continue
        try:
            items = RuleFile.model_validate(doc.data).rules
        except ValidationError:
            issues.append(Issue(doc.locate(()),
                                "a rule file must hold a 'rules:' list, and only it"))
            continue
        for index, raw in enumerate(items):
            where = doc.locate(("rules", index))
            rule_id = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else index + 1
            dated: list[Issue] = []
            resolved = resolve_rule(raw, timeline, located(doc.locate, ("rules", index), dated,
                                                      f"rule {rule_id}: "), _is_date_field)
            if dated:
                issues.extend(dated)
                continue
            try:
                spec = RuleSpec.model_validate(resolved)
            except ValidationError as exc:
                issues.extend(issues_from(exc, doc.locate, known=_KNOWN, base=("rules", index),
                                          prefix=f"rule {rule_id}: "))
                continue
            source = f"{rules_dir.name}/{path.relative_to(rules_dir).as_posix()}"
            rules.append(LoadedRule(spec, shown, where.line or 1, doc, index, source))
    return rules, issues


def _is_date_field(path: str) -> bool:
    from engine.rules.schema import FACT_SCHEMA

    spec = FACT_SCHEMA.get(path)
    return spec is not None and spec.kind == "date"


_KNOWN = [*(n for m in (RuleSpec, ThenSpec, FindingSpec, ObligationSpec) for n in m.model_fields),
          "assert"]
