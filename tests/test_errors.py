"""Tests of engine.errors: how a located problem prints (``file:line:column: key.path:
message``, which scripts and tests match), one error holding every issue of a file, and the
tree the CLI sorts errors by."""

from __future__ import annotations

import pytest

from engine import errors
from engine.errors import (
    IapmeError,
    InternalError,
    Issue,
    Location,
    ObstructedError,
    OutputError,
    ProfileError,
    RenderBudgetError,
    TemplateError,
    UserError,
)


class TestLocation:
    @pytest.mark.parametrize(("location", "text"), [
        (Location("martin.yaml"), "martin.yaml"),
        (Location("martin.yaml", 3), "martin.yaml:3"),
        (Location("martin.yaml", 3, 7), "martin.yaml:3:7"),
        (Location("martin.yaml", 3, 7, "client.sector"), "martin.yaml:3:7: client.sector"),
        (Location("martin.yaml", key_path="client"), "martin.yaml: client"),
        (Location("martin.yaml", None, 7), "martin.yaml"),  # a column without its line says nothing
        (Location("martin.yaml", 3, key_path=""), "martin.yaml:3"),
    ])
    def test_printed(self, location: Location, text: str) -> None:
        assert str(location) == text

    def test_frozen_and_comparable(self) -> None:
        assert Location("a", 1) == Location("a", 1)
        assert len({Location("a", 1), Location("a", 1), Location("a", 2)}) == 2
        with pytest.raises(AttributeError):
            Location("a").line = 2  # type: ignore[misc]


class TestUserError:
    def test_one_issue_at_one_place(self) -> None:
        error = ProfileError.at("martin.yaml", "unknown key 'sectr'", line=4, column=3,
                                key_path="client.sectr")
        assert isinstance(error, ProfileError)
        assert str(error) == "martin.yaml:4:3: client.sectr: unknown key 'sectr'"
        assert error.args == (str(error),)  # what a traceback or a log shows
        assert error.issues == [Issue(Location("martin.yaml", 4, 3, "client.sectr"),
                                      "unknown key 'sectr'")]

    def test_every_issue_of_a_file_in_one_error(self) -> None:
        issues = [Issue(Location("r.yaml", n), f"problem {n}") for n in (1, 2)]
        error = UserError.of(iter(issues), summary="2 problems in r.yaml")
        assert str(error) == "2 problems in r.yaml\nr.yaml:1: problem 1\nr.yaml:2: problem 2"

    def test_an_empty_error_names_its_class(self) -> None:
        assert str(OutputError()) == "OutputError"

    def test_raised_caught_and_kept_in_a_set(self) -> None:
        error = TemplateError.at("charte-ia.docx", "unknown variable")
        with pytest.raises(UserError, match=r"^charte-ia\.docx: unknown variable$"):
            raise error
        assert len({error, TemplateError.at("charte-ia.docx", "unknown variable")}) == 2


class TestTree:
    def test_every_error_is_an_iapme_error(self) -> None:
        classes = [v for v in vars(errors).values()
                   if isinstance(v, type) and issubclass(v, BaseException)]
        assert len(classes) >= 10
        assert all(issubclass(c, IapmeError) for c in classes)

    def test_user_errors_and_bugs_are_apart(self) -> None:
        assert not issubclass(InternalError, UserError)
        assert issubclass(RenderBudgetError, TemplateError)
        assert issubclass(ObstructedError, OutputError)  # one client obstructed: an output error
