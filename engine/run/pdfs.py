"""``iapme run --pdf``: a PDF beside each document, never older than the document.

Each PDF's manifest entry records the digest of the very .docx bytes it was converted from
(and the assessment date stamped into it): a PDF is converted again whenever the document
beside it is not those bytes any more (rewritten by a later run without ``--pdf``, restored
or edited by hand), or when the PDF itself is missing or changed. The bytes read are the
bytes converted and fingerprinted. This runs under the output folder's lock, through the
batch's writer (atomic, journaled); PDFs are not protected (they are derived files).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from engine.common.digest import sha256
from engine.errors import ObstructedError, UserError
from engine.run.layout import pdf_name
from engine.run.manifest import Manifest
from engine.run.outputs import Writer
from engine.run.records import disk_bytes, disk_sha256, plain_name

MAX_DOCX_BYTES = 256 * 2**20


def stale_documents(out: Path, manifest: Manifest, client_ids: Iterable[str]
                    ) -> dict[dt.date, list[tuple[str, str, bytes]]]:
    """Per assessment date, the (client id, document name, .docx bytes) whose PDF is missing,
    changed, or made from other bytes than the document's."""
    todo: dict[dt.date, list[tuple[str, str, bytes]]] = {}
    for client_id in sorted(client_ids):
        record = manifest.clients.get(client_id)
        if record is None:
            continue
        as_of = str(record.get("summary", {}).get("as_of", ""))
        try:
            created = dt.date.fromisoformat(as_of)
        except ValueError:
            continue
        for name in filter(plain_name, record.get("files", [])):
            if not name.endswith(".docx"):
                continue
            try:
                data = disk_bytes(out, f"{client_id}/{name}", MAX_DOCX_BYTES)
                pdf_key = f"{client_id}/{pdf_name(name)}"
                current = disk_sha256(out, pdf_key)
            except OSError:
                continue  # an obstructed or vanished document: the run reports the client
            entry = manifest.files.get(pdf_key)
            if entry is None or current != entry["sha256"] \
                    or entry["inputs"] != pdf_inputs(data, created):
                todo.setdefault(created, []).append((client_id, name, data))
    return todo


def pdf_inputs(docx: bytes, created: dt.date) -> dict[str, str]:
    """What a PDF is made from: its document's bytes and the date stamped into it."""
    return {"docx": sha256(docx), "as_of": created.isoformat()}


def write_pdfs(out: Path, manifest: Manifest, writer: Writer, client_ids: Iterable[str],
               *, workers: int = 2) -> list[UserError]:
    """Convert the stale documents of ``client_ids`` and write their PDFs; return the
    clients whose PDF could not be written (the others are written).

    One pool of ``workers`` LibreOffice processes, started once, converts every document in
    one batch, whatever its date (:func:`engine.documents.pdf.open_pool`): either every PDF is
    written, or none and an :class:`OutputError`. Where UNO is missing, one LibreOffice call
    per worker and date, each date's PDFs written all or none.
    """
    from engine.documents.pdf import convert_documents, open_pool
    from engine.documents.pdf.checks import stable

    stale = [(created, client_id, name, data)
             for created, documents in sorted(stale_documents(out, manifest, client_ids).items())
             for client_id, name, data in documents]
    pool = open_pool(out, workers=min(workers, len(stale))) if stale else None
    if pool is not None:
        with pool:
            raw = convert_documents([(str(out / c / n), data) for _, c, n, data in stale], out,
                                    pool=pool)
        pdfs = [stable(pdf, created) for (created, *_), pdf in zip(stale, raw, strict=True)]
        failures = _place(writer, stale, pdfs)
    else:
        failures = []
        for created in sorted({created for created, *_ in stale}):
            group = [item for item in stale if item[0] == created]
            pdfs = convert_documents([(str(out / c / n), data) for _, c, n, data in group], out,
                                     workers=workers, created=created)
            failures += _place(writer, group, pdfs)
    writer.flush()
    return failures


def _place(writer: Writer, documents: list[tuple[dt.date, str, str, bytes]],
           pdfs: list[bytes]) -> list[UserError]:
    failures: list[UserError] = []
    for (created, client_id, name, data), pdf in zip(documents, pdfs, strict=True):
        try:
            writer.add(client_id, {pdf_name(name): pdf}, pdf_inputs(data, created),
                       protect=False)
        except ObstructedError as exc:
            failures.append(exc)
    return failures
