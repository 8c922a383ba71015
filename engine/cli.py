"""The ``iapme`` command line: parses options, calls one library function, prints the outcome.

Exit codes (SPEC §1): 0 all went well; 1 a profile, rule or template was rejected (the others
were still processed); 2 usage error. User errors are printed without traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from engine.common.project import resolve
from engine.common.text import printable
from engine.errors import UserError

F = TypeVar("F", bound=Callable[..., Any])
PATHS = click.Path(path_type=Path)


def _print_error(error: UserError) -> None:
    """Each problem on its own line; control characters shown escaped, never replayed."""
    for line in str(error).splitlines():
        click.echo(f"error: {printable(line)}", err=True)


def handle_user_errors(func: F) -> F:
    """Turn any :class:`UserError` into its message on stderr and exit code 1.

    An ``OSError`` the library did not place (a path too long for the system, a permission
    refused) is printed the same way, located at its file: never a traceback.
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            _print_error(exc)
            sys.exit(1)
        except BrokenPipeError:  # the reader went away (| head): say nothing more
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except OSError as exc:
            where = exc.filename if exc.filename is not None else "iapme"
            _print_error(UserError.at(str(where), f"cannot read or write: {exc.strerror or exc}"))
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _rules(option: Path | None) -> Path:
    """The rule folder: the option, iapme.toml's, ./rules, or the shipped one."""
    return resolve("rules", Path.cwd(), option)


def _templates(option: Path | None) -> Path:
    """The template folder: the option, iapme.toml's, ./doc_templates, or the shipped one."""
    return resolve("templates", Path.cwd(), option)


def _parse_date(_: Any, __: Any, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date written YYYY-MM-DD") from None
    if not dt.date(1900, 1, 1) <= date <= dt.date(2100, 12, 31):
        raise click.BadParameter(f"'{value}' is outside 1900-01-01 to 2100-12-31")
    return date


AS_OF = click.option("--as-of", callback=_parse_date, metavar="YYYY-MM-DD",
                     help="Legal date of the assessment (default: the profile's assessment.date, "
                          "else today).")
RULES = click.option("--rules", type=PATHS, default=None,
                     help="Rule folder, with its vendor register (default: the one named in "
                          "iapme.toml, else ./rules, else the rules shipped with iapme).")
TEMPLATES = click.option("--templates", type=PATHS, default=None,
                         help="Template folder (default: the one named in iapme.toml, else "
                              "./doc_templates, else the templates shipped with iapme).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="iapme")
def main() -> None:
    """Assess SMEs' AI use (EU AI Act, GDPR) and write their deliverables."""


@main.command()
@click.argument("paths", nargs=-1, type=PATHS)
@click.option("--out", type=PATHS, default=Path("outputs"), show_default=True,
              help="Output folder.")
@RULES
@TEMPLATES
@AS_OF
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: CPU count).")
@click.option("--pdf", is_flag=True, help="Also write PDFs through LibreOffice.")
@click.option("--force", is_flag=True, help="Overwrite deliverables edited by hand.")
@handle_user_errors
def run(paths: tuple[Path, ...], out: Path, rules: Path | None, templates: Path | None,
        as_of: dt.date | None, jobs: int | None, pdf: bool, force: bool) -> None:
    """Validate, assess and render every profile (default: inputs/)."""
    from engine.run.batch import run_batch
    from engine.run.options import BatchOptions

    options = BatchOptions(paths=list(paths) or [Path("inputs")], out=out, rules=_rules(rules),
                           templates=_templates(templates), as_of=as_of, today=dt.date.today(),
                           jobs=jobs or os.cpu_count() or 1, force=force, pdf=pdf)
    bar: Any = None
    progress = None
    if sys.stderr.isatty() and not os.environ.get("CI"):
        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = click.progressbar(length=total, label="Clients", show_eta=True,
                                        show_pos=True, file=sys.stderr)
                bar.__enter__()
            bar.update(1)
    report = run_batch(options, progress)
    if bar is not None:
        bar.__exit__(None, None, None)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in report.failed:
        _print_error(error)
    for key in report.protected:
        click.echo(f"protected: {out / key} was edited by hand; not overwritten "
                   "(use --force to replace it)", err=True)
    for key in report.rework:
        click.echo(f"rework: {out / key} was edited by hand and its client's assessment "
                   "changed: à reprendre à la main (iapme impact shows what changed)", err=True)
    click.echo(f"{len(report.written)} written, {len(report.unchanged)} unchanged, "
               f"{len(report.failed)} failed, {len(report.protected)} protected "
               f"-> {out}")
    sys.exit(report.exit_code)


@main.command()
@click.argument("profile", type=PATHS)
@RULES
@AS_OF
@click.option("--json", "as_json", is_flag=True, help="Print the assessment.json document.")
@handle_user_errors
def assess(profile: Path, rules: Path | None, as_of: dt.date | None, as_json: bool) -> None:
    """Evaluate one profile and print the result; writes nothing."""
    from engine.assessment.assess import to_json
    from engine.profile.validate import load_profile
    from engine.rules.base import load_rulebase
    from engine.run.pipeline import assess_profile, resolve_as_of

    rulebase = load_rulebase(_rules(rules))
    loaded = load_profile(profile, display_path=str(profile),
                          register_ids=rulebase.register.vendors)
    result = assess_profile(loaded, rulebase, resolve_as_of(loaded, as_of, dt.date.today()))
    if as_json:
        click.echo(json.dumps(to_json(result), ensure_ascii=False, indent=2))
        return
    click.echo(f"{loaded.client.name} ({loaded.client_id}) au {result.as_of.isoformat()}")
    for u in result.use_cases:
        floor = f" (au moins {u.tier_floor})" if u.tier_floor else ""
        click.echo(f"  {u.use_case.id}: {u.tier}{floor}  {'; '.join(u.references)}")
        for missing in u.missing:
            click.echo(f"      to complete: {missing}")
        for key in u.to_complete:  # open questions that change duties only, not the tier
            click.echo(f"      to complete (obligations only): {key}")
        for excluded in u.exclusions:
            click.echo(f"      ruled out: {'; '.join(excluded.provenance.references)}"
                       f" ({excluded.rule_id})")
    for key in result.to_complete:  # open questions on the company itself
        click.echo(f"  to complete (company): {key}")
    for f in result.findings:
        click.echo(f"  [{f.severity}] {f.subject or loaded.client_id}: {f.message} ({f.rule_id})")


@main.command()
@click.argument("paths", nargs=-1, type=PATHS)
@RULES
@handle_user_errors
def validate(paths: tuple[Path, ...], rules: Path | None) -> None:
    """Check profiles only; list every problem as file:line:column: key: message."""
    from engine.profile.register import check_register
    from engine.profile.validate import load_profile
    from engine.run.batch import find_profiles

    register, register_issues = check_register(_rules(rules))
    ids = None if register_issues else register.vendors  # a broken register: lint reports it
    files, errors = find_profiles(list(paths) or [Path("inputs")])
    valid = 0
    for path in files:
        try:
            load_profile(path, display_path=str(path), register_ids=ids)
            valid += 1
        except UserError as exc:
            errors.append(exc)
    for error in errors:
        _print_error(error)
    click.echo(f"{valid} valid, {len(errors)} invalid")
    sys.exit(1 if errors else 0)


@main.group()
def rules() -> None:
    """Check and test the rule base."""


@rules.command("lint")
@RULES
@handle_user_errors
def rules_lint(rules: Path | None) -> None:
    """Check rule files: syntax, operators, fields, values, ids, references; then try them on
    the rule engine (in a subprocess) with a synthetic profile matching every condition."""
    from engine.rules.lint import lint_rules

    rules = _rules(rules)
    issues = lint_rules(rules, probe=True)
    for issue in issues:
        click.echo(str(issue), err=True)
    click.echo(f"{len(issues)} problem(s) in {rules}")
    sys.exit(1 if issues else 0)


@rules.command("test")
@RULES
@handle_user_errors
def rules_test(rules: Path | None) -> None:
    """Run the rule test cases kept beside the rules."""
    from engine.rules.cases import run_rule_tests

    report = run_rule_tests(_rules(rules))
    for line in report.lines():
        click.echo(line)
    sys.exit(1 if report.failed else 0)


@main.group()
def templates() -> None:
    """Check document templates."""


@templates.command("check")
@TEMPLATES
@RULES
@handle_user_errors
def templates_check(templates: Path | None, rules: Path | None) -> None:
    """Report Jinja syntax errors, variables the context does not provide, refused parts and
    templates that exceed the render budget."""
    from engine.documents.render import make_environment
    from engine.documents.templates import check_template_dir
    from engine.documents.text_keys import load_texts
    from engine.run.pipeline import DOCUMENTS, sample_context

    templates = _templates(templates)
    context = sample_context(load_texts(_rules(rules)))
    issues = check_template_dir(templates, list(DOCUMENTS), context, make_environment())
    for issue in issues:
        click.echo(str(issue), err=True)
    click.echo(f"{len(issues)} problem(s) in {templates}")
    sys.exit(1 if issues else 0)


@templates.command("snapshot")
@TEMPLATES
@click.option("--check", is_flag=True,
              help="Write nothing; fail if a snapshot is missing or out of date.")
@handle_user_errors
def templates_snapshot(templates: Path | None, check: bool) -> None:
    """Write each template's text snapshot (snapshots/<name>.txt) to review and commit."""
    from engine.documents.snapshot import snapshot_problems, write_snapshots
    from engine.errors import TemplateError
    from engine.run.pipeline import DOCUMENTS

    templates = _templates(templates)
    files = [templates / name for name in DOCUMENTS]
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise TemplateError.at(str(missing[0]), "template file not found")
    if check:
        problems = snapshot_problems(files)
        for problem in problems:
            click.echo(problem, err=True)
        click.echo(f"{len(problems)} snapshot(s) out of date in {templates}")
        sys.exit(1 if problems else 0)
    for path in write_snapshots(files):
        click.echo(f"wrote {path}")
    click.echo(f"snapshots up to date in {templates / 'snapshots'}")


@main.group()
def vendors() -> None:
    """Browse the shared vendor register (rules/vendors/register.yaml)."""


@vendors.command("list")
@RULES
@handle_user_errors
def vendors_list(rules: Path | None) -> None:
    """One line per register vendor: id, name, categories, hosting."""
    from engine.profile.register import load_register

    register = load_register(_rules(rules))
    for entry in sorted(register.vendors.values(), key=lambda e: e.id):
        hosting = entry.facts.hosting.value if entry.facts.hosting else "unknown"
        click.echo(f"{entry.id:<24} {entry.name:<28} {', '.join(entry.categories):<40} "
                   f"{hosting}")
    click.echo(f"{len(register.vendors)} vendor(s); facts older than "
               f"{register.settings.stale_after_days} days are flagged for re-verification")


@vendors.command("show")
@click.argument("vendor_id")
@RULES
@handle_user_errors
def vendors_show(vendor_id: str, rules: Path | None) -> None:
    """Every fact the register holds on one vendor, with its source and date."""
    from engine.common.suggest import hint
    from engine.errors import RuleError
    from engine.profile.register import load_register

    rules = _rules(rules)
    register = load_register(rules)
    entry = register.get(vendor_id)
    if entry is None:
        raise RuleError.at(register.path or str(rules), (
            f"no vendor '{vendor_id}' in the register." + hint(vendor_id, register.vendors)))
    click.echo(f"{entry.name} ({entry.id})")
    for label, value in (("categories", ", ".join(entry.categories)),
                         ("target users", entry.target_users), ("country", entry.country),
                         ("website", entry.website)):
        if value:
            click.echo(f"  {label}: {value}")
    for name, fact in entry.facts:
        if fact is not None:
            state = "verified" if fact.verified else "not verified"
            click.echo(f"  {name}: {fact.value}  [{fact.source}; {fact.checked_on}; {state}]")


# The intake commands (init, schema, questionnaire, answers import) live beside their stage.
from engine.intake.cli import COMMANDS  # noqa: E402

for _command in COMMANDS:
    main.add_command(_command)

# The portfolio commands (impact, deadlines) live beside their stage.
from engine.portfolio.cli import COMMANDS as PORTFOLIO_COMMANDS  # noqa: E402

for _portfolio_command in PORTFOLIO_COMMANDS:
    main.add_command(_portfolio_command)
