"""The rule base as one unit: load every rule file, lint and compile it, and fingerprint it.

``load_rulebase`` refuses a rule base that does not lint clean (:mod:`engine.rules.lint`: syntax,
operators, fields, values, duplicate ids, missing references, derived facts, vocabulary
coverage), so ``iapme run`` and ``iapme assess`` never run on rules that fail
``iapme rules lint``. The rule base carries the deliverables' wording (``rules/texts/``, read
once with the rules). The digest covers every rule file's, the register's and the texts' bytes,
so a manifest can tell when the rules changed: new wording rebuilds the clients' documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.assessment.penalties import PENALTIES_FILE, PenaltyTable
from engine.common.digest import digest_files
from engine.documents.texts import Texts
from engine.errors import Issue, RuleError
from engine.profile.register import REGISTER_FILE, Register
from engine.rules.compiler import CompiledRules
from engine.rules.lint import lint_rule_dir
from engine.rules.spec import LoadedRule, rule_files


@dataclass(frozen=True)
class RuleBase:
    compiled: CompiledRules
    digest: str
    rules: tuple[LoadedRule, ...]
    directory: Path
    register: Register
    texts: Texts
    penalties: PenaltyTable = field(default_factory=PenaltyTable)


def check_rulebase(rules_dir: Path) -> tuple[RuleBase | None, list[Issue]]:
    """Load, lint and compile; return the rule base (None if it does not lint) and the problems."""
    result = lint_rule_dir(rules_dir)
    if result.issues:
        return None, result.issues
    files = rule_files(rules_dir)
    for extra in (REGISTER_FILE, PENALTIES_FILE):
        if (rules_dir / extra).is_file():
            files.append(rules_dir / extra)
    files += result.texts.files
    base = RuleBase(result.compiled, digest_files(files, rules_dir), tuple(result.rules),
                    rules_dir, result.register, result.texts, result.penalties)
    return base, []


def load_rulebase(rules_dir: Path) -> RuleBase:
    """Load a rule base that must lint clean. Raises RuleError listing every problem."""
    base, issues = check_rulebase(rules_dir)
    if base is None:
        raise RuleError.of(issues, summary=(
            f"the rule base in {rules_dir} does not lint ({len(issues)} problem(s); "
            "see iapme rules lint):"))
    return base
