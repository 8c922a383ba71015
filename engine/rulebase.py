"""The rule base as one unit: load every rule file, compile, and fingerprint it.

``load_rulebase`` refuses a rule base that does not compile cleanly (``iapme run`` never runs on
rules that fail ``iapme rules lint``); the digest covers every rule file's bytes, so a manifest
can tell when the rules changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from engine.compiler import CompiledRules, compile_rules
from engine.errors import Issue, Location, RuleError
from engine.rulespec import LoadedRule, load_rules, rule_files


@dataclass(frozen=True)
class RuleBase:
    compiled: CompiledRules
    digest: str
    rules: tuple[LoadedRule, ...]
    directory: Path


def digest_files(files: list[Path], root: Path) -> str:
    """``sha256:<hex>`` over the relative names and bytes of ``files``."""
    sha = hashlib.sha256()
    for path in sorted(files):
        sha.update(str(path.relative_to(root)).encode() + b"\0")
        sha.update(path.read_bytes() + b"\0")
    return "sha256:" + sha.hexdigest()


def check_rulebase(rules_dir: Path) -> tuple[RuleBase | None, list[Issue]]:
    """Load and compile; return the rule base (None if unusable) and every problem found."""
    rules, issues = load_rules(rules_dir)
    compiled, compile_issues = compile_rules(rules)
    issues = issues + compile_issues
    seen: dict[str, LoadedRule] = {}
    for rule in rules:
        first = seen.setdefault(rule.spec.id, rule)
        if first is not rule:
            issues.append(Issue(rule.locate("id"), (
                f"rule {rule.spec.id}: duplicate id (first defined at {first.file}:{first.line})")))
    if not rules and not issues:
        issues.append(Issue(Location(str(rules_dir)), "no rule file found (*.yaml)"))
    base = RuleBase(compiled, digest_files(rule_files(rules_dir), rules_dir), tuple(rules),
                    rules_dir)
    return (None if issues else base), issues


def load_rulebase(rules_dir: Path) -> RuleBase:
    """Load a rule base that must be clean. Raises RuleError listing every problem."""
    base, issues = check_rulebase(rules_dir)
    if base is None:
        raise RuleError.of(issues, summary=f"the rule base in {rules_dir} has errors:")
    return base
