"""The closed vocabularies of rules and findings, as types, defined once.

Rules (:mod:`engine.rules.spec`), the condition tree, findings and the assessment all name these
values; typing them as ``Literal`` lets mypy catch a misspelt tier or severity anywhere in the
engine, and pydantic refuse one in a rule file.
"""

from __future__ import annotations

from typing import Literal, get_args

Kind = Literal[
    "ai_act",          # classification of a use case: carries a tier
    "ai_act_note",     # an AI Act point that does not change the tier (derogation, role...)
    "ai_act_exclusion",  # a provision considered and ruled out: kept apart from the references
    "missing_answer",  # an unanswered question; its `tier` says how far an answer could go
    "gdpr",
    "avoid_ai",        # guide 2.4 "avoid AI if..."
    "test_small",      # guide 2.4 "wait, or test on a very small scale"
    "budget",          # guide 2.4 5 % rule
    "anti_failure",    # guide 6.3, one per question answered "no"
    "scale_up",        # guide 5.5, one per criterion with its status
    "priority",        # guide 5.2 matrix
    "frequent_error",  # guide 6.2
    "pilot",           # guide 5.4
    "governance",      # champion, training, works council
]
FindingKind = Kind | Literal["obligation"]  # a finding made of obligations only has no kind
KINDS: tuple[Kind, ...] = get_args(Kind)

Severity = Literal["blocker", "warning", "info"]
# What a rule may conclude about a use case's AI Act tier ("out_of_scope": not an AI system)...
RuleTier = Literal["unacceptable", "high", "limited", "minimal", "out_of_scope"]
# ...and what the assessment says: also "undetermined" (a question the law needs is unanswered)
# and "out_of_scope" (not an AI system, Art. 3(1): the AI Act does not apply).
Tier = Literal["unacceptable", "high", "limited", "minimal", "undetermined", "out_of_scope"]
TIER_ORDER: tuple[RuleTier, ...] = ("out_of_scope", "minimal", "limited", "high", "unacceptable")

Priority = Literal["do_first", "plan_later", "test_if_time", "avoid"]
# The one verdict on a use case (SPEC v2 §3 ``decision``), strongest first in the default
# precedence of ``rules/decision.yaml``.
DecisionStatus = Literal["stop", "regularise_now", "fix_before_launch", "to_complete",
                         "proceed_with_conditions", "proceed"]
DECISION_STATUSES: tuple[DecisionStatus, ...] = get_args(DecisionStatus)
# When something is due: now (overdue or already running), on a date of the law, before the
# tool is put into service, or not at all.
Due = Literal["immediately", "on_date", "before_launch", "none"]
Status = Literal["met", "not_met", "unknown"]
# The kinds of fact a profile gives: the subject of a rule, the fact a condition reads.
Subject = Literal["use_case", "vendor", "client"]
SUBJECTS: tuple[Subject, ...] = get_args(Subject)
