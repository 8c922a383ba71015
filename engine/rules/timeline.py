"""``rules/timeline.yaml``: the legal dates of the rule base, by name (OpenFisca's dated
parameters are the model: one date, referenced by name everywhere).

A date is written in a rule, a rule test case or a table of the rule folder either as
``YYYY-MM-DD`` or as a name of the timeline, optionally shifted by whole days
(``omnibus_in_force - 1``). Texts print a date in French with ``{date.<name>}``. Names are
resolved when the files are loaded, so everything downstream (the compiler, durable_rules, the
assessment) sees plain dates and plain sentences: moving a date is one line of the timeline.

An entry's ``date`` may be the name of another entry (Art. 86 follows Annex III, by
interpretation); cycles and unknown names are problems with a did-you-mean.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from engine.common.suggest import hint
from engine.errors import Issue, Location, RuleError
from engine.profile.yamlio import load_yaml

TIMELINE_FILE = "timeline.yaml"
Status = Literal["verified", "official", "secondary", "interpretation", "text"]
STATUSES: tuple[Status, ...] = ("verified", "official", "secondary", "interpretation", "text")
NAME = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
# A date written by name: ``annex_iii_duties``, ``omnibus_in_force - 1``, ``gdpr + 30 days``.
REFERENCE = re.compile(r"^\s*([a-z][a-z0-9_]{1,62})\s*(?:([+-])\s*(\d{1,5})\s*(?:days?)?)?\s*$")
# ``{date.name}`` in a text: the date printed in French.
PLACEHOLDER = re.compile(r"\{date\.([^}]*)\}")
ENTRY_KEYS = ("date", "what", "source", "status")


class DateError(ValueError):
    """A date reference that does not resolve (the message names the problem)."""


@dataclass(frozen=True)
class LegalDate:
    name: str
    date: dt.date
    what: str
    source: str
    status: Status
    line: int = 1


@dataclass(frozen=True)
class Timeline:
    """The named legal dates of one rule folder (empty when it has no ``timeline.yaml``)."""

    dates: dict[str, LegalDate] = field(default_factory=dict)
    file: str = ""

    def resolve(self, value: object) -> dt.date:
        """A date, an ISO string or a name (with an optional shift) -> the date.

        Raises:
            DateError: neither an ISO date nor a known name.
        """
        if isinstance(value, dt.date):
            return value
        text = str(value)
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        match = REFERENCE.match(text)
        if match is None:
            raise DateError(f"'{text}' is neither a date \"YYYY-MM-DD\" nor a name of "
                            f"{TIMELINE_FILE}")
        name, sign, days = match.groups()
        entry = self.dates.get(name)
        if entry is None:
            where = f" of {self.file}" if self.file else f" (no {TIMELINE_FILE} in this folder)"
            raise DateError(f"unknown date name '{name}'{where}.{hint(name, self.dates)}")
        shift = int(days or 0) * (-1 if sign == "-" else 1)
        return entry.date + dt.timedelta(days=shift)

    def is_reference(self, value: object) -> bool:
        """True when ``value`` is written as a name (not as an ISO date)."""
        if not isinstance(value, str):
            return False
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return REFERENCE.match(value) is not None
        return False

    def fill(self, text: str) -> str:
        """``text`` with each ``{date.name}`` printed in French. Raises DateError."""
        if "{date." not in text:
            return text
        from engine.documents.formatting import date_fr

        return PLACEHOLDER.sub(lambda m: date_fr(self.resolve(m.group(1))), text)


def load_timeline(rules_dir: Path) -> tuple[Timeline, list[Issue]]:
    """Read ``rules_dir/timeline.yaml`` (absent: an empty timeline); problems are listed."""
    path = rules_dir / TIMELINE_FILE
    shown = str(path)
    if not path.is_file():
        return Timeline(), []
    try:
        doc = load_yaml(path, display_path=shown, error_cls=RuleError)
    except RuleError as exc:
        return Timeline(file=shown), list(exc.issues)
    data = doc.data
    issues: list[Issue] = []

    def add(path_: tuple[str | int, ...], message: str) -> None:
        issues.append(Issue(doc.locate(path_), f"timeline: {message}"))

    if not isinstance(data, dict) or set(data) != {"dates"} or not isinstance(data["dates"],
                                                                              dict):
        add((), "this file holds 'dates:', mapping each name to {date, what, source, status}")
        return Timeline(file=shown), issues
    raw: dict[str, dict[str, Any]] = {}
    for name, entry in data["dates"].items():
        key = ("dates", name)
        if not isinstance(name, str) or not NAME.match(name):
            add(key, f"'{name}': a name is lower-case letters, digits and _ (art5_prohibitions)")
            continue
        if not isinstance(entry, dict):
            add(key, f"'{name}': give date, what, source and status")
            continue
        for extra in sorted(set(map(str, entry)) - set(ENTRY_KEYS)):
            add((*key, extra), f"'{name}': unknown key '{extra}'.{hint(extra, ENTRY_KEYS)}")
        for needed in ENTRY_KEYS:
            if needed not in entry:
                add(key, f"'{name}': '{needed}' is required")
            elif needed != "date" and (not isinstance(entry[needed], str)
                                       or len(entry[needed].strip()) < 3):
                add((*key, needed), f"'{name}': '{needed}' is a text")
        status = entry.get("status")
        if isinstance(status, str) and status not in STATUSES:
            add((*key, "status"), f"'{name}': status '{status}' is not one of "
                f"{', '.join(STATUSES)}.{hint(status, STATUSES)}")
        raw[name] = entry
    dates: dict[str, LegalDate] = {}

    def settle(name: str, chain: tuple[str, ...]) -> dt.date | None:
        if name in dates:
            return dates[name].date
        entry = raw[name]
        value = entry.get("date")
        where = ("dates", name, "date")
        iso = _iso(value)
        if iso is not None:
            day: dt.date | None = iso
        elif isinstance(value, str) and REFERENCE.match(value):
            match = REFERENCE.match(value)
            assert match is not None
            other, sign, days = match.groups()
            if other in chain:
                add(where, f"'{name}': its date refers to itself ({' -> '.join(chain)})")
                return None
            if other not in raw:
                add(where, f"'{name}': unknown date name '{other}'.{hint(other, raw)}")
                return None
            base = settle(other, (*chain, other))
            day = None if base is None else base + dt.timedelta(
                days=int(days or 0) * (-1 if sign == "-" else 1))
        else:
            add(where, f"'{name}': 'date' is a date YYYY-MM-DD or the name of another date")
            return None
        if day is not None:
            status = entry.get("status")
            dates[name] = LegalDate(name, day, str(entry.get("what", "")),
                                    str(entry.get("source", "")),
                                    status if status in STATUSES else "text",
                                    doc.locate(("dates", name)).line or 1)
        return day

    for name in raw:
        settle(name, (name,))
    return Timeline(dates, shown), issues


def _iso(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if isinstance(value, str) else None
    except ValueError:
        return None


# --- resolving the names written in a rule, a test case or a table -------------------------------

Problem = Callable[[tuple[str | int, ...], str], None]
RULE_DATES = ("valid_from", "valid_until")
RULE_TEXTS = ("title",)
FINDING_TEXTS = ("message", "advice")
COMPARISONS = ("eq", "ne", "lt", "lte", "gt", "gte")


def resolve_rule(raw: object, timeline: Timeline, problem: Problem,
                 date_field: Callable[[str], bool]) -> object:
    """A copy of one raw rule with its date names resolved and its ``{date.x}`` filled.

    ``date_field(path)`` says whether a condition's field holds dates (only there is a
    comparison's value read as a date name). Each problem is reported with its key path.
    """
    if not isinstance(raw, dict):
        return raw
    rule = dict(raw)
    for key in RULE_DATES:
        if key in rule:
            rule[key] = _date(rule[key], timeline, problem, (key,))
    for key in RULE_TEXTS:
        if isinstance(rule.get(key), str):
            rule[key] = _text(rule[key], timeline, problem, (key,))
    if "when" in rule:
        rule["when"] = _condition(rule["when"], timeline, problem, ("when",), date_field)
    then = rule.get("then")
    if isinstance(then, dict):
        then = rule["then"] = dict(then)
        finding = then.get("finding")
        if isinstance(finding, dict):
            finding = then["finding"] = dict(finding)
            for key in FINDING_TEXTS:
                if isinstance(finding.get(key), str):
                    finding[key] = _text(finding[key], timeline, problem,
                                         ("then", "finding", key))
        obligations = then.get("obligations")
        if isinstance(obligations, list):
            then["obligations"] = [
                _obligation(o, timeline, problem, ("then", "obligations", i))
                for i, o in enumerate(obligations)]
    return rule


def _obligation(raw: object, timeline: Timeline, problem: Problem,
                path: tuple[str | int, ...]) -> object:
    if not isinstance(raw, dict):
        return raw
    out = dict(raw)
    if "applies_from" in out:
        out["applies_from"] = _date(out["applies_from"], timeline, problem,
                                    (*path, "applies_from"))
    if isinstance(out.get("text"), str):
        out["text"] = _text(out["text"], timeline, problem, (*path, "text"))
    return out


def _condition(node: object, timeline: Timeline, problem: Problem,
               path: tuple[str | int, ...], date_field: Callable[[str], bool]) -> object:
    if isinstance(node, list):
        return [_condition(n, timeline, problem, (*path, i), date_field)
                for i, n in enumerate(node)]
    if not isinstance(node, dict):
        return node
    field_name = node.get("field")
    out: dict[str, Any] = {}
    for key, value in node.items():
        if isinstance(field_name, str) and key in COMPARISONS and date_field(field_name) \
                and timeline.is_reference(value):
            out[key] = _date(value, timeline, problem, (*path, key))
        elif isinstance(value, dict | list):
            out[key] = _condition(value, timeline, problem, (*path, key), date_field)
        else:
            out[key] = value
    return out


def _date(value: object, timeline: Timeline, problem: Problem,
          path: tuple[str | int, ...]) -> object:
    if not timeline.is_reference(value):
        return value  # a date, an ISO string or something the model refuses with its message
    try:
        return timeline.resolve(value).isoformat()
    except DateError as exc:
        problem(path, str(exc))
        return value


def _text(text: str, timeline: Timeline, problem: Problem,
          path: tuple[str | int, ...]) -> str:
    try:
        return timeline.fill(text)
    except DateError as exc:
        problem(path, f"{{date.…}}: {exc}")
        return text


def located(doc_locate: Callable[[tuple[str | int, ...]], Location], prefix: tuple[str | int, ...],
            issues: list[Issue], label: str) -> Problem:
    """A :data:`Problem` that appends an Issue at ``prefix + path``, its message after ``label``."""
    def add(path: tuple[str | int, ...], message: str) -> None:
        issues.append(Issue(doc_locate((*prefix, *path)), f"{label}{message}"))
    return add
