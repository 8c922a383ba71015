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
from engine.rules.types import Priority, Severity, Status, Tier

TIERS = tuple(dict.fromkeys((*get_args(Tier), "undetermined")))
VENDOR_CHECKS = ("dpa_signed", "hosting", "deletion_on_request", "trains_on_customer_data",
                 "subprocessors_listed", "certifications")
REGISTER_FACTS = (*FACT_FIELDS, "dpa_available")
COMPLEXITIES = ("low", "medium", "high")
DOCUMENT_TEXTS = ("charter", "brief", "report")  # each file's ``title``
CHARTER_CLAUSES: dict[str, tuple[str, ...]] = {  # clause -> the parts the template prints
    "prohibited": ("lead", "text", "points", "closing"),
    "disclosure": ("text", "points"),
    "no_public_ai": ("text",),
    "gdpr": ("text",),
    "human_review": ("lead", "text"),
    "works_council": ("lead", "text"),
    "training": ("lead", "text"),
}
CHECKLIST_VALUES = ("use_case", "vendor")  # what a checklist question may quote


_PLAIN = text()


def _each(prefix: str, names: tuple[str, ...] | list[str], spec: TextSpec = _PLAIN
          ) -> dict[str, TextSpec]:
    return {f"{prefix}.{name}": spec for name in names}


def _clauses() -> dict[str, TextSpec]:
    return {f"charter.clauses.{clause}.{part}": lines() if part == "points" else text()
            for clause, parts in CHARTER_CLAUSES.items() for part in parts}


SCHEMA: dict[str, TextSpec] = {
    # labels.yaml: codes as the documents print them
    "labels.todo": text(),
    "labels.todo_cell": text(),
    **_each("labels.tier", TIERS),
    "labels.tier_with_floor": text("tier", "floor"),
    **_each("labels.light", TIERS),
    **_each("labels.priority", get_args(Priority)),
    "labels.priority_prohibited": text(),
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
    "labels.greeting.name": text("name"),
    "labels.greeting.nobody": text(),
    **_each("labels.scale_up_status", get_args(Status)),
    **_each("labels.answer", ("yes", "no")),
    **_each("labels.hosting", [h for h in get_args(Hosting) if h != "unknown"]),
    **_each("labels.training", ("trains", "does_not_train", "opt_out_available")),
    **_each("labels.vendor_check", VENDOR_CHECKS),
    "labels.no_certification": text(),
    **_each("labels.fact_source", ("none", "client", "unknown_date")),
    "labels.fact_source.register_verified": text("date"),
    "labels.fact_source.register_unverified": text("date"),
    "labels.in_house": text(),
    "labels.in_house_tool": text(),
    "labels.no_use_case": text(),
    "labels.no_reference": text(),
    "labels.payback_not_reached": text(),
    **_each("labels.client", ("director", "director_title", "it_contact")),
    "labels.document.title": text("title", "client"),
    "labels.document.subject": text(),
    "labels.document.keywords": text(),
    # facts.yaml: the facts behind findings
    **_each("facts.value", ("yes", "no", "unknown", "empty_list")),
    "facts.derived": text("name"),
    "facts.derived_with_detail": text("name", "detail"),
    "facts.rule_source": text("file", "line"),
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
    **_clauses(),
    **_each("brief.intro", ("one", "several"), text("tools")),
    "brief.intro.none": text(),
    "report.summary.prohibited.lead": text(),
    "report.summary.prohibited.text": text(),
    "report.summary.blockers": text("count"),
    "report.summary.no_blocker": text(),
    "report.summary.no_blocker_open_questions": text("count"),
    "report.prohibited.obligations": text(),
    "report.prohibited.follow_up": text(),
    "report.roi_not_measurable": text(),
    **_each("report.anti_failure", ANTI_FAILURE_ITEMS, text(*CHECKLIST_VALUES)),
    **_each("report.anti_failure", ("verdict_go", "verdict_wait"), text("count", "total", "max")),
    **_each("report.scale_up", SCALE_UP_ITEMS, text(*CHECKLIST_VALUES)),
    **_each("report.scale_up", ("verdict_ready", "verdict_not_ready")),
    **_each("report.vendor_conclusion", ("stop", "compliant", "not_compliant")),
    "report.next_steps.stop_vendor": text("vendor"),
    "report.next_steps.missing_answers": text("use_case", "fields"),
    "report.next_steps.client_questions": text("fields"),
    "report.next_steps.obligation": text("text", "reference"),
    "report.next_steps.none": text(),
    "report.chart.title": text(),
    **_each("report.chart.quadrant", get_args(Priority)),
    **_each("report.chart.complexity", COMPLEXITIES),
    **_each("report.chart", ("x_axis", "y_axis", "empty", "scale_note", "clipped_note",
                             "colour_note")),
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
