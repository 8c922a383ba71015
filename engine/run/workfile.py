"""The consultant's working file, ``<client-id>/dossier-travail.xlsx``: the technical trace.

The three documents speak to the client and never name a rule, a profile key or a digest; the
review and the audit of a file need exactly those. One row per finding, in the assessment's
order: its subject, severity and kind, the message and advice, the rule id, the rule's file and
line, the facts that matched (``path = value``, the value in JSON, one per line), the canonical
legal references, the state of the legal point (``law.open_points`` in
``rules/texts/law.yaml``: references whose law is still moving, REFERENCE §9) and the rules
digest. Headers in French, frozen, with filters. Byte-identical for identical inputs (fixed
workbook dates, normalised zip), like ``summary.xlsx``; text a spreadsheet would run as a
formula is written inert.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from engine.common.xlsx import Cell, Sheet, Style, workbook_bytes
from engine.documents.exposure import open_points
from engine.run.summary import inert_text

if TYPE_CHECKING:
    from engine.assessment.assess import Assessment
    from engine.assessment.findings import Finding
    from engine.documents.texts import Texts

COLUMNS = (  # column (its French header: workfile.columns.<column>), width in characters
    ("subject_kind", 12), ("subject", 22), ("name", 26), ("severity", 12), ("kind", 14),
    ("message", 60), ("advice", 45), ("rule", 38), ("file", 30), ("line", 7),
    ("facts", 60), ("references", 28), ("legal_state", 40), ("rules_digest", 20),
)


def trace(because: dict[str, Any]) -> str:
    """The facts of a finding, one ``path = value`` per line (value in JSON)."""
    return "\n".join(f"{path} = {json.dumps(value, ensure_ascii=False)}"
                     for path, value in because.items())


def legal_state(references: tuple[str, ...] | list[str], texts: Texts) -> str:
    """``law.open_points``: the notes of the references whose law is still moving, or
    ``law.open_points_none``."""
    return "\n".join(open_points(references, texts)) or texts.text("law.open_points_none")


def _row(f: Finding, assessment: Assessment, texts: Texts, names: dict[str, str]) -> list[Any]:
    p = f.provenance
    return [
        texts.text(f"workfile.subject.{f.subject_kind}"),
        f.subject, names.get(f"{f.subject_kind}:{f.subject}", f.subject),
        texts.text(f"labels.severity.{f.severity}"), f.kind,
        f.message, f.advice or "", f.rule_id, p.file, p.line, trace(f.because),
        "; ".join(p.references), legal_state(p.references, texts),
        assessment.rules_applied or assessment.rules_digest,  # the rules this client cites
    ]


_HEADER = Style(bold=True, color="FFFFFF", fill="1F3864", wrap=True, vertical="center")
_BODY = Style(wrap=True, vertical="top")


def workfile_xlsx(assessment: Assessment, texts: Texts) -> bytes:
    """The working file of one assessment, reproducible byte for byte."""
    profile = assessment.profile
    names = {f"use_case:{u.id}": u.title for u in profile.use_cases}
    names |= {f"vendor:{v.id}": v.label for v in profile.vendors}
    names[f"client:{profile.client_id}"] = profile.client.name
    rows = [[Cell(texts.text(f"workfile.columns.{column}"), _HEADER) for column, _ in COLUMNS]]
    rows += [[Cell(inert_text(v), _BODY) for v in _row(f, assessment, texts, names)]
             for f in assessment.findings]
    sheet = Sheet(texts.text("workfile.sheet"), rows, widths=[w for _, w in COLUMNS],
                  freeze="A2", autofilter=True)
    return workbook_bytes([sheet], title=texts.text("workfile.title", client=profile.client.name),
                          created=assessment.as_of)
