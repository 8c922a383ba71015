"""The audit report a firm signs (issue 14): its sections in order, each with content, the
points of law still moving said once (in "Périmètre et limites"), and no near-empty page in
any of the three documents once converted to PDF.

Read from the generated .docx (python-docx) of every sample profile and of the hidden client
(tests/data/profiles/hidden-client.yaml); the PDFs come from the project's LibreOffice path
(engine.documents.pdf) and are read page by page with ``pdftotext -f i -l i``.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from engine.documents.pdf import convert_to_pdf, find_soffice
from engine.run.pipeline import DOCUMENTS
from tests.conftest import SampleRenders

ROOT = Path(__file__).resolve().parents[2]
PROFILES = [*sorted((ROOT / "inputs").glob("*.yaml")),
            ROOT / "tests" / "data" / "profiles" / "hidden-client.yaml"]
REPORT = "rapport-audit.docx"

# The report's Heading 1 sections, in the order (other sections may come between).
SECTIONS = ("Synthèse pour la direction", "Périmètre et limites", "Cas d’usage\u00a0: ",
            "Fournisseurs et RGPD", "Plan d’action", "Échéancier", "Sanctions encourues",
            "Glossaire")
# The annex of the findings the body does not state: last, with its table, only when some are.
ANNEX = "Annexe – Constats complémentaires"
MIN_SECTION_WORDS = 12
UNVERIFIED = re.compile(r"(?:non|pas) (?:encore )?vérifié", re.IGNORECASE)
# A page of the PDF with fewer words than this (the footer's twelve or so included) carries
# three or four lines of text at most: a near-empty page. Only the report's cover (about 70
# words) may be that light; the lightest other pages of the samples hold over 110 words.
MIN_PAGE_WORDS = 60


@pytest.fixture(scope="module")
def documents(sample_renders: SampleRenders) -> dict[str, dict[str, bytes]]:
    """The three documents of the samples and of the hidden client (the session's renders)."""
    return {stem: {name: render.files[name] for name in DOCUMENTS}
            for stem, render in sample_renders.clients.items()}


def sections(data: bytes) -> list[tuple[str, str]]:
    """The report's Heading 1 sections in order: (heading, the text until the next one),
    tables included."""
    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    out: list[tuple[str, list[str]]] = []
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = docx.text.paragraph.Paragraph(child, document)
            if paragraph.style is not None and paragraph.style.name == "Heading 1":
                out.append((paragraph.text.strip(), []))
                continue
            text = paragraph.text
        elif tag == "tbl":
            text = " ".join(cell.text for row in docx.table.Table(child, document).rows
                            for cell in row.cells)
        else:
            continue
        if out:
            out[-1][1].append(text)
    return [(heading, "\n".join(lines)) for heading, lines in out]


def test_the_report_has_its_sections_in_order_each_with_content(
        documents: dict[str, dict[str, bytes]]) -> None:
    for client, files in documents.items():
        found = sections(files[REPORT])
        headings = [h for h, _ in found]
        positions = []
        for wanted in SECTIONS:
            index = next((i for i, h in enumerate(headings) if h.startswith(wanted)), None)
            assert index is not None, f"{client}: no section «{wanted}» in {headings}"
            positions.append(index)
        assert positions == sorted(positions), f"{client}: sections out of order: {headings}"
        if ANNEX in headings:
            assert headings[-1] == ANNEX, f"{client}: the annex is not last: {headings}"
            assert docx.Document(io.BytesIO(files[REPORT])).tables[-1].rows[0].cells[0].text \
                == "Objet", client
        for heading, text in found:
            assert len(text.split()) >= MIN_SECTION_WORDS, f"{client}: «{heading}» is empty"


def test_the_summary_states_decisions_actions_and_exposure(
        documents: dict[str, dict[str, bytes]]) -> None:
    for client, files in documents.items():
        summary = dict(sections(files[REPORT]))["Synthèse pour la direction"]
        assert "Décision par cas d’usage" in summary, client
        assert "Échéance" in summary, client
        assert "Exposition" in summary, client
        assert "«\u00a0Sanctions encourues\u00a0»" in summary, client


def test_unverified_law_is_said_once_in_the_scope(documents: dict[str, dict[str, bytes]]) -> None:
    for client, files in documents.items():
        for heading, text in sections(files[REPORT]):
            if heading != "Périmètre et limites":
                hits = [m.group() for m in UNVERIFIED.finditer(text)]
                assert not hits, f"{client}: «{hits[0]}» in «{heading}»"


def test_the_annex_holds_what_the_body_does_not_say(
        documents: dict[str, dict[str, bytes]]) -> None:
    """A prohibited practice's section states only the prohibition: its other findings are in
    the annex (Vigie); a client whose findings all appear in the body has no annex."""
    annexed = {client for client, files in documents.items()
               if ANNEX in dict(sections(files[REPORT]))}
    assert "vigie-retail" in annexed
    assert "plomberie-martin" not in annexed


def test_the_annex_does_not_repeat_the_body(documents: dict[str, dict[str, bytes]]) -> None:
    """No finding of the annex is also a paragraph of the body."""
    for client, files in documents.items():
        found = sections(files[REPORT])
        body = "\n".join(text for heading, text in found if not heading.startswith("Annexe"))
        annex = docx.Document(io.BytesIO(files[REPORT])).tables[-1]
        if annex.rows[0].cells[0].text != "Objet":
            continue  # no annex table: every finding is in the body
        for row in annex.rows[1:]:
            assert row.cells[2].text not in body, f"{client}: {row.cells[2].text[:60]}"


def _words_per_page(pdf: Path) -> list[int]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    found = re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
    assert found is not None, info.stdout
    pages = int(found.group(1))
    return [len(subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"],
                               capture_output=True, text=True, check=True).stdout.split())
            for i in range(1, pages + 1)]


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice or pdftotext not installed")
def test_no_near_empty_page(documents: dict[str, dict[str, bytes]], tmp_path: Path) -> None:
    paths = []
    for client, files in documents.items():
        for name, data in files.items():
            path = tmp_path / client / name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
            paths.append(path)
    light = []
    for pdf in convert_to_pdf(paths, None, workers=2):
        words = _words_per_page(pdf)
        first = 2 if pdf.name == "rapport-audit.pdf" else 1  # the report's cover is light
        light += [f"{pdf.parent.name}/{pdf.name} p. {i}: {n} words"
                  for i, n in enumerate(words, start=1) if i >= first and n < MIN_PAGE_WORDS]
    assert not light, "near-empty pages:\n" + "\n".join(light)
