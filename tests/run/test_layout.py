"""Tests of engine.run.layout: the names a run writes, which the output folder's clean-up and
the manifest trust to know what is ours."""

from __future__ import annotations

from engine.run.layout import ASSESSMENT_FILE, CLIENT_FILES, DOCUMENT_FILES, pdf_name


def test_a_pdf_beside_each_document() -> None:
    assert pdf_name("charte-ia.docx") == "charte-ia.pdf"
    assert pdf_name("rapport.docx.docx") == "rapport.docx.pdf"  # only the last suffix


def test_client_files_are_the_documents_their_pdfs_and_the_assessment() -> None:
    expected = {"charte-ia.docx", "brief-dsi.docx", "rapport-audit.docx",
                "charte-ia.pdf", "brief-dsi.pdf", "rapport-audit.pdf", "assessment.json",
                "dossier-travail.xlsx"}
    assert expected == CLIENT_FILES
    assert len(CLIENT_FILES) == 2 * len(DOCUMENT_FILES) + 2  # no two names collide


def test_names_are_plain_and_visible() -> None:
    """No folder, no hidden name: a hidden name is a temporary file (engine.common.atomic)."""
    for name in CLIENT_FILES | {ASSESSMENT_FILE}:
        assert "/" not in name
        assert not name.startswith(".")
