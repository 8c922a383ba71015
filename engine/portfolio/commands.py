"""The portfolio commands' library API: one function per command, called by
:mod:`engine.portfolio.cli`; each returns what the command prints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from engine.errors import OutputError, UserError
from engine.portfolio.impact import ImpactOptions, ImpactReport, run_impact


def _write(path: Path, data: bytes) -> None:
    from engine.common.atomic import atomic_write

    try:
        atomic_write(path, data)
    except OSError as exc:
        raise OutputError.at(str(path), f"cannot write: {exc.strerror}") from None


def impact_command(options: ImpactOptions, xlsx: Path | None
                   ) -> tuple[ImpactReport, list[str]]:
    """``iapme impact``: the report, its terminal table, and the workbook written if asked."""
    from engine.portfolio.impact_view import impact_lines, impact_xlsx

    report = run_impact(options)
    lines = impact_lines(report)
    if xlsx is not None:
        from engine.documents.text_keys import load_texts

        _write(xlsx, impact_xlsx(report, load_texts(options.rules)))
        lines.append(f"wrote {xlsx}")
    return report, lines


def deadlines_command(paths: Sequence[Path], rules: Path, as_of: dt.date | None,
                      today: dt.date, within: int | None, ics: Path | None, jobs: int = 1
                      ) -> tuple[list[str], list[UserError]]:
    """``iapme deadlines``: the listing (and the ``.ics`` written if asked), the failures."""
    from engine.portfolio.deadlines import deadline_lines, entries, ics_bytes
    from engine.portfolio.evaluate import evaluate
    from engine.rules.base import load_rulebase
    from engine.run.batch import find_profiles

    files, missing = find_profiles(paths)
    rulebase = load_rulebase(rules)
    result = evaluate(files, rulebase, as_of, today, jobs)
    found = entries(result.views, within)
    lines = deadline_lines(found)
    if ics is not None:
        _write(ics, ics_bytes(found, rulebase.texts))
        lines.append(f"wrote {ics}")
    return lines, [*missing, *result.failed]
