"""The firm's portfolio view: one row per client in ``summary.csv`` and ``summary.xlsx``.

Columns (issues 5 and 17): sector, use cases, worst tier, blockers, GDPR gaps, ROI, scale-up
readiness, with the client's id, name and assessment date, the tier counts and the ROI's two sides;
the most binding decision and the count of each decision (SPEC v2 ``decision``), the next deadline
(the soonest one binding the client, :meth:`ClientView.next_deadline`). The ROI is that of the use
cases whose ROI is measured; ``roi_to_complete`` counts the others (gains or costs not entered),
``sector_label`` is the client's own wording of its sector, if any. Each client's record in the
manifest also keeps its dated obligations (:func:`deadline_rows`), for the workbook's "Échéances"
sheet and ``index.html``. The CSV keeps machine values (codes, ISO dates, plain numbers, ``""``
when unknown) for scripts; the workbook (:mod:`engine.portfolio.workbook`) shows them in French.
Both are byte-identical for identical rows. Text that a spreadsheet would run as a formula is
written with a leading apostrophe in both.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.portfolio.text_keys import DECISIONS

if TYPE_CHECKING:
    from engine.assessment.assess import Assessment
    from engine.portfolio.workbook import PortfolioClient
    from engine.run.manifest import Manifest

SUMMARY_FIELDS = [  # the CSV's columns: machine values (the workbook has them in French)
    "client_id", "client_name", "sector", "as_of", "use_cases", "worst_tier", "prohibited",
    "high_risk", "undetermined", "blockers", "gdpr_gaps", "annual_gain_eur", "annual_cost_eur",
    "roi_percent", "scale_up_ready", *(f"decision_{s}" for s in DECISIONS), "decisions",
    "actions", "actions_now", "actions_blocking", "next_deadline", "decision",
    "next_deadline_reference", "next_deadline_text", "roi_to_complete", "sector_label",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert_text(value: Any) -> Any:
    """``value``, when it is text a spreadsheet would run as a formula (``=HYPERLINK(...)``,
    ``+cmd|...``, ``@SUM(...)``), prefixed with an apostrophe (OWASP: CSV injection)."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _inert(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with every formula-like text made inert (:func:`inert_text`)."""
    return {k: inert_text(v) for k, v in row.items()}


def summary_row(assessment: Assessment) -> dict[str, Any]:
    """The portfolio line of one client (machine-readable values, not French formatting)."""
    from engine.portfolio.snapshot import client_view

    client = assessment.profile.client
    use_cases = assessment.use_cases
    view = client_view(assessment, "")
    decisions = [u.decision for u in view.use_cases.values() if u.decision in DECISIONS]
    coming = view.next_deadline()
    actions: list[Any] = list(getattr(assessment, "actions", None) or [])  # SPEC v2 actions
    gain = sum(u.roi.annual_gain for u in use_cases)
    cost = sum(u.roi.annual_cost for u in use_cases)
    # The ROI of the use cases whose ROI is measured: one without its gains entered would
    # count its cost against nothing (roi_to_complete counts those left out).
    measured = [u.roi for u in use_cases if u.roi.status == "computed"]
    measured_gain = sum(r.annual_gain for r in measured)
    measured_cost = sum(r.annual_cost for r in measured)
    return {
        "client_id": assessment.profile.client_id,
        "client_name": client.name,
        "sector": client.sector,
        "as_of": assessment.as_of.isoformat(),
        "use_cases": len(use_cases),
        "worst_tier": assessment.worst_tier,
        "prohibited": sum(1 for u in use_cases if u.tier == "unacceptable"),
        "high_risk": sum(1 for u in use_cases if u.tier == "high"),
        "undetermined": sum(1 for u in use_cases if u.tier == "undetermined"),
        "blockers": sum(1 for f in assessment.findings if f.severity == "blocker"),
        "gdpr_gaps": sum(1 for f in assessment.findings
                         if f.kind == "gdpr" and f.severity != "info"),
        "annual_gain_eur": round(gain, 2),
        "annual_cost_eur": round(cost, 2),
        "roi_percent": round((measured_gain - measured_cost) / measured_cost * 100, 1)
        if measured_cost > 0 else "",
        "scale_up_ready": sum(1 for u in use_cases if u.scale_up_ready),
        **{f"decision_{status}": decisions.count(status) for status in DECISIONS},
        "decisions": "; ".join(f"{u.id}={u.decision}" for u in view.use_cases.values()
                               if u.decision),
        "actions": len(actions),
        "actions_now": sum(1 for a in actions if getattr(a, "due", None) == "immediately"),
        "actions_blocking": sum(1 for a in actions if getattr(a, "blocking", False)),
        "next_deadline": coming.date.isoformat() if coming else "",
        "decision": min(decisions, key=DECISIONS.index) if decisions else "",
        "next_deadline_reference": coming.reference if coming else "",
        "next_deadline_text": coming.text if coming else "",
        "roi_to_complete": sum(1 for u in use_cases if u.roi.status == "to_complete"),
        "sector_label": client.sector_label or "",
    }


def deadline_rows(assessment: Assessment) -> list[list[str | int]]:
    """The client's dated obligations as the manifest keeps them: ``[date, reference, text,
    use cases' titles (one a line), in force (0/1)]``, soonest first."""
    from engine.portfolio.snapshot import client_view

    view = client_view(assessment, "")
    titles = {u.id: u.title for u in view.use_cases.values()}
    return [[d.date.isoformat(), d.reference, d.text,
             "\n".join(titles.get(u, u) for u in d.use_cases), int(d.in_force)]
            for d in view.deadlines if d.kind == "obligation"]


def summary_csv(rows: list[dict[str, Any]]) -> bytes:
    """The rows as UTF-8 CSV with a header line, in the given order."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUMMARY_FIELDS, lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    writer.writerows(_inert(row) for row in rows)
    return buffer.getvalue().encode("utf-8")


def portfolio_clients(manifest: Manifest, present: Callable[[str], bool]
                      ) -> list[PortfolioClient]:
    """Every client of the manifest whose folder is ``present``, with its row, its dated
    obligations and its files (relative paths), sorted by id."""
    from engine.portfolio.workbook import PortfolioClient

    files: dict[str, list[str]] = {}
    for key in manifest.files:
        folder, _, _ = key.rpartition("/")
        if folder:
            files.setdefault(folder, []).append(key)
    return [PortfolioClient(record["summary"], list(record.get("deadlines", [])),
                            tuple(sorted(files.get(client_id, []))))
            for client_id, record in sorted(manifest.clients.items())
            if "summary" in record and present(client_id)]


def portfolio_digest(clients: list[PortfolioClient], rules_dir: Path) -> str:
    """What the portfolio views are made from: the clients' rows, dated obligations and
    files, and the wording (``rules/texts``)."""
    from engine.common.digest import sha256, tree_digest
    from engine.documents.texts import TEXTS_DIR

    data = json.dumps([[c.row, c.deadlines, c.documents] for c in clients], sort_keys=True,
                      ensure_ascii=False)
    return sha256((data + tree_digest(rules_dir / TEXTS_DIR)).encode("utf-8"))
