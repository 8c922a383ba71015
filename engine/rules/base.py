"""The rule base as one unit: load every rule file, lint and compile it, and fingerprint it.

``load_rulebase`` refuses a rule base that does not lint clean (:mod:`engine.rules.lint`: syntax,
operators, fields, values, duplicate ids, missing references, derived facts, vocabulary
coverage, durable_rules' capacity), so ``iapme run`` and ``iapme assess`` never run on rules
that fail ``iapme rules lint``. The rule base carries the deliverables' wording (``rules/texts/``,
read once with the rules), the table of fines (``rules/penalties.yaml``) and the tables read once
the rules have run (``rules/decision.yaml``, ``actions.yaml``, ``calendar.yaml``). The digest
covers every rule file's, the register's, the fines', those tables' and the texts' bytes, so a
manifest can tell when the rules changed: new wording rebuilds the clients' documents.

A :class:`RuleBase` is prepared once per process and owns what evaluating needs: the compiled
rule program and its durable_rules form (:class:`engine.rules.durable.evaluate.DurableRules`,
which owns its rulesets and their live states).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from engine.assessment.penalties import PENALTIES_FILE, PenaltyTable
from engine.assessment.policy import POLICY_FILES, Policy
from engine.common.digest import digest_files
from engine.documents.texts import Texts
from engine.errors import Issue, RuleError
from engine.profile.register import REGISTER_FILE, Register
from engine.rules.compiler import CompiledRules
from engine.rules.durable.evaluate import DurableRules
from engine.rules.firings import Fact, Firing
from engine.rules.lint import lint_rule_dir
from engine.rules.spec import LoadedRule, rule_files
from engine.rules.timeline import TIMELINE_FILE, Timeline, load_timeline


@dataclass(frozen=True)
class RuleBase:
    compiled: CompiledRules
    digest: str
    rules: tuple[LoadedRule, ...]
    directory: Path
    register: Register
    texts: Texts
    engine: DurableRules
    penalties: PenaltyTable = field(default_factory=PenaltyTable)
    policy: Policy = field(default_factory=Policy)  # decision, actions, calendar
    timeline: Timeline = field(default_factory=Timeline)  # the named legal dates

    @functools.cached_property
    def by_id(self) -> dict[str, LoadedRule]:
        return {rule.spec.id: rule for rule in self.rules}

    @functools.cached_property
    def texts_digest(self) -> str:
        """The wording's bytes (``rules/texts/``): the documents depend on them too."""
        return digest_files(list(self.texts.files), self.directory)

    @functools.cached_property
    def logic_digest(self) -> str:
        """``sha256:`` of what decides where each rule fires and what the assessment reads,
        without the rules' wording: every rule with its title, message, advice and
        obligation texts left out, and every file of the folder that is not a rule file
        (register, fines, timeline, texts, tables). A change of wording only leaves it
        unchanged (engine.run.retag)."""
        import hashlib
        import json

        parts = []
        for rule in sorted(self.rules, key=lambda r: r.spec.id):
            data = rule.spec.model_dump(mode="json")
            data["title"] = ""
            finding = data["then"].get("finding")
            if finding:
                finding["message"] = finding["advice"] = ""
            for obligation in data["then"]["obligations"]:
                obligation["text"] = ""
            parts.append(json.dumps(data, sort_keys=True, ensure_ascii=False))
        ruled = set(rule_files(self.directory))
        others = sorted(p for p in self.directory.rglob("*") if p.is_file() and p not in ruled
                        and not any(part.startswith(".") for part in
                                    p.relative_to(self.directory).parts))
        parts.append(digest_files(others, self.directory))
        return "sha256:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def applied_digest(self, rule_ids: set[str]) -> str:
        """``sha256:`` of the rules of ``rule_ids`` as written (see LoadedRule.fingerprint)."""
        import hashlib

        known = self.by_id
        parts = sorted(known[r].fingerprint for r in rule_ids if r in known)
        return "sha256:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def evaluate(self, facts: list[Fact], sid: str) -> list[Firing]:
        """Every firing of the rules on one client's facts (``sid`` names it in errors)."""
        return self.engine.evaluate(facts, sid)


def check_rulebase(rules_dir: Path, *, probe: bool = False
                   ) -> tuple[RuleBase | None, list[Issue]]:
    """Load, lint and compile; return the rule base (None if it does not lint) and the problems.

    ``probe``: also register the rulesets and evaluate a synthetic profile in a subprocess
    (:mod:`engine.rules.durable.probe`), as ``iapme rules lint`` does.
    """
    result = lint_rule_dir(rules_dir, probe=probe)
    if result.issues or result.engine is None:
        return None, result.issues
    files = rule_files(rules_dir)
    for extra in (REGISTER_FILE, PENALTIES_FILE, TIMELINE_FILE, *POLICY_FILES):
        if (rules_dir / extra).is_file():
            files.append(rules_dir / extra)
    files += result.texts.files
    base = RuleBase(result.compiled, digest_files(files, rules_dir), tuple(result.rules),
                    rules_dir, result.register, result.texts, result.engine, result.penalties,
                    result.policy, load_timeline(rules_dir)[0])
    return base, []


def load_rulebase(rules_dir: Path) -> RuleBase:
    """Load a rule base that must lint clean. Raises RuleError listing every problem."""
    base, issues = check_rulebase(rules_dir)
    if base is None:
        raise RuleError.of(issues, summary=(
            f"the rule base in {rules_dir} does not lint ({len(issues)} problem(s); "
            "see iapme rules lint):"))
    return base
