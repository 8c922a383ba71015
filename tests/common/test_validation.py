"""One translation of pydantic errors for every YAML file the engine reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from engine.assessment.penalties import load_penalties
from engine.common.validation import issues_from, item_name, plain_loc, unknown_key
from engine.errors import Location
from engine.profile.register import check_register


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    weight: int | bool


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[_Item]


def _errors(data: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        _File.model_validate(data)
    return caught.value


def test_union_branch_markers_leave_the_path() -> None:
    exc = _errors({"items": [{"id": "a", "weight": "x"}]})
    assert {plain_loc(e) for e in exc.errors()} == {("items", 0, "weight")}


def test_unknown_key_names_lookalikes_and_suggests() -> None:
    text = unknown_key("wieght", ["id", "weight"])
    assert text.startswith("unknown key 'wieght'.")
    assert "Did you mean 'weight'?" in text
    cyrillic = unknown_key("w\u0435ight", ["id", "weight"], listed=True)  # a Cyrillic 'е'
    assert "U+0435" in cyrillic
    assert cyrillic.endswith("Allowed keys here: id, weight.")


def test_issues_are_located_and_named_by_item() -> None:
    data = {"items": [{"id": "a", "weight": 1}, {"id": "b", "wieght": 2}]}
    seen: list[tuple[str | int, ...]] = []

    def locate(path: tuple[str | int, ...]) -> Location:
        seen.append(path)
        return Location("f.yaml", 3, 5, ".".join(map(str, path)))

    issues = issues_from(_errors(data), locate, known=["id", "weight"],
                         prefix=item_name(data, "items", "item"))
    messages = sorted(issue.message for issue in issues)
    assert messages == ["item b: 'weight' is required",
                        "item b: unknown key 'wieght'. Did you mean 'weight'?"]
    assert ("items", 1, "wieght") in seen


def test_register_and_penalties_speak_alike(tmp_path: Path) -> None:
    (tmp_path / "vendors").mkdir()
    (tmp_path / "vendors" / "register.yaml").write_text(
        "vendors:\n  - id: acme\n    nmae: Acme\n", encoding="utf-8")
    _, issues = check_register(tmp_path)
    assert any("vendor acme: unknown key 'nmae'." in i.message and "'name'" in i.message
               for i in issues), issues
    (tmp_path / "penalties.yaml").write_text("penalites: {}\n", encoding="utf-8")
    _, issues = load_penalties(tmp_path)
    assert issues
    assert all("unknown key 'penalites'." in i.message for i in issues), issues
    assert issues[0].location.line == 1
