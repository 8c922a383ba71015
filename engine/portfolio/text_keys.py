"""The texts the portfolio views read from ``rules/texts/portfolio.yaml`` (the summary
workbook, ``index.html``, the ``.ics`` calendar and the impact workbook).

Merged into :data:`engine.documents.text_keys.SCHEMA`, so ``iapme rules lint`` reports a
missing key, a key no code reads and an unknown placeholder.
"""

from __future__ import annotations

from engine.documents.texts import TextSpec, text

DECISIONS = ("stop", "regularise_now", "fix_before_launch", "to_complete",
             "proceed_with_conditions", "proceed")
"""SPEC v2 ``decision.status``, the most severe first (rules/decision.yaml's precedence)."""
IMPACT_KINDS = ("tier", "decision", "obligation_added", "obligation_removed",
                "obligation_moved", "obligation_reworded", "blocker_added", "blocker_removed",
                "client_added", "client_removed")
IMPACT_COLUMNS = ("client", "use_case", "change", "reference", "before", "after", "text",
                  "rework")
SUMMARY_COLUMNS = ("client", "sector", "as_of", "use_cases", "worst_tier", "decision",
                   "decisions", "blockers", "actions_now", "gdpr_gaps", "next_deadline",
                   "next_deadline_text", "annual_gain", "annual_cost", "roi", "scale_up",
                   "report")
DEADLINE_COLUMNS = ("client", "date", "reference", "text", "use_cases", "in_force")
PAGE_TEXTS = ("title", "heading", "intro", "decisions_chart", "tiers_chart", "deadlines_chart",
              "deadlines_heading", "documents", "no_deadline", "no_client", "footer",
              "chart_empty")
P = "portfolio."


def _each(prefix: str, names: tuple[str, ...], spec: TextSpec | None = None
          ) -> dict[str, TextSpec]:
    return {f"{prefix}.{n}": spec or text() for n in names}


PORTFOLIO_TEXTS: dict[str, TextSpec] = {
    **_each(P + "decision", (*DECISIONS, "none")),
    P + "impact.sheet": text(),
    **_each(P + "impact.column", IMPACT_COLUMNS),
    **_each(P + "impact.kind", IMPACT_KINDS),
    P + "impact.rework": text("files"),
    P + "summary.sheet": text(),
    P + "summary.deadlines_sheet": text(),
    **_each(P + "summary.column", SUMMARY_COLUMNS),
    **_each(P + "summary.deadline_column", DEADLINE_COLUMNS),
    P + "summary.report_link": text(),
    P + "summary.decision_count": text("count", "decision"),
    P + "summary.in_force": text(),
    P + "summary.coming": text(),
    P + "summary.none": text(),
    P + "ics.name": text(),
    P + "ics.summary": text("client", "text"),
    P + "ics.description": text("client", "reference", "use_cases", "text"),
    **_each(P + "page", PAGE_TEXTS),
    P + "page.generated": text("count", "date"),
    P + "page.month_count": text("count"),
    P + "page.file.assessment": text(),
    P + "page.file.pdf": text("title"),
    P + "page.file.summary": text(),
}
