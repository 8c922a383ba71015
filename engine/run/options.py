"""What a batch run is asked to do (:class:`BatchOptions`) and what it did (:class:`BatchReport`).

Kept apart from :mod:`engine.run.batch` so the worker processes (:mod:`engine.run.workers`) can
read the options without importing the batch that starts them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import UserError
from engine.run.outputs import ClientWrite


@dataclass
class BatchOptions:
    paths: Sequence[Path]
    out: Path
    rules: Path
    templates: Path
    as_of: dt.date | None
    today: dt.date
    jobs: int = 1
    force: bool = False
    pdf: bool = False


@dataclass
class BatchReport:
    written: list[ClientWrite] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[UserError] = field(default_factory=list)
    protected: list[str] = field(default_factory=list)  # files kept because edited by hand
    # protected documents whose client's assessment changed in this run: to rework by hand
    rework: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0
