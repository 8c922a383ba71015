"""A LibreOffice kept running, fed documents to convert through its UNO API.

``PYTHON -I bridge.py SOFFICE PROFILE_URL PIPE_NAME``, run by an interpreter that has
LibreOffice's ``uno`` module (Debian's ``python3-uno``, or the ``python`` bundled with
LibreOffice), never by iapme's own interpreter: the bridge is standard library plus ``uno``.

It starts LibreOffice (same process group: :mod:`engine.documents.guard` kills both), connects
to it over a named pipe, prints ``ready`` and then reads one JSON list of ``[docx, pdf]`` path
pairs per line on stdin; for each pair it prints one JSON line, ``{"ok": pdf}`` or
``{"error": message}``, as soon as that document is done. End of stdin: LibreOffice is asked
to quit and the bridge exits. Any failure to reach LibreOffice ends the bridge (exit 3): the
caller starts a new one.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CONNECT_S = 60.0
_CONTEXT = "StarOffice.ComponentContext"


def _uno() -> Any:
    """LibreOffice's ``uno`` module (imported here: iapme's own tests import this file)."""
    import uno  # type: ignore[import-not-found]  # only under LibreOffice's Python bridge

    return uno


def _prop(name: str, value: object) -> Any:
    prop = _uno().createUnoStruct("com.sun.star.beans.PropertyValue")
    prop.Name, prop.Value = name, value
    return prop


def _connect(office: subprocess.Popen[bytes], pipe: str) -> Any:
    local = _uno().getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_S
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;{_CONTEXT}")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:  # NoConnectException until LibreOffice listens
            if office.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _convert(desktop: Any, source: str, target: str) -> None:
    load = (_prop("Hidden", True), _prop("ReadOnly", True), _prop("UpdateDocMode", 0),
            _prop("MacroExecutionMode", 0))
    doc = desktop.loadComponentFromURL(Path(source).as_uri(), "_blank", 0, load)
    if doc is None:
        raise RuntimeError("LibreOffice could not open the document")
    try:
        doc.storeToURL(Path(target).as_uri(), (_prop("FilterName", "writer_pdf_Export"),))
    finally:
        doc.close(True)


def _alive(office: subprocess.Popen[bytes], desktop: Any) -> bool:
    """LibreOffice still runs and answers (a killed one leaves a dead connection)."""
    if office.poll() is not None:
        return False
    try:
        desktop.getFrames()
    except Exception:
        return False
    return True


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print("usage: bridge.py SOFFICE PROFILE_URL PIPE_NAME", file=sys.stderr)
        return 2
    soffice, profile, pipe = argv[1:]
    try:
        _uno()
    except ImportError:
        print("this Python has no LibreOffice uno module (python3-uno)", file=sys.stderr)
        return 3
    office = subprocess.Popen(
        [soffice, "--headless", "--invisible", "--norestore", "--nolockcheck", "--nologo",
         "--nodefault", f"-env:UserInstallation={profile}",
         f"--accept=pipe,name={pipe};urp;{_CONTEXT}"],
        stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno())  # stdout: the replies only
    try:
        desktop = _connect(office, pipe)
    except Exception as exc:
        print(f"cannot reach LibreOffice: {exc}", file=sys.stderr)
        return 3
    print("ready", flush=True)
    for line in sys.stdin:
        for source, target in json.loads(line):
            try:
                _convert(desktop, source, target)
                reply: dict[str, str] = {"ok": target}
            except Exception as exc:
                if not _alive(office, desktop):
                    print(f"LibreOffice is gone: {exc}", file=sys.stderr)
                    return 3  # the caller charges this document and starts a new one
                reply = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
            print(json.dumps(reply), flush=True)
    with contextlib.suppress(Exception):  # already gone
        desktop.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
