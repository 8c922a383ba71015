"""The PDF phase's benchmark: the persistent LibreOffice pool against the path before it.

``pdf_measures(docx_files, workers, rounds)`` converts the same documents both ways, in
``rounds`` alternating rounds (ours, then the old path, on the same slice of documents) so that
both meet the same slow and fast spells of the shared machine:

* ours: :class:`engine.documents.pdf.PdfPool` with ``workers`` LibreOffice processes, started
  for the round (the start-up is in the time);
* the old path (:func:`engine.documents.pdf.convert_documents_oneshot`): one
  ``soffice --convert-to`` call per worker, each starting its own LibreOffice, as
  ``iapme run --pdf`` did before issue 18.

Wall time, all workers, divided by the documents converted: ``pdf_ms_per_document`` and
``old_pdf_ms_per_document``. Every PDF is checked by both paths as in a run.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from engine.documents.pdf import convert_documents_oneshot, open_pool

CREATED = dt.date(2026, 11, 26)


def pdf_measures(docx_files: list[Path], workers: int, rounds: int = 2) -> dict[str, float]:
    documents = [(str(path), path.read_bytes()) for path in docx_files]
    bounds = [len(documents) * r // rounds for r in range(rounds + 1)]
    spent = {"ours": 0.0, "old": 0.0}
    with tempfile.TemporaryDirectory(prefix="iapme-pdf-bench-") as tmp:
        for r in range(rounds):
            part = documents[bounds[r]:bounds[r + 1]]
            begin = time.perf_counter()
            pool = open_pool(Path(tmp), workers=workers)
            if pool is None:
                raise SystemExit("no Python with LibreOffice's uno module (python3-uno)")
            with pool:
                ours = pool.convert(part, CREATED)
            spent["ours"] += time.perf_counter() - begin
            begin = time.perf_counter()
            old = convert_documents_oneshot(part, Path(tmp), workers=workers, timeout_s=3600,
                                            created=CREATED)
            spent["old"] += time.perf_counter() - begin
            if len(ours) != len(part) or len(old) != len(part):
                raise SystemExit("a PDF is missing")
    n = len(documents)
    return {"pdf_documents": n, "pdf_workers": workers,
            "pdf_ms_per_document": spent["ours"] * 1000 / n,
            "old_pdf_ms_per_document": spent["old"] * 1000 / n,
            "pdf_ratio_vs_per_client_soffice": spent["old"] / spent["ours"]}
