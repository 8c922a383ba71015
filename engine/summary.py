"""The firm's portfolio view: one row per client in ``summary.csv`` and ``summary.xlsx``."""

from __future__ import annotations

import io
from typing import Any

from engine.assess import Assessment

SUMMARY_FIELDS = [
    "client_id", "client_name", "sector", "as_of", "use_cases", "worst_tier", "prohibited",
    "high_risk", "undetermined", "blockers", "gdpr_gaps", "annual_gain_eur", "annual_cost_eur",
    "roi_percent", "scale_up_ready",
]


def summary_row(assessment: Assessment) -> dict[str, Any]:
    """The portfolio line of one client (machine-readable values, not French formatting)."""
    client = assessment.profile.client
    gain = sum(u.roi.annual_gain for u in assessment.use_cases)
    cost = sum(u.roi.annual_cost for u in assessment.use_cases)
    return {
        "client_id": client.id,
        "client_name": client.name,
        "sector": client.sector,
        "as_of": assessment.as_of.isoformat(),
        "use_cases": len(assessment.use_cases),
        "worst_tier": assessment.worst_tier,
        "prohibited": sum(1 for u in assessment.use_cases if u.tier == "unacceptable"),
        "high_risk": sum(1 for u in assessment.use_cases if u.tier == "high"),
        "undetermined": sum(1 for u in assessment.use_cases if u.tier == "undetermined"),
        "blockers": sum(1 for f in assessment.findings if f.severity == "blocker"),
        "gdpr_gaps": sum(1 for f in assessment.findings
                         if f.kind == "gdpr" and f.severity != "info"),
        "annual_gain_eur": round(gain, 2),
        "annual_cost_eur": round(cost, 2),
        "roi_percent": round((gain - cost) / cost * 100, 1) if cost > 0 else "",
        "scale_up_ready": sum(1 for u in assessment.use_cases if u.scale_up_ready),
    }


def summary_xlsx(rows: list[dict[str, Any]]) -> bytes:
    """The same rows as an Excel workbook, with a fixed creation date for reproducible bytes."""
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Portefeuille"
    sheet.append(SUMMARY_FIELDS)
    for row in rows:
        sheet.append([row.get(name, "") for name in SUMMARY_FIELDS])
    fixed = dt.datetime(2000, 1, 1)
    book.properties.created = fixed
    book.properties.modified = fixed
    buffer = io.BytesIO()
    book.save(buffer)
    return _normalise_zip(buffer.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so identical content gives identical bytes."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
