"""Render .docx templates: fast, deterministic, sandboxed.

A template is compiled once per process (:meth:`PreparedTemplate.load`), then each
:meth:`PreparedTemplate.render` fills the Jinja parts and writes the .docx bytes straight into a
zip whose static parts were deflated at load. The output text is docxtpl's (same patching, same
newline handling); :func:`reference_render` is the plain docxtpl path the tests compare with.

Why:
    docxtpl reloads and re-saves the whole package for every document (about 45 ms); this path
    takes a few ms, gives byte-identical output for identical inputs, and turns every template
    mistake into a :class:`~engine.errors.TemplateError` naming the file, part and paragraph.
"""

from __future__ import annotations

import contextvars
import datetime
import io
import posixpath
import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2.exceptions import SecurityError
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from engine.common.suggest import hint
from engine.documents import zipwriter as docx_fast
from engine.documents.parts import (
    DOCXTPL,
    RT_CORE,
    JinjaPart,
    Relationship,
    paragraph_at,
    read_template,
    syntax_issue,
)
from engine.documents.read import document_images, document_text
from engine.documents.sandbox import BudgetError, Limits, budget, make_environment, render_stream
from engine.documents.typeset import Typesetter
from engine.errors import InternalError, Issue, Location, RenderBudgetError, TemplateError

__all__ = [
    "DocProperties",
    "Image",
    "PreparedTemplate",
    "document_images",
    "document_text",
    "make_environment",
    "reference_render",
]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RENDER_LIMITS = Limits()
"""The budget of one document (ours take well under a tenth of it)."""
_UNDEFINED_NAME = re.compile(r"^'([^']+)' is undefined$")
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)  # as docxtpl's resolve_listing
_LISTING_CHARS = re.compile("[\t\a\n\f]")
_LISTING_CHAR_SET = ("\n", "\t", "\a", "\f")
_RENDER_STATE: contextvars.ContextVar[_RenderState | None] = contextvars.ContextVar(
    "iapme_render_state", default=None
)


class _NoTree:
    """lxml parser target that builds nothing: a well-formedness check at half the cost."""

    def close(self) -> None:
        return None


def _resolve_listing(match: re.Match[str]) -> str:
    """docxtpl's ``resolve_listing`` (newline -> line break, tab...), run only where needed.

    It works paragraph by paragraph with this same pattern, so skipping the paragraphs
    without a special character changes nothing but the time (about 1 ms per document).
    """
    paragraph = match.group(0)
    if _LISTING_CHARS.search(paragraph) is None:
        return paragraph
    return str(DOCXTPL.resolve_listing(paragraph))


@dataclass(frozen=True)
class Image:
    """A PNG picture a context value may hold; a template shows it with ``{{ chart }}``.

    Why:
        Autoescape calls ``__html__``, which asks the render in progress (a context variable)
        for the drawing run: no walk over the context to find images before each render.
    """

    png: bytes
    width_mm: float

    def __post_init__(self) -> None:
        if not self.png.startswith(_PNG_SIGNATURE):
            raise ValueError("Image.png must hold PNG bytes")
        if not self.width_mm > 0:
            raise ValueError(f"Image.width_mm must be positive, not {self.width_mm}")

    def __html__(self) -> str:
        state = _RENDER_STATE.get()
        if state is None:
            raise InternalError("an Image can only be shown by PreparedTemplate.render")
        return state.drawing(self)


@dataclass(frozen=True)
class DocProperties:
    """Core properties of a rendered document, set after rendering (never templated)."""

    title: str
    subject: str
    author: str
    created: datetime.date
    keywords: str = ""


class _RenderState:
    """Images placed during one render: media names and each part's new relationships."""

    def __init__(self, taken_ids: Mapping[str, frozenset[str]]) -> None:
        self.part: JinjaPart | None = None
        self.media: dict[bytes, str] = {}
        self.new_rels: dict[str, dict[str, Relationship]] = {}
        self._taken = taken_ids

    def drawing(self, image: Image) -> str:
        part = self.part
        if part is None:  # pragma: no cover - an Image is only rendered inside a part
            raise InternalError("image rendered outside a document part")
        media = self.media.setdefault(image.png, f"word/media/iapme{len(self.media) + 1}.png")
        rels = self.new_rels.setdefault(part.name, {})
        if media not in rels:
            rid, n = "", len(rels)
            while not rid or rid in self._taken[part.name]:
                n += 1
                rid = f"rIdIapme{n}"
            rels[media] = docx_fast.image_relationship(rid, part.name, media)
        name = posixpath.basename(media)
        return docx_fast.drawing_run(rels[media].rid, name, image.png, image.width_mm)


def _swap_images(value: Any, make: Any) -> Any:
    """``value`` with each :class:`Image` (in dicts, lists, tuples) replaced by ``make(img)``."""
    if isinstance(value, Image):
        return make(value)
    if isinstance(value, dict):
        swapped = {k: _swap_images(v, make) for k, v in value.items()}
        return value if all(swapped[k] is v for k, v in value.items()) else swapped
    if isinstance(value, list | tuple):
        items = [_swap_images(v, make) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    return value


class PreparedTemplate:
    """A template compiled once; :meth:`render` is cheap and deterministic."""

    def __init__(self, path: Path, env: jinja2.Environment) -> None:
        source = read_template(path)
        if source.issues:
            raise TemplateError.of(source.issues)
        templates, issues = [], []
        for part in source.parts:
            try:
                templates.append(env.from_string(part.source))
            except jinja2.TemplateSyntaxError as exc:
                issues.append(syntax_issue(path, part, exc))
        if issues:
            raise TemplateError.of(issues)
        self.path = path
        self.parts = source.parts
        self._templates = templates
        package_rels = list(source.package_rels)
        core = next((r.target.lstrip("/") for r in package_rels if r.type == RT_CORE), None)
        if core is None:
            core = "docProps/core.xml"
            package_rels.append(Relationship("rIdIapmeCore", RT_CORE, core))
        self._core = core
        dynamic = {core, "_rels/.rels", "[Content_Types].xml"}
        dynamic |= {p.name for p in self.parts} | {p.rels_name for p in self.parts}
        new_core = None if core in source.entries else core
        static = [
            ("[Content_Types].xml",
             docx_fast.content_types_xml(source.entries["[Content_Types].xml"], new_core)),
            ("_rels/.rels", docx_fast.rels_xml(package_rels)),
        ] + [(n, data) for n, data in source.entries.items() if n not in dynamic]  # fmt: skip
        self._base = docx_fast.build_zip(static)
        self._taken = {p.name: frozenset(r.rid for r in p.rels) for p in self.parts}

    @classmethod
    def load(cls, path: Path, env: jinja2.Environment) -> PreparedTemplate:
        """Read, check and compile ``path``; keep the result for the whole process.

        Raises:
            TemplateError: unreadable file, Jinja syntax error (with part and paragraph),
                or a docxtpl feature the fast path does not render ({%tc %}, subdocuments).
        """
        if not env.autoescape:
            raise InternalError("document templates need an autoescaping environment")
        return cls(path, env)

    def render(self, context: Mapping[str, Any], props: DocProperties,
               limits: Limits = RENDER_LIMITS, typesetter: Typesetter | None = None) -> bytes:
        """The .docx bytes for ``context``; equal inputs give equal bytes.

        With a ``typesetter``, the text of every part is set the French way after the render
        (:mod:`engine.documents.typeset`: template wording and data alike).

        Raises:
            TemplateError: a variable is missing, the sandbox refused an operation, the
                render needed more than ``limits`` (size, steps, time), or the template
                produced invalid XML.
        """
        state = _RenderState(self._taken)
        ctx = dict(context)
        entries, shape_id = [], docx_fast.FIRST_SHAPE_ID
        token = _RENDER_STATE.set(state)
        try:
            with budget(limits):
                for part, template in zip(self.parts, self._templates, strict=True):
                    state.part = part
                    xml = self._fill(part, template, ctx)
                    xml, shape_id = docx_fast.renumber_shapes(xml, shape_id)
                    data = (part.prefix + xml + part.suffix).encode()
                    self._check_xml(part, data)
                    if typesetter is not None:
                        data = typesetter.part(data)
                    entries.append((part.name, data))
        finally:
            _RENDER_STATE.reset(token)
        for part in self.parts:
            rels = list(part.rels) + list(state.new_rels.get(part.name, {}).values())
            if rels:
                entries.append((part.rels_name, docx_fast.rels_xml(rels)))
        entries += [(name, png) for png, name in state.media.items()]
        core = docx_fast.core_xml(
            props.title, props.subject, props.author, props.keywords, props.created
        )
        entries.append((self._core, core))
        return docx_fast.append_to_zip(self._base, entries)

    def _fill(self, part: JinjaPart, template: jinja2.Template, ctx: dict[str, Any]) -> str:
        """Render one part the way docxtpl's ``render_xml_part`` does."""
        try:
            xml = render_stream(template, ctx)
        except BudgetError as exc:
            raise self._error(part, exc, f"the template needs more than the render budget: "
                                         f"{exc}; simplify it", RenderBudgetError) from exc
        except RecursionError as exc:
            raise self._error(part, exc, "the template calls itself without end (a macro "
                                         "calling itself?)", RenderBudgetError) from exc
        except MemoryError as exc:
            raise self._error(part, exc, "the template needs more memory than there is",
                              RenderBudgetError) from exc
        except jinja2.UndefinedError as exc:
            name = _UNDEFINED_NAME.match(exc.message or "")
            extra = hint(name.group(1), ctx) if name else ""
            raise self._error(part, exc, f"unknown variable: {exc.message}.{extra}") from exc
        except SecurityError as exc:
            raise self._error(part, exc, f"operation not allowed in a template: {exc}") from exc
        except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as exc:
            raise self._error(part, exc, f"{type(exc).__name__}: {exc}") from exc
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")  # r"\n<w:p([ >])"
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%")
        xml = xml.replace("%_}", "%}")
        if not any(c in xml for c in _LISTING_CHAR_SET):  # the usual case; `in` beats re here
            return xml
        return _PARAGRAPH.sub(_resolve_listing, xml)

    def _error(self, part: JinjaPart, exc: BaseException, message: str,
               kind: type[TemplateError] = TemplateError) -> TemplateError:
        lines = [
            f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<template>"
        ]
        near = paragraph_at(part.source, lines[-1]) if lines else ""
        text = f"{message} (near «{near}»)" if near else message
        return kind([Issue(Location(str(self.path), key_path=part.label), text)])

    def _check_xml(self, part: JinjaPart, data: bytes) -> None:
        try:
            etree.fromstring(data, etree.XMLParser(target=_NoTree()))
        except etree.XMLSyntaxError as exc:
            raise TemplateError.at(
                str(self.path),
                f"the rendered {part.label} is not valid XML ({exc}): a value holds a control "
                "character, or a {%p %}/{%tr %} tag is not alone in its paragraph or row",
                key_path=part.label,
            ) from exc


def reference_render(
    path: Path, context: Mapping[str, Any], props: DocProperties, env: jinja2.Environment
) -> bytes:
    """The plain docxtpl rendering of ``path`` (the baseline of tests and benchmark)."""
    tpl = DocxTemplate(path)
    ctx = _swap_images(
        dict(context),
        lambda image: InlineImage(tpl, io.BytesIO(image.png), width=Mm(image.width_mm)),
    )
    tpl.render(ctx, jinja_env=env, autoescape=True)
    core = tpl.docx.core_properties
    stamp = datetime.datetime.combine(props.created, datetime.time())
    core.title, core.subject, core.author = props.title, props.subject, props.author
    core.keywords, core.last_modified_by, core.revision = props.keywords, props.author, 1
    core.created = core.modified = stamp
    buffer = io.BytesIO()
    tpl.save(buffer)
    return buffer.getvalue()
