"""The tables read after the rules have run: the decision's precedence, the action plan's
topics and the legal calendar (``rules/decision.yaml``, ``rules/actions.yaml``,
``rules/calendar.yaml``).

They are data a compliance officer reads and edits, as ``rules/penalties.yaml`` is: not rule
files, but part of the rule base (their bytes enter the rules digest, ``iapme rules lint``
checks them). Each file is validated by its model (:class:`~engine.assessment.decision.
DecisionTable`, :class:`~engine.assessment.actions.ActionTable`, :class:`~engine.assessment.
deadlines.Calendar`); a problem is reported with its file, line and key path.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from engine.assessment.actions import ACTIONS_FILE, ActionTable
from engine.assessment.deadlines import CALENDAR_FILE, Calendar
from engine.assessment.decision import DECISION_FILE, DecisionTable
from engine.common.validation import issues_from
from engine.errors import Issue, Location, RuleError
from engine.profile.yamlio import load_yaml

POLICY_FILES = (DECISION_FILE, ACTIONS_FILE, CALENDAR_FILE)
_M = TypeVar("_M", bound=BaseModel)


@dataclass(frozen=True)
class Policy:
    """The three tables, with their defaults when a rule folder has no such file."""

    decision: DecisionTable = field(default_factory=DecisionTable)
    actions: ActionTable = field(default_factory=ActionTable)
    calendar: Calendar = field(default_factory=Calendar)


def load_table(rules_dir: Path, name: str, model: type[_M],
               prepare: Callable[[object], object] = lambda data: data) -> tuple[_M, list[Issue]]:
    """Read the table ``rules_dir/name`` into ``model`` (an empty one when the file is absent),
    with every problem located; ``prepare`` turns the YAML data into what the model reads."""
    path = rules_dir / name
    if not path.is_file():
        return model(), []
    shown = str(path)
    try:
        doc = load_yaml(path, display_path=shown, error_cls=RuleError)
    except RuleError as exc:
        return model(), list(exc.issues)
    try:
        return model.model_validate(prepare(doc.data)), []
    except ValidationError as exc:
        stem = Path(name).stem
        return model(), issues_from(
            exc, lambda loc: doc.locate(loc) if loc else Location(shown, 1),
            known=_fields(model),
            prefix=lambda loc: f"{stem}: {'.'.join(map(str, loc)) or '-'}: ")


def _fields(model: type[BaseModel]) -> list[str]:
    """The field names of ``model`` and of the models it holds (for did-you-mean)."""
    names: list[str] = []
    seen: set[type[BaseModel]] = set()
    todo = [model]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for field_info in current.model_fields.values():
            names.append(field_info.alias or "")
            for arg in _models_in(field_info.annotation):
                todo.append(arg)
        names.extend(current.model_fields)
    return sorted({n for n in names if n})


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _load(rules_dir: Path, name: str, model: type[_M]) -> tuple[_M, list[Issue]]:
    return load_table(rules_dir, name, model, lambda data: _dated(rules_dir, name, data))


def _dated(rules_dir: Path, name: str, data: object) -> object:
    """The calendar with its dates written by name resolved (``date: annex_iii_duties``, see
    ``rules/timeline.yaml``) and its ``{date.name}`` printed in French. A name that does not
    resolve is left as written: the model then refuses it, with its place."""
    from engine.rules.timeline import DateError, load_timeline

    if name != CALENDAR_FILE or not isinstance(data, dict) \
            or not isinstance(data.get("transitions"), list):
        return data
    timeline, _ = load_timeline(rules_dir)  # its own problems are reported by lint
    transitions = []
    for item in data["transitions"]:
        if isinstance(item, dict):
            item = dict(item)
            try:
                if timeline.is_reference(item.get("date")):
                    item["date"] = timeline.resolve(item["date"]).isoformat()
                if isinstance(item.get("text"), str):
                    item["text"] = timeline.fill(item["text"])
            except DateError:
                pass
        transitions.append(item)
    return {**data, "transitions": transitions}


def load_policy(rules_dir: Path) -> tuple[Policy, list[Issue]]:
    """Read the three tables of ``rules_dir``; the policy and every problem found."""
    decision, issues = _load(rules_dir, DECISION_FILE, DecisionTable)
    actions, more = _load(rules_dir, ACTIONS_FILE, ActionTable)
    issues += more
    calendar, more = _load(rules_dir, CALENDAR_FILE, Calendar)
    issues += more
    return Policy(decision, actions, calendar), issues
