"""The PDF phase's benchmark: the persistent LibreOffice pool against the path before it.

``pdf_measures(out, count, workers, rounds)`` takes the .docx files of the first clients of the
output folder ``out`` (``count`` documents at least, whole clients) and converts them both ways,
grouped as ``iapme run --pdf`` groups them (by the assessment date stamped into the PDFs), in
``rounds`` alternating rounds (ours, then the old path, on the same clients) so that both meet
the same slow and fast spells of the shared machine:

* ours (:func:`engine.run.pdfs.write_pdfs` today): one
  :class:`engine.documents.pdf.PdfPool` of ``workers`` LibreOffice processes for the round,
  fed every date's documents in one batch (its start-up is in the time);
* the old path (``write_pdfs`` before issue 18): for each date, one
  :func:`engine.documents.pdf.convert_documents_oneshot` call, which starts one
  ``soffice --convert-to`` per worker. The synthetic clients' assessment dates spread over four
  months, so a date holds about three clients: about one LibreOffice start per client.

Wall time, all workers, divided by the documents converted: ``pdf_ms_per_document`` and
``old_pdf_ms_per_document``. Both paths check every PDF as in a run.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path

from engine.documents.pdf import convert_documents_oneshot, open_pool
from engine.documents.pdf.checks import stable


def _by_date(out: Path, count: int) -> list[list[tuple[dt.date, list[tuple[str, bytes]]]]]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    clients = []
    total = 0
    for client_id, record in sorted(manifest["clients"].items()):
        if total >= count:
            break
        docs = [(str(out / client_id / name), (out / client_id / name).read_bytes())
                for name in record["files"] if name.endswith(".docx")]
        clients.append((dt.date.fromisoformat(record["summary"]["as_of"]), docs))
        total += len(docs)
    return [[(d, docs)] for d, docs in clients]


def pdf_measures(out: Path, count: int, workers: int, rounds: int = 2) -> dict[str, float]:
    clients = [c for (c,) in _by_date(out, count)]
    bounds = [len(clients) * r // rounds for r in range(rounds + 1)]
    spent = {"ours": 0.0, "old": 0.0}
    n = sum(len(docs) for _, docs in clients)
    differ = 0
    with tempfile.TemporaryDirectory(prefix="iapme-pdf-bench-") as tmp:
        for r in range(rounds):
            groups: dict[dt.date, list[tuple[str, bytes]]] = {}
            for date, docs in clients[bounds[r]:bounds[r + 1]]:
                groups.setdefault(date, []).extend(docs)
            begin = time.perf_counter()
            pool = open_pool(Path(tmp), workers=workers)
            if pool is None:
                raise SystemExit("no Python with LibreOffice's uno module (python3-uno)")
            with pool:  # as write_pdfs: every date's documents in one batch
                flat = [(date, doc) for date, docs in sorted(groups.items()) for doc in docs]
                raw = pool.convert([doc for _, doc in flat])
                pdfs = [stable(pdf, date) for (date, _), pdf in zip(flat, raw, strict=True)]
            ours, at = [], 0
            for _, docs in sorted(groups.items()):
                ours.append(pdfs[at:at + len(docs)])
                at += len(docs)
            spent["ours"] += time.perf_counter() - begin
            begin = time.perf_counter()
            old = [convert_documents_oneshot(docs, Path(tmp), workers=workers, timeout_s=3600,
                                             created=date)
                   for date, docs in sorted(groups.items())]
            spent["old"] += time.perf_counter() - begin
            for mine, theirs in zip(ours, old, strict=True):
                for one, other in zip(mine, theirs, strict=True):
                    if one != other:  # kept for a look: the two paths should agree
                        differ += 1
                        keep = Path(tempfile.mkdtemp(prefix="iapme-pdf-differ-"))
                        (keep / "pool.pdf").write_bytes(one)
                        (keep / "oneshot.pdf").write_bytes(other)
                        print(f"pdf_differs: {keep}")
    return {"pdf_documents": n, "pdf_workers": workers, "pdf_dates": len({d for d, _ in clients}),
            "pdf_ms_per_document": spent["ours"] * 1000 / n,
            "old_pdf_ms_per_document": spent["old"] * 1000 / n,
            "pdf_ratio_vs_per_client_soffice": spent["old"] / spent["ours"],
            "pdf_bytes_differ": differ}
