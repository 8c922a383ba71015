"""The template sandbox: Jinja's, plus a budget no template can exceed while it renders.

Compliance officers' templates are trusted less than code: ``{{ client.name * 100000000 }}``,
``{{ 10**(10**9) }}`` or two nested ``range(100000)`` loops would exhaust the memory or the CPU
of every run (and the first two would hang ``templates check`` itself: Jinja folds constant
expressions while it compiles). So, in :class:`BudgetedEnvironment`:

* ``*``, ``**``, ``+`` and ``%`` are intercepted (never folded at compile time) and refused
  before they build a text, a list or a number past the budget;
* every loop, call, attribute and item access counts against a step budget and a deadline;
* a text built by ``~``, ``{% set %}...{% endset %}``, a macro or a filter is measured, and so
  is the rendered output as it streams; padding widths (``center``, ``format``...) are capped.

The budget is deterministic (steps and sizes, the deadline only a backstop), so the same
template and data always pass or always fail. A breach raises :class:`BudgetError`.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import jinja2
import markupsafe
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer

MAX_WIDTH = 10_000  # the widest padding a format or filter may ask for
_FORMAT_NUMBERS = re.compile(r"[0-9]+")
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?([-#0 +]*)(\*|[0-9]+)?(?:\.(\*|[0-9]+))?")
_PADDING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
_PADDING_FILTERS = {"center": 1, "indent": 1, "batch": 1, "slice": 1}  # name -> arg index


@dataclass(frozen=True)
class Limits:
    """What one document's rendering may take: characters, steps, seconds.

    The shipped audit report of a client at the profile limits (200 use cases, 100 vendors,
    3,300 findings) takes 13.7 million characters, 552,000 steps and 1.3 seconds.
    """

    chars: int = 64_000_000
    steps: int = 4_000_000
    seconds: float = 30.0


CALL_STEPS = 8  # a call (a macro, a method) costs about as much as eight loop items
OUTPUT_STEPS = 4  # and a piece of output (escaped twice) about four

class BudgetError(SecurityError):
    """A template asked for more than the render budget (:class:`Limits`)."""


@dataclass
class Budget:
    """The budget of the render in progress (steps taken, output so far, deadline)."""

    limits: Limits
    deadline: float = 0.0
    steps: int = 0
    output: int = 0
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    _next_clock: int = 1024

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > self.limits.steps:
            raise BudgetError(f"more than {self.limits.steps:,} steps (loop items, calls, "
                              "lookups, pieces of output)")
        if self.steps >= self._next_clock:
            self._next_clock = self.steps + 1024
            if self.clock() > self.deadline:
                raise BudgetError(f"more than {self.limits.seconds:g} seconds")

    def text(self, size: int) -> None:
        if size > self.limits.chars:
            raise BudgetError(f"a text of more than {self.limits.chars:,} characters")

    def emit(self, size: int) -> None:
        self.step(OUTPUT_STEPS)
        self.output += size
        if self.output > self.limits.chars:
            raise BudgetError(f"a document of more than {self.limits.chars:,} characters")


_BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("iapme_budget",
                                                                        default=None)


@contextlib.contextmanager
def budget(limits: Limits) -> Iterator[Budget]:
    """Count the renders inside against ``limits`` (one document: all its parts)."""
    current = Budget(limits)
    current.deadline = current.clock() + limits.seconds
    token = _BUDGET.set(current)
    try:
        yield current
    finally:
        _BUDGET.reset(token)


def render_stream(template: jinja2.Template, context: dict[str, Any]) -> str:
    """``template.render(context)``, measuring the output as it streams."""
    current = _BUDGET.get()
    if current is None:
        return template.render(context)
    chunks = []
    for chunk in template.generate(context):
        current.emit(len(chunk))
        chunks.append(chunk)
    return "".join(chunks)


def _step(count: int = 1) -> None:
    current = _BUDGET.get()
    if current is not None:
        current.step(count)


def _measured(value: Any) -> Any:
    current = _BUDGET.get()
    if current is not None and isinstance(value, str | list | tuple | dict):
        current.text(len(value))
    return value


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple) else None


def _check_widths(numbers: Iterable[str | None]) -> None:
    for number in numbers:
        if number == "*":
            raise BudgetError("a '*' width in a format is not allowed")
        if number and int(number) > MAX_WIDTH:
            raise BudgetError(f"a format width over {MAX_WIDTH:,}")


def check_percent_format(text: str) -> None:
    """Refuse ``%``-format widths past :data:`MAX_WIDTH` (``'%0999999999d' % 1``)."""
    for match in _PERCENT_SPEC.finditer(text):
        _check_widths((match.group(2), match.group(3)))


def check_brace_format(text: str) -> None:
    """Refuse ``str.format`` widths past :data:`MAX_WIDTH` (``'{:>999999999}'``)."""
    for field_spec in re.findall(r"{[^{}]*}", text):
        _, _, spec = field_spec.partition(":")
        _check_widths(_FORMAT_NUMBERS.findall(spec))


def _budgeted_loop(iterable: Any) -> Iterator[Any]:
    """A ``{% for %}`` iterable: one step per item."""
    for item in iterable:
        _step()
        yield item


def _budgeted_filter(name: str, function: Any) -> Any:
    """``function`` with its padding argument capped and its result measured."""
    index = _PADDING_FILTERS.get(name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _step()
        if index is not None and any(isinstance(v, int) and v > MAX_WIDTH
                                     for v in (*args[index:], *kwargs.values())):
            raise BudgetError(f"the '{name}' filter with a width or count over {MAX_WIDTH:,}")
        if name == "format" and args and isinstance(args[0], str):
            check_percent_format(args[0])
        return _measured(function(*args, **kwargs))

    for attribute in ("jinja_pass_arg",):  # keep the context/eval-context markers
        if hasattr(function, attribute):
            setattr(wrapper, attribute, getattr(function, attribute))
    return wrapper


class _Guard(NodeTransformer):
    """Routes loops, ``~`` and ``{% set %}`` blocks through the budget."""

    def visit_For(self, node: nodes.For) -> nodes.Node:  # noqa: N802 (Jinja's visitor names)
        self.generic_visit(node)
        node.iter = nodes.Call(nodes.EnvironmentAttribute("iapme_loop"), [node.iter], [],
                               None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:  # noqa: N802
        self.generic_visit(node)
        return nodes.Call(nodes.EnvironmentAttribute("iapme_text"), [node], [], None, None,
                          lineno=node.lineno)

    def visit_AssignBlock(self, node: nodes.AssignBlock) -> nodes.Node:  # noqa: N802
        self.generic_visit(node)
        node.filter = nodes.Filter(node.filter, "iapme_text", [], [], None, None,
                                   lineno=node.lineno)
        return node


class BudgetedEnvironment(SandboxedEnvironment):
    """Jinja's sandbox plus the render budget (see the module's docstring)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = {name: _budgeted_filter(name, f) for name, f in self.filters.items()}
        self.filters["iapme_text"] = _measured
        self.iapme_loop = _budgeted_loop
        self.iapme_text = _measured

    def _generate(self, source: nodes.Template, name: str | None, filename: str | None,
                  defer_init: bool = False) -> str:
        tree = _Guard().visit(copy.deepcopy(source))
        return super()._generate(tree, name, filename, defer_init)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any,
                   right: Any) -> Any:
        _step()
        current = _BUDGET.get()
        limit = current.limits.chars if current else None
        if limit is not None:
            _precheck(operator, left, right, limit)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any,  # noqa: N805
             *args: Any, **kwargs: Any) -> Any:
        _step(CALL_STEPS)
        name = getattr(__obj, "__name__", "")
        if isinstance(getattr(__obj, "__self__", None), str) and name in _PADDING_METHODS \
                and any(isinstance(v, int) and v > MAX_WIDTH for v in (*args, *kwargs.values())):
            raise BudgetError(f"'{name}' with a width over {MAX_WIDTH:,}")
        return _measured(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            check_brace_format(value.__self__)
        return wrapped

    def getattr(self, obj: Any, attribute: str) -> Any:
        _step()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _step()
        return super().getitem(obj, argument)


def _precheck(operator: str, left: Any, right: Any, limit: int) -> None:
    """Refuse ``left operator right`` when its result would be past the budget."""
    if operator == "*":
        for sized, count in ((left, right), (right, left)):
            size = _size(sized)
            if size is not None and isinstance(count, int) and size * count > limit:
                raise BudgetError(f"a text or list of {size * count:,} items or characters")
    elif operator == "+":
        sizes = (_size(left), _size(right))
        if sizes[0] is not None and sizes[1] is not None and sizes[0] + sizes[1] > limit:
            raise BudgetError(f"a text or list of more than {limit:,} characters")
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1 \
                and abs(left).bit_length() * right > 4 * limit:
            raise BudgetError("a number too large to compute")
    elif operator == "%" and isinstance(left, str):
        check_percent_format(left)


class _Undefined(jinja2.StrictUndefined):
    """Strict everywhere: not even ``repr()`` (``|map(attribute=...)|list`` would print
    ``[Undefined]`` into a deliverable)."""

    __repr__ = jinja2.StrictUndefined._fail_with_undefined_error


def make_environment() -> BudgetedEnvironment:
    """The one Jinja environment for documents: sandboxed, budgeted, autoescaped, strict.

    A missing variable raises instead of printing a blank, and so does a missing attribute
    inside ``map``/``sort``/``join`` filters; templates cannot reach Python internals
    (``''.__class__`` raises ``SecurityError``) nor exceed the render budget
    (:mod:`engine.documents.sandbox`). No custom filters: the context already holds
    formatted French strings.
    """
    return BudgetedEnvironment(autoescape=True, undefined=_Undefined, finalize=_literal)


_BRACE_UNDERSCORE = re.compile(r"(?<=[{%])_|_(?=[}%])")


def _literal(value: Any) -> Any:
    """Escape a value so docxtpl's own ``{_{``/``}_}`` un-escaping cannot touch it.

    Why:
        docxtpl turns ``{_{`` into ``{{`` over the whole rendered part, values included; an
        underscore next to a brace or percent sign is written as the character reference
        ``&#95;``, which Word reads back as ``_``.
    """
    if hasattr(value, "__html__"):
        return value
    if isinstance(value, Iterator):
        raise SecurityError("a filter's result must be joined or listed before it is shown "
                            "(add |join(', ') or |list)")
    escaped = markupsafe.escape(value)
    if "_" not in escaped:  # most values: nothing more to do
        return escaped
    text = _BRACE_UNDERSCORE.sub("&#95;", str(escaped))
    return markupsafe.Markup(text)  # noqa: S704 (escaped above)
