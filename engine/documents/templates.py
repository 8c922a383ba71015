"""Check document templates before any client is rendered (``iapme templates check``).

Every problem of every template is reported in one pass, each with the template file, the part
(``body``, ``header1``, ``footer1``...) and the paragraph it is in: Jinja syntax errors, docxtpl
features the renderer does not support, variables the context does not provide (with a
did-you-mean), missing or unreadable template files, refused package parts (see
:mod:`engine.documents.parts`), and a trial render on the sample context within the render
budget (:mod:`engine.documents.sandbox`).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes

from engine.common.suggest import hint
from engine.documents.parts import JinjaPart, paragraph_at, read_template, syntax_issue
from engine.documents.render import DocProperties, PreparedTemplate, make_environment
from engine.errors import Issue, Location, RenderBudgetError, TemplateError

_TRIAL_PROPS = DocProperties(title="Essai", subject="Essai", author="iapme",
                             created=datetime.date(2026, 1, 1))


def check_template(
    path: Path, provided: Mapping[str, Any] | None, env: jinja2.Environment | None = None,
    keep: dict[Path, PreparedTemplate] | None = None,
) -> list[Issue]:
    """All problems of one template; variables are checked only when ``provided`` is given.

    Args:
        path: the .docx template.
        provided: the context the renderer will pass (only its top-level keys matter), or
            None to check the syntax only.
        env: the rendering environment (default: :func:`engine.documents.render.make_environment`).
        keep: where to keep the template compiled for the trial render, by path, when it
            passed (the run renders with it: the file is read and compiled once).
    """
    env = env or make_environment()
    try:
        source = read_template(path)
    except TemplateError as exc:
        return list(exc.issues)
    issues = list(source.issues)
    for part in source.parts:
        try:
            tree = env.parse(part.source)
            env.compile(tree)  # unknown filters and tests are found when compiling
        except jinja2.TemplateSyntaxError as exc:
            issues.append(syntax_issue(path, part, exc))
            continue
        issues += _internals(path, part, tree)
        if provided is not None:
            issues += _missing_variables(path, part, tree, provided, env)
    if provided is not None and not issues:
        issues += _trial_render(path, provided, env, keep)
    return issues


def _trial_render(path: Path, provided: Mapping[str, Any], env: jinja2.Environment,
                  keep: dict[Path, PreparedTemplate] | None = None) -> list[Issue]:
    """Render once on ``provided`` (the sample context) within the render budget.

    Why:
        A loop without end or a gigabyte text (``{{ client.name * 100000000 }}``) fails on
        any data: found here, it stops ``templates check`` and the run before any client.
        Other errors depend on the data (the sample has one use case, one vendor) and are
        left to the render of each client.
    """
    try:
        prepared = PreparedTemplate.load(path, env)
        prepared.render(provided, _TRIAL_PROPS)
    except RenderBudgetError as exc:
        return list(exc.issues)
    except TemplateError:
        return []
    if keep is not None:
        keep[path] = prepared
    return []


def _internals(path: Path, part: JinjaPart, tree: nodes.Template) -> list[Issue]:
    """Attribute or item names starting with '_' and the 'attr' filter reach Python internals.

    Why:
        The sandbox refuses them only while rendering; refusing them here stops the run before
        anything is written, with the template and paragraph named.
    """
    issues = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            name = str(node.arg.value)
        elif isinstance(node, nodes.Filter) and node.name == "attr":
            name = "attr"
        else:
            continue
        if name.startswith("_") or name == "attr":
            near = paragraph_at(part.source, node.lineno)
            where = f" in «{near}»" if near else ""
            issues.append(Issue(Location(str(path), key_path=part.label), (
                f"'{name}'{where} reaches Python internals; templates may only read the "
                "context's fields")))
    return issues


def _missing_variables(
    path: Path,
    part: JinjaPart,
    tree: nodes.Template,
    provided: Mapping[str, Any],
    env: jinja2.Environment,
) -> list[Issue]:
    missing = meta.find_undeclared_variables(tree) - set(env.globals) - set(provided)
    issues = []
    for name in sorted(missing):
        lines = [
            node.lineno
            for node in tree.find_all(nodes.Name)
            if node.name == name and node.ctx == "load"
        ]
        near = paragraph_at(part.source, lines[0]) if lines else ""
        where = f" in «{near}»" if near else ""
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        issues.append(
            Issue(
                Location(str(path), key_path=part.label),
                f"variable '{name}' is used{where}{more} but the context does not provide it."
                + hint(name, provided),
            )
        )
    return issues


def check_template_dir(
    directory: Path,
    expected_names: Sequence[str],
    provided: Mapping[str, Any] | None,
    env: jinja2.Environment | None = None,
    keep: dict[Path, PreparedTemplate] | None = None,
) -> list[Issue]:
    """All problems of the expected templates of ``directory``, missing files included
    (``keep``: see :func:`check_template`)."""
    if not directory.is_dir():
        return [Issue(Location(str(directory)), "template folder not found")]
    env = env or make_environment()
    present = sorted(p.name for p in directory.glob("*.docx") if not p.name.startswith("~$"))
    issues: list[Issue] = []
    for name in expected_names:
        path = directory / name
        if not path.exists():
            issues.append(
                Issue(
                    Location(str(path)),
                    f"template '{name}' is missing from {directory}." + hint(name, present),
                )
            )
            continue
        issues += check_template(path, provided, env, keep)
    return issues
