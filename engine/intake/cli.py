"""The intake commands of ``iapme``: ``init``, ``schema``, ``questionnaire``, ``answers import``.

Registered on the ``iapme`` group by :mod:`engine.cli`, whose options and error handling they
share; each parses its options, calls one function of :mod:`engine.intake.commands` and prints
what it returns.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from engine.cli import AS_OF, PATHS, RULES, _print_error, _rules, handle_user_errors


@click.command()
@click.argument("path", required=False, type=PATHS)
@click.option("--id", "client_id", metavar="ID",
              help="Client id (default: the file name of PATH).")
@click.option("--name", help="Company name (default: made from the id, to be corrected).")
@click.option("--sector", type=click.Choice(["artisan", "ecommerce", "cabinet_liberal", "other"]),
              default="other", show_default=True, help="Sector (charter adaptation).")
@click.option("--schema", "schema_ref", metavar="PATH_OR_URL",
              help="What the modeline points to (default: schema/profile.schema.json of the "
                   "current folder, relative to the new file).")
@RULES
@handle_user_errors
def init(path: Path | None, client_id: str | None, name: str | None, sector: str,
         schema_ref: str | None, rules: Path | None) -> None:
    """Write a new profile skeleton (default inputs/<id>.yaml); never overwrites."""
    from engine.intake.commands import init_profile
    from engine.intake.skeleton import Start, default_name
    from engine.profile.validate import CLIENT_ID, RESERVED_IDS

    if path is None and client_id is None:
        raise click.UsageError("give the new profile's PATH or its --id")
    client_id = client_id or (path.stem if path else "")
    if not CLIENT_ID.fullmatch(client_id) or client_id in RESERVED_IDS:
        raise click.BadParameter(
            f"'{client_id}' cannot be a client id: use 1 to 63 lower-case letters, digits "
            "and '-' (e.g. plomberie-martin)", param_hint="--id")
    target = path or Path("inputs") / f"{client_id}.yaml"
    created = init_profile(target, Start(client_id, name or default_name(client_id), sector),
                           _rules(rules), schema_ref)
    if not created.schema_found:
        click.echo(f"warning: {created.schema_ref} does not exist yet: write it with "
                   "iapme schema --out schema/profile.schema.json", err=True)
    click.echo(f"wrote {created.path} (schema: {created.schema_ref})")


@click.command()
@click.option("--out", type=PATHS, help="Write to this file (default: standard output).")
@click.option("--format", "fmt", type=click.Choice(["json", "markdown"]), default="json",
              show_default=True, help="json: the JSON Schema; markdown: docs/profile.md.")
@RULES
@handle_user_errors
def schema(out: Path | None, fmt: str, rules: Path | None) -> None:
    """The JSON Schema (draft 2020-12) of a profile, from the validation model."""
    from engine.intake.commands import schema_document, write_text

    text = schema_document(_rules(rules), fmt)
    if out is None:
        click.echo(text, nl=False)
        return
    write_text(out, text)
    click.echo(f"wrote {out}", err=True)


@click.command()
@click.argument("paths", nargs=-1, type=PATHS)
@click.option("--out", type=PATHS, default=Path("outputs"), show_default=True,
              help="Output folder.")
@RULES
@AS_OF
@click.option("--force", is_flag=True, help="Replace a questionnaire that holds answers.")
@handle_user_errors
def questionnaire(paths: tuple[Path, ...], out: Path, rules: Path | None, as_of: dt.date | None,
                  force: bool) -> None:
    """Write <out>/<client-id>/questionnaire.xlsx for each profile with open questions."""
    from engine.intake.commands import write_questionnaires

    report = write_questionnaires(list(paths) or [Path("inputs")], out, _rules(rules), as_of,
                                  dt.date.today(), force=force)
    for error in report.failed:
        _print_error(error)
    for path, count in report.written:
        click.echo(f"wrote {path} ({count} question(s))")
    for client_id in report.nothing_open:
        click.echo(f"{client_id}: no open question, no questionnaire")
    click.echo(f"{len(report.written)} written, {len(report.nothing_open)} without open "
               f"question, {len(report.failed)} failed -> {out}")
    sys.exit(report.exit_code)


@click.group()
def answers() -> None:
    """Bring a filled questionnaire back into its profile."""


@answers.command("import")
@click.argument("xlsx", type=PATHS)
@click.option("--profile", type=PATHS,
              help="The profile to complete (default: the one the questionnaire was made from).")
@click.option("--dry-run", is_flag=True, help="Print the changes; write nothing.")
@RULES
@handle_user_errors
def answers_import(xlsx: Path, profile: Path | None, dry_run: bool,
                   rules: Path | None) -> None:
    """Merge the answers of a filled questionnaire into its profile (comments kept)."""
    from engine.intake.commands import import_answers

    result = import_answers(xlsx, profile, _rules(rules), dt.date.today(), dry_run=dry_run)
    if result.diff:
        click.echo(result.diff, nl=False)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    state = ("written" if result.written else "dry run, nothing written" if dry_run
             else "nothing to write")
    click.echo(f"{result.merged} answer(s) merged into {result.profile} ({state}); "
               f"{result.still_open} question(s) still open")


COMMANDS: tuple[click.Command, ...] = (init, schema, questionnaire, answers)
