"""A small .docx template using every feature the renderer supports, with a matching context.

Used by the tests and ``bench/render_bench.py``: header, footer, a title, a tag split across
runs, inline ``{% if %}``, ``{%p if %}``, a ``{%p for %}`` list, a ``{%tr for %}`` table and an
image paragraph. A test fixture, not engine code: it lives beside the tests (imported as
``tests.documents.sample``; pytest's ``pythonpath`` and the benchmark put the repository root on
the path).
"""

from __future__ import annotations

import datetime
import struct
import zlib
from pathlib import Path
from typing import Any

import docx

from engine.documents.render import DocProperties, Image


def sample_png(width: int = 40, height: int = 20, dpi: int = 96) -> bytes:
    """A valid RGB PNG (a horizontal gradient) built without any imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, 80, 160)) for x in range(width))
        for _ in range(height)
    )
    ppm = round(dpi / 0.0254)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def build_sample_template(path: Path, *, extra_body: tuple[str, ...] = ()) -> Path:
    """Write the sample template to ``path``; ``extra_body`` paragraphs are appended."""
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "{{ client_name }} — rapport confidentiel"
    document.add_heading("Rapport pour {{ client_name }}", level=1)
    split = document.add_paragraph("Client : {{ cli")  # a tag split across two runs
    split.add_run("ent_name }}").bold = True
    document.add_paragraph("{{ summary }}")
    document.add_paragraph(
        "{{ rows | length }} cas{% if rows | length > 1 %}, dont {{ rows[0].name }}{% endif %}."
    )
    document.add_paragraph("{%p if show_notice %}")
    document.add_paragraph("Avis : {{ notice }}")
    document.add_paragraph("{%p endif %}")
    document.add_paragraph("{%p for item in items %}")
    document.add_paragraph("{{ item }}", style="List Bullet")
    document.add_paragraph("{%p endfor %}")
    table = document.add_table(rows=4, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Cas", "Niveau", "Date"), strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for row in rows %}"
    for cell, key in zip(table.rows[2].cells, ("name", "tier", "date"), strict=True):
        cell.text = "{{ row." + key + " }}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    document.add_paragraph("{{ chart }}")
    for text in extra_body:
        document.add_paragraph(text)
    section.footer.paragraphs[0].text = "Généré le {{ generated_on }} par iapme"
    document.save(str(path))
    return path


def sample_context(n_rows: int = 3, **overrides: Any) -> dict[str, Any]:
    """A context that fills every variable of the sample template."""
    context: dict[str, Any] = {
        "client_name": "Boulangerie Lefèvre",
        "summary": "Trois cas d'usage évalués.\nDeux à traiter en priorité.",
        "show_notice": True,
        "notice": "l'outil de recrutement relève de l'annexe III",
        "items": ["Former l'équipe", "Informer les salariés", "Vérifier le contrat"],
        "rows": [
            {"name": f"Cas n°{i}", "tier": "limité", "date": "2 août 2026"}
            for i in range(1, n_rows + 1)
        ],
        "chart": Image(sample_png(), 120.0),
        "generated_on": "26 novembre 2026",
    }
    context.update(overrides)
    return context


SAMPLE_PROPS = DocProperties(
    title="Rapport d'audit IA — Boulangerie Lefèvre",
    subject="Évaluation AI Act et RGPD",
    author="iapme",
    created=datetime.date(2026, 11, 26),
    keywords="IA, conformité",
)
