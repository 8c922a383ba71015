"""``iapme deadlines``: every dated obligation, soonest first; the .ics parses with the
iCalendar library and two exports give the same UIDs (issue 17, acceptance 3)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from icalendar import Calendar

from engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ROOT / "inputs"


def _deadlines(*args: str) -> Any:
    return CliRunner().invoke(main, ["deadlines", *args], catch_exceptions=False)


def _events(path: Path) -> list[Any]:
    return list(Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


def test_listing_is_soonest_first_and_within_filters(tmp_path: Path) -> None:
    result = _deadlines(str(INPUTS), "--as-of", "2026-11-26", "--jobs", "1")
    assert result.exit_code == 0, result.output
    dates = [line[:10] for line in result.output.splitlines() if re.match(r"\d{4}-", line)]
    assert dates == sorted(dates)
    assert dates[0] < "2026-11-26" < dates[-1]
    within = _deadlines(str(INPUTS), "--as-of", "2026-11-26", "--within", "30")
    coming = [line for line in within.output.splitlines() if re.match(r"\d{4}-", line)]
    assert coming
    assert all("2026-11-26" < line[:10] <= "2026-12-26" for line in coming)


def test_ics_parses_one_event_per_client_and_obligation_with_stable_uids(
        tmp_path: Path, copy_rules: Any) -> None:
    first, second, moved = tmp_path / "a.ics", tmp_path / "b.ics", tmp_path / "c.ics"
    for target in (first, second):
        result = _deadlines(str(INPUTS), "--as-of", "2026-11-26", "--within", "800",
                            "--ics", str(target))
        assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()
    events = _events(first)
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))
    recrutis = [e for e in events if str(e["SUMMARY"]).startswith("Recrutis Intérim : ")]
    assert recrutis
    assert {e.decoded("DTSTART") for e in recrutis} == {dt.date(2027, 12, 2)}
    # The law moves: the same events (same UIDs) on the new day, so a re-import updates them.
    rules = copy_rules(tmp_path)
    path = rules / "timeline.yaml"
    path.write_text(re.sub(r"(  annex_iii_duties:\n    date: )\S+", r"\g<1>2028-06-01",
                           path.read_text(encoding="utf-8")), encoding="utf-8")
    _deadlines(str(INPUTS), "--as-of", "2026-11-26", "--within", "800", "--rules", str(rules),
               "--ics", str(moved))
    after = {str(e["UID"]): e.decoded("DTSTART") for e in _events(moved)}
    assert {str(e["UID"]) for e in recrutis} <= set(after)
    assert {after[str(e["UID"])] for e in recrutis} == {dt.date(2028, 6, 1)}


def test_ics_uids_survive_a_reworded_obligation(tmp_path: Path, copy_rules: Any) -> None:
    """Issue 17 follow-up: the UID is the client, the rule and the reference (and a rank among
    duties of the same identity), never the wording: reword every obligation text of the rules
    in a copy, re-export, and every event keeps its UID, with the new summary."""
    before, after = tmp_path / "before.ics", tmp_path / "after.ics"
    result = _deadlines(str(INPUTS), "--as-of", "2026-11-26", "--within", "800",
                        "--ics", str(before))
    assert result.exit_code == 0, result.output
    rules = copy_rules(tmp_path)
    reworded = 0
    for path in sorted((rules / "ai_act").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        new, count = re.subn(r'\{text: "', '{text: "Reformulé : ', text)
        path.write_text(new, encoding="utf-8")
        reworded += count
    assert reworded
    result = _deadlines(str(INPUTS), "--as-of", "2026-11-26", "--within", "800",
                        "--rules", str(rules), "--ics", str(after))
    assert result.exit_code == 0, result.output
    old = {str(e["UID"]): (e.decoded("DTSTART"), str(e["SUMMARY"])) for e in _events(before)}
    new = {str(e["UID"]): (e.decoded("DTSTART"), str(e["SUMMARY"])) for e in _events(after)}
    assert old
    assert set(new) == set(old)
    assert {uid: day for uid, (day, _) in new.items()} == {
        uid: day for uid, (day, _) in old.items()}
    assert all("Reformulé : " in summary for _, summary in new.values())
