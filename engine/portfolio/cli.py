"""The portfolio commands of ``iapme``: ``impact`` and ``deadlines``.

Registered on the ``iapme`` group by :mod:`engine.cli`, whose options and error handling they
share; each parses its options, calls one library function and prints what it returns.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from engine.cli import AS_OF, PATHS, RULES, _print_error, _rules, handle_user_errors

JOBS = click.option("--jobs", type=click.IntRange(1, 64), default=None,
                    help="Worker processes (default: CPU count).")


@click.command()
@click.argument("paths", nargs=-1, type=PATHS)
@click.option("--baseline", required=True, metavar="REF_OR_DIR",
              help="The rules to compare with: a folder, or a git revision of the rules folder "
                   "(HEAD, main, a tag...).")
@click.option("--out", type=PATHS, default=Path("outputs"), show_default=True,
              help="Output folder whose deliverables edited by hand are checked.")
@click.option("--xlsx", "xlsx", type=PATHS, default=None, metavar="FILE",
              help="Also write the changes as a workbook.")
@click.option("--exit-code", "exit_code", is_flag=True,
              help="Exit with 3 when some client changes (to gate a rule repository in CI).")
@RULES
@AS_OF
@JOBS
@handle_user_errors
def impact(paths: tuple[Path, ...], baseline: str, out: Path, xlsx: Path | None,
           exit_code: bool, rules: Path | None, as_of: dt.date | None, jobs: int | None) -> None:
    """What a change of the rules changes for each client (default: inputs/)."""
    from engine.portfolio.commands import impact_command
    from engine.portfolio.impact import ImpactOptions

    options = ImpactOptions(paths=list(paths) or [Path("inputs")], rules=_rules(rules),
                            baseline=baseline, out=out, as_of=as_of, today=dt.date.today(),
                            jobs=jobs or os.cpu_count() or 1)
    report, lines = impact_command(options, xlsx)
    for line in lines:
        click.echo(line)
    for error in report.failed:
        _print_error(error)
    if report.failed:
        sys.exit(1)
    if exit_code and report.changed:
        sys.exit(3)


@click.command()
@click.argument("paths", nargs=-1, type=PATHS)
@click.option("--within", type=click.IntRange(0, 36_500), default=None, metavar="DAYS",
              help="Only the obligations coming into force in the next DAYS days.")
@click.option("--ics", "ics", type=PATHS, default=None, metavar="FILE",
              help="Also write an iCalendar file (Outlook, Thunderbird): one event per client "
                   "and obligation.")
@RULES
@AS_OF
@JOBS
@handle_user_errors
def deadlines(paths: tuple[Path, ...], within: int | None, ics: Path | None,
              rules: Path | None, as_of: dt.date | None, jobs: int | None) -> None:
    """Every dated obligation of every client, soonest first (default: inputs/)."""
    from engine.portfolio.commands import deadlines_command

    lines, failed = deadlines_command(list(paths) or [Path("inputs")], _rules(rules), as_of,
                                      dt.date.today(), within, ics, jobs or os.cpu_count() or 1)
    for line in lines:
        click.echo(line)
    for error in failed:
        _print_error(error)
    if failed:
        sys.exit(1)


COMMANDS: tuple[click.Command, ...] = (impact, deadlines)
