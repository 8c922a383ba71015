"""The names iapme writes in an output folder; light, so every run may import it.

``<out>/<client-id>/`` holds :data:`DOCUMENT_FILES`, :data:`ASSESSMENT_FILE` and, with
``--pdf``, a PDF beside each document; ``<out>/`` holds :data:`SUMMARY_FILES`, the manifest and
the journal (:mod:`engine.run.manifest`, :mod:`engine.run.journal`).
"""

from __future__ import annotations

DOCUMENT_FILES = ("charte-ia.docx", "brief-dsi.docx", "rapport-audit.docx")
ASSESSMENT_FILE = "assessment.json"
WORKING_FILE = "dossier-travail.xlsx"
"""The consultant's technical trace (:mod:`engine.run.workfile`); not a client document."""
SUMMARY_FILES = ("summary.csv", "summary.xlsx", "index.html")  # the portfolio views


def pdf_name(docx_name: str) -> str:
    """The PDF written beside a document: ``charte-ia.docx`` -> ``charte-ia.pdf``."""
    return docx_name.removesuffix(".docx") + ".pdf"


CLIENT_FILES = frozenset({*DOCUMENT_FILES, ASSESSMENT_FILE, WORKING_FILE,
                          *map(pdf_name, DOCUMENT_FILES)})
"""Every file a client folder may receive."""
