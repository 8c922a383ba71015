"""The one exception tree of iapme.

Every error the package raises derives from :class:`IapmeError`. User errors (a bad profile,
rule file, template, output folder, a missing tool) derive from :class:`UserError` and carry one
or more :class:`Issue`, each with a :class:`Location` (file, line, column, key path), a plain
message and, where we can guess, what would be right. The CLI prints them without a traceback.

Why:
    A batch must report every bad input and go on; scripts and tests match the exact text.
    Keeping the location structured (not baked into a string) lets the batch, the CLI and the
    JSON summary all print the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Self


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: file, 1-based line and column, dotted key path (all optional)."""

    file: str
    line: int | None = None
    column: int | None = None
    key_path: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        text = ":".join(parts)
        if self.key_path:
            text += f": {self.key_path}"
        return text


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in one input, printed as ``file:line:column: key.path: message``."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class IapmeError(Exception):
    """Root of every exception raised by iapme."""


@dataclass
class UserError(IapmeError):
    """A problem in what the user gave us; printed without traceback, exit code 1.

    Why:
        Holds a list so that one pass reports every problem of a file (rendercv's
        validation-list error), instead of making the user fix them one at a time.
    """

    issues: list[Issue] = field(default_factory=list)
    summary: str = ""

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @classmethod
    def at(
        cls,
        file: str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        key_path: str | None = None,
    ) -> Self:
        """Build an error with a single issue at one location."""
        return cls([Issue(Location(file, line, column, key_path), message)])

    @classmethod
    def of(cls, issues: Iterable[Issue], summary: str = "") -> Self:
        return cls(list(issues), summary)

    def __str__(self) -> str:
        lines = [self.summary] if self.summary else []
        lines.extend(str(issue) for issue in self.issues)
        return "\n".join(lines) if lines else self.__class__.__name__

    def __hash__(self) -> int:  # dataclass(eq=True) would drop hashability; exceptions need it
        return id(self)


class ProfileError(UserError):
    """A client profile is unreadable or invalid (YAML, schema, vocabulary, identity)."""


class RuleError(UserError):
    """A rule file, rule test file or the vendor register is invalid (stops the run)."""


class TemplateError(UserError):
    """A document template is invalid: Jinja syntax, unknown variables (stops the run)."""


class RenderBudgetError(TemplateError):
    """A template needs more than the render budget (size, steps, time), or recurses."""


class OutputError(UserError):
    """The output folder cannot be written safely (read-only, full disk, symlink...)."""


class ObstructedError(OutputError):
    """One client's folder or file place is taken (a file, a link, a pipe...): that client is
    not written, the batch goes on."""


class ToolMissingError(UserError):
    """An external program the user asked for (LibreOffice for ``--pdf``) is not installed."""


class AnswersError(UserError):
    """A filled questionnaire cannot be read or holds an answer that is not allowed."""


class InternalError(IapmeError):
    """A bug in iapme or in a dependency; reported with a traceback, never for user input."""
