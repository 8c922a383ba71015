"""Every text the code reads from ``rules/texts/``, with the placeholders it fills.

The schema is the contract between the code and the compliance officer's YAML: a key listed
here and absent from the files, a key in the files absent from here, and a placeholder a text
uses that is not listed for its key are all lint errors (:func:`check_texts`). Families of
labels follow the code's own enumerations (tiers, hosting, stages...), so a new code value
without its label fails lint, not a client's run.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import get_args

from engine.assessment.assess import ANTI_FAILURE_ITEMS, SCALE_UP_ITEMS
from engine.assessment.roi import ROI_INPUTS
from engine.documents.texts import (
    MAPPING,
    TEXTS_DIR,
    Texts,
    TextSpec,
    lines,
    read_texts,
    text,
)
from engine.errors import Issue, RuleError
from engine.intake.text_keys import INTAKE_TEXTS
from engine.portfolio.text_keys import PORTFOLIO_TEXTS
from engine.profile.model import Hosting, Sector, Stage
from engine.profile.register import FACT_FIELDS
from engine.rules.types import DecisionStatus, Priority, Severity, Status, Tier

TIERS = tuple(dict.fromkeys((*get_args(Tier), "undetermined")))
VENDOR_CHECKS = ("dpa_signed", "hosting", "deletion_on_request", "trains_on_customer_data",
                 "subprocessors_listed", "certifications")
REGISTER_FACTS = (*FACT_FIELDS, "dpa_available")
COMPLEXITIES = ("low", "medium", "high")
DOCUMENT_TEXTS = ("charter", "brief", "report")  # each file's ``title``
CHARTER_CLAUSES: dict[str, tuple[str, ...]] = {  # clause -> the parts the template prints
    "prohibited": ("lead", "text", "points", "closing"),
    "disclosure": ("text",),
    "no_public_ai": ("text",),
    "gdpr": ("text",),
    "gdpr_overdue": ("text",),
    "human_review": ("lead", "text"),
    "human_review_to_do": ("lead", "text"),
    "automated": ("lead", "text"),
    "works_council": ("lead", "text"),
    "works_council_to_do": ("lead", "text"),
    "training": ("lead", "text"),
}
# The placeholders a clause's text is filled with (the tools concerned, the commitment's date).
CLAUSE_PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "gdpr_overdue": ("tools", "date"), "human_review_to_do": ("tools", "date"),
    "automated": ("tools", "date"), "works_council_to_do": ("tools",),
}
DISCLOSURE_POINTS = ("chatbot_provider", "marking_provider", "emotion_information", "deepfake",
                     "public_interest_text")
RUN_STATES = ("running", "planned")  # a use case already in use, or not yet
DECISIONS: tuple[DecisionStatus, ...] = get_args(DecisionStatus)
OWNERS = ("direction", "hr", "it_provider", "vendor")
CHECKLIST_VALUES = ("use_case", "vendor")  # what a checklist question may quote


_PLAIN = text()


def _each(prefix: str, names: tuple[str, ...] | list[str], spec: TextSpec = _PLAIN
          ) -> dict[str, TextSpec]:
    return {f"{prefix}.{name}": spec for name in names}


def _clauses() -> dict[str, TextSpec]:
    return {f"charter.clauses.{clause}.{part}": lines() if part == "points" else
            text(*CLAUSE_PLACEHOLDERS.get(clause, ())) if part == "text" else text()
            for clause, parts in CHARTER_CLAUSES.items() for part in parts}


def _states(prefix: str, names: tuple[str, ...], spec: TextSpec = _PLAIN) -> dict[str, TextSpec]:
    """``prefix.<name>.running`` and ``prefix.<name>.planned`` for each name."""
    return {f"{prefix}.{name}.{state}": spec for name in names for state in RUN_STATES}


SCHEMA: dict[str, TextSpec] = {
    # labels.yaml: codes as the documents print them
    "labels.todo": text(),
    "labels.todo_cell": text(),
    **_each("labels.tier", TIERS),
    "labels.tier_with_floor": text("tier", "floor"),
    **_each("labels.priority", get_args(Priority)),
    **_each("labels.stage", get_args(Stage)),
    **_each("labels.severity", get_args(Severity)),
    **_each("labels.sector", get_args(Sector)),
    **_each("labels.obligation.status", get_args(Status)),
    "labels.obligation.in_force": text(),
    "labels.obligation.applies_from": text("date"),
    **_each("labels.obligation.bearer", ("deployer", "provider", "provider_in_house",
                                         "company_provider")),
    **_each("labels.civility", ("madame", "monsieur")),
    "labels.addressee": text("civility", "name"),
    "labels.greeting.civility": text("civility"),
    "labels.greeting.nobody": text(),
    "labels.closing": text("civility"),
    "labels.closing_civility": text(),
    **_each("labels.scale_up_status", get_args(Status)),
    **_each("labels.answer", ("yes", "no", "unknown")),
    **_each("labels.hosting", [h for h in get_args(Hosting) if h != "unknown"]),
    **_each("labels.training", ("trains", "does_not_train", "opt_out_available")),
    **_each("labels.vendor_check", VENDOR_CHECKS),
    "labels.no_certification": text(),
    "labels.certification": MAPPING,
    **_each("labels.fact_source", ("none", "client", "unknown_date")),
    "labels.fact_source.register_verified": text("date"),
    "labels.fact_source.register_unverified": text("date"),
    "labels.in_house": text(),
    "labels.in_house_tool": text(),
    "labels.no_use_case": text(),
    "labels.no_reference": text(),
    "labels.payback_not_reached": text(),
    **_states("labels.decision", DECISIONS),
    **_each("labels.decision_light", DECISIONS),
    **_each("labels.priority_blocked", ("stop", "regularise_now", "fix_before_launch",
                                        "to_complete")),
    **_each("labels.due", ("immediately", "before_launch", "none")),
    "labels.due.on_date": text("date"),
    "labels.due.before_launch_dated": text("date"),
    **_each("labels.owner", OWNERS),
    **_each("labels.stage_in_sentence", get_args(Stage)),
    "labels.roi.above": text("limit"),
    "labels.roi.payback_under_month": text(),
    **_each("labels.roi.input", ("subscription", "setup", "integration", "hours_saved",
                                 "hourly_cost", "errors", "extra_revenue", "margin")),
    "labels.roi.setup_value": text("setup", "training"),
    "labels.roi.errors_value": text("count", "cost"),
    "labels.roi.margin_missing": text(),
    **_each("labels.roi.missing", ROI_INPUTS),
    **_each("labels.client", ("director", "director_title", "it_contact")),
    "labels.document.title": text("title", "client"),
    "labels.document.subject": text(),
    "labels.document.keywords": text(),
    # facts.yaml: the facts behind findings
    **_each("facts.value", ("yes", "no", "unknown", "empty_list")),
    "facts.rule_source": text("file", "line"),
    "facts.answer": text("question", "answer"),
    # workfile.yaml and law.yaml: the consultant's working file, the points of law still moving
    **_each("workfile.subject", ("use_case", "vendor", "client")),
    "workfile.sheet": text(),
    **_each("workfile.columns", ("subject_kind", "subject", "name", "severity", "kind", "message",
                                 "advice", "rule", "file", "line", "facts", "references",
                                 "legal_state", "rules_digest")),
    "workfile.title": text("client"),
    "law.open_points": MAPPING,
    "law.open_points_none": text(),
    "law.limits.declared": text("client", "date"),
    "law.limits.register": text(),
    "law.limits.legal_basis": text("date"),
    "law.limits.collected": text("consultant"),
    "law.sanctions.exposure": text("caps"),
    **{f"law.sanctions.exposure_law.{law}": text("cap") for law in ("ai_act", "gdpr")},
    "law.sanctions.exposure_national": text(),
    "law.sanctions.exposure_none": text(),
    "law.sanctions.intro": text(),
    "law.sanctions.none": text(),
    "law.sanctions.duty": text("text", "use_case"),
    "law.sanctions.gap": text("title", "subject", "references"),
    "law.sanctions.cap.national": text(),
    **{f"law.sanctions.cap.{b}": text("amount") for b in ("exact", "at_most", "at_least")},
    **_each("facts.register.fact", REGISTER_FACTS),
    "facts.register.stale": text("fact", "date"),
    "facts.register.unverified": text("fact", "source"),
    "facts.references.prefixes": MAPPING,
    "facts.references.words": MAPPING,
    # glossary.yaml
    "glossary.terms": MAPPING,
    # one file per document
    **{f"{doc}.title": text() for doc in DOCUMENT_TEXTS},
    **_each("charter.sector_line", get_args(Sector)),
    **_each("charter.tools", ("in_use", "planned"), text("tools")),
    "charter.tools.item": text("tool", "use", "stage"),
    "charter.transparency.in_place": text(),
    "charter.transparency.to_do": text("tools", "date"),
    "charter.transparency.planned_only": text("tools"),
    "charter.chatbot.in_place": text("tools"),
    "charter.chatbot.to_do": text("tools", "date"),
    "charter.dpa.in_place": text(),
    "charter.dpa.to_do": text("tools", "date"),
    "charter.dpa.to_do_planned": text("tools"),
    "charter.dpa.none": text(),
    "charter.training.in_place": text(),
    "charter.training.to_do": text("date"),
    **_each("charter.due", ("immediately", "before_launch", "none")),
    "charter.due.on_date": text("date"),
    "charter.due.before_launch_dated": text("date"),
    **_clauses(),
    **{f"charter.disclosure_point.{point}.in_place": text("tools")
       for point in DISCLOSURE_POINTS},
    **{f"charter.disclosure_point.{point}.to_do": text("tools", "date")
       for point in DISCLOSURE_POINTS},
    **_each("brief.intro", ("running", "planned"), text("tools")),
    "brief.intro.none": text(),
    "brief.intro.item": text("tool", "use", "stage"),
    "brief.clauses": lines(),
    **_each("brief.reply", ("normal", "urgent", "all_running"), text("date")),
    "report.summary.prohibited.lead": text(),
    "report.summary.prohibited.text": text(),
    "report.summary.blockers": text("count"),
    "report.summary.no_blocker": text(),
    "report.summary.decisions": text("decisions"),
    **_each("report.summary.decision_count", DECISIONS, text("count")),
    **_states("report.decision", DECISIONS),
    "report.decision.stop.dated": text("deadline"),
    **_each("report.decision", ("reasons_blocking", "reasons_missing", "reasons_conditions")),
    "report.decision.reason": text("title", "references"),
    "report.decision.reason_vendor": text("tool", "title", "references"),
    "report.decision.condition": text("title", "references", "due"),
    "report.decision.condition_vendor": text("tool", "title", "references", "due"),
    "report.summary.no_blocker_open_questions": text("count"),
    "report.prohibited.obligations": text(),
    "report.prohibited.follow_up": text(),
    "report.roi_not_measurable": text("inputs"),
    **_each("report.anti_failure", ANTI_FAILURE_ITEMS, text(*CHECKLIST_VALUES)),
    **_states("report.anti_failure.verdict", ("go", "verify", "wait"),
              text("count", "unknown", "total", "max")),
    "report.anti_failure.verdict_blocked": text("decision"),
    **_each("report.scale_up", SCALE_UP_ITEMS, text(*CHECKLIST_VALUES)),
    **_each("report.scale_up", ("verdict_ready", "verdict_not_ready")),
    "report.scale_up.verdict_blocked": text("decision"),
    **_each("report.vendor_conclusion", ("stop", "clean", "blocked_running", "blocked_planned")),
    "report.vendor_conclusion.open": text("count"),
    "report.actions.item": text("text", "owner", "due"),
    "report.actions.more": text("count"),
    "report.actions.summary_more": text("count", "total"),
    "report.actions.summary_all": text(),
    "report.actions.whole_company": text(),
    "report.deadlines.in_force_since": text("date"),
    "report.actions.client_questions": text("fields"),
    **_each("report.actions", ("all_here", "none", "more_one")),
    "report.deadlines.concerns": text("tools"),
    "report.deadlines.concerns_none": text(),
    "report.roi.formula": text("weeks"),
    "report.roi.revenue_not_counted": text("amount"),
    "report.roi.revenue_counted": text("amount", "rate", "gain"),
    "report.roi.above": text("gain", "cost"),
    "report.chart.title": text(),
    **_each("report.chart.quadrant", get_args(Priority)),
    **_each("report.chart.complexity", COMPLEXITIES),
    **_each("report.chart", ("x_axis", "y_axis", "empty", "scale_note", "clipped_note",
                             "colour_note", "blocked_note")),
    # profile.yaml and questionnaire.yaml: the profile vocabulary, the SME's questionnaire
    **INTAKE_TEXTS,
    # portfolio.yaml: the summary workbook, index.html, the calendar, the impact workbook
    **PORTFOLIO_TEXTS,
}


def check_texts(rules_dir: Path) -> tuple[Texts, list[Issue]]:
    """Read ``rules_dir/texts/`` against :data:`SCHEMA`; the texts and every problem.

    A text may print a legal date of ``rules_dir/timeline.yaml`` with ``{date.name}``."""
    from engine.rules.timeline import load_timeline

    timeline, _ = load_timeline(rules_dir)  # its own problems are the rules' lint's
    texts, issues = read_texts(rules_dir / TEXTS_DIR, SCHEMA, timeline.fill)
    if timeline.file:
        texts = dataclasses.replace(texts, files=(*texts.files, Path(timeline.file)))
    return texts, issues


def load_texts(rules_dir: Path) -> Texts:
    """The texts of ``rules_dir``, which must be complete. Raises RuleError listing problems."""
    texts, issues = check_texts(rules_dir)
    if issues:
        raise RuleError.of(issues, summary=f"the texts in {rules_dir / TEXTS_DIR} have errors "
                                           "(see iapme rules lint):")
    return texts
