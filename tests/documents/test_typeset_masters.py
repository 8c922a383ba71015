"""tools/typeset_masters.py, the replayable edits of the masters: the shipped masters are its
result (a second run changes nothing). After taking other masters, rerun it:
``python tools/typeset_masters.py && iapme templates snapshot --templates doc_templates``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_masters_are_the_scripts_result(tmp_path: Path) -> None:
    for name in ("charte-ia.docx", "brief-dsi.docx", "rapport-audit.docx"):
        shutil.copy(ROOT / "doc_templates" / name, tmp_path / name)
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "typeset_masters.py"),
                             str(tmp_path)], capture_output=True, text=True, check=True,
                            cwd=ROOT)
    lines = [line for line in result.stdout.splitlines() if line.endswith(("written",
                                                                          "unchanged"))]
    assert lines == [f"{n}: unchanged" for n in ("rapport-audit.docx", "brief-dsi.docx",
                                                 "charte-ia.docx")], result.stdout


def test_masters_are_the_report_restructurings_result(tmp_path: Path) -> None:
    """tools/report_master.py (the report's sections, issue 14) finds nothing left to do."""
    for name in ("charte-ia.docx", "brief-dsi.docx", "rapport-audit.docx"):
        shutil.copy(ROOT / "doc_templates" / name, tmp_path / name)
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "report_master.py"),
                             str(tmp_path)], capture_output=True, text=True, check=True,
                            cwd=ROOT)
    assert result.stdout.splitlines()[-1] == "unchanged", result.stdout
    assert "report structure: nothing to do" in result.stdout
    for name in ("charte-ia.docx", "brief-dsi.docx", "rapport-audit.docx"):
        assert (tmp_path / name).read_bytes() == (ROOT / "doc_templates" / name).read_bytes()
