"""Read a .docx template and turn its body, headers and footers into Jinja sources.

The sources are exactly what docxtpl 0.20.2 would compile: the part XML serialized by lxml as
python-docx parses it, run through docxtpl's own ``patch_xml`` (tags split across runs,
``{%p %}``/``{%tr %}``, smart quotes), then with a newline before each ``<w:p`` so that a Jinja
line number is a paragraph. ``render`` compiles them,
``templates`` checks them.

Why:
    Reusing docxtpl's patching (instead of a rewrite) keeps the fast renderer's output text
    identical to docxtpl's, which the tests prove against ``reference_render``.
"""

from __future__ import annotations

import html
import posixpath
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from engine.common.files import read_regular
from engine.common.zipio import ZipRefusedError, read_zip
from engine.documents.package import TEMPLATE_LIMITS, check_package
from engine.errors import Issue, Location, TemplateError

NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
RT_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT_OFFICE_DOCUMENT = RT_BASE + "officeDocument"
RT_HEADER = RT_BASE + "header"
RT_FOOTER = RT_BASE + "footer"
RT_IMAGE = RT_BASE + "image"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"

# python-docx parses every XML part with this parser; docxtpl serializes what it produced.
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)
# docxtpl's helpers only use ``self`` for the class; one instance, never loaded, serves all.
DOCXTPL = DocxTemplate("unused.docx")

_PARAGRAPH_START = re.compile(r"<w:p([ >])")
_TAGS = re.compile(r"<[^>]+>")
_JINJA = re.compile(r"{[{%#]")
# docxtpl tags the fast path cannot render: {%tc %} column loops, {{p }} subdocuments and
# rich paragraphs, {{r }} rich text runs (the context only holds plain strings).
_UNSUPPORTED = re.compile(r"{%tc\s|{{tc\s|{{p\s|{{r\s")
CONTEXT_CHARS = 80


@dataclass(frozen=True)
class Relationship:
    """One ``<Relationship>`` of a part's .rels file."""

    rid: str
    type: str
    target: str
    external: bool = False


@dataclass(frozen=True)
class JinjaPart:
    """One templated XML part: the body of document.xml, a header or a footer.

    ``prefix + rendered(source) + suffix`` is the whole part; for the body the prefix is the
    document element up to ``<w:body>``, for headers and footers only the XML declaration.
    """

    label: str
    name: str
    source: str
    prefix: str
    suffix: str
    rels_name: str
    rels: tuple[Relationship, ...]


@dataclass(frozen=True)
class TemplateSource:
    """Everything read from one template file: raw zip entries and the Jinja parts."""

    path: Path
    entries: dict[str, bytes]
    package_rels: tuple[Relationship, ...]
    parts: tuple[JinjaPart, ...]
    issues: tuple[Issue, ...]


def read_template(path: Path) -> TemplateSource:
    """Read ``path`` and prepare its Jinja sources.

    Raises:
        TemplateError: the file is missing, not a zip, or not a Word document. Unsupported
            docxtpl features are not raised here but listed in ``issues``.
    """
    entries = _read_zip(path)
    package_rels = parse_rels(entries.get("_rels/.rels"))
    main = next((r.target.lstrip("/") for r in package_rels if r.type == RT_OFFICE_DOCUMENT), "")
    if main not in entries:
        raise TemplateError.at(
            str(path), "is a zip file but not a Word document (no main document part)"
        )
    try:
        root = etree.fromstring(entries[main], _PARSER)
        main_rels_name = rels_name_of(main)
        main_rels = parse_rels(entries.get(main_rels_name))
        issues: list[Issue] = []
        parts = [_body_part(main, root, main_rels_name, main_rels, path, issues)]
        for kind, reltype in (("header", RT_HEADER), ("footer", RT_FOOTER)):
            for rel in main_rels:
                name = posixpath.normpath(posixpath.join(posixpath.dirname(main), rel.target))
                seen = any(part.name == name for part in parts)
                if rel.type == reltype and not rel.external and entries.get(name) and not seen:
                    parts.append(_side_part(kind, name, entries, path, issues))
    except etree.XMLSyntaxError as exc:
        raise TemplateError.at(str(path), f"the Word document is damaged: {exc}") from exc
    issues += _tags_elsewhere(path, entries, {main, *(p.name for p in parts)})
    return TemplateSource(path, entries, package_rels, tuple(parts), tuple(issues))


def _read_zip(path: Path) -> dict[str, bytes]:
    """The template's entries, within the zip limits, its package checked (see
    :mod:`engine.documents.package`); every refusal of the package at once."""
    try:
        info = path.stat()
    except OSError as exc:
        if not path.exists():
            raise TemplateError.at(str(path), "template file not found") from None
        raise TemplateError.at(str(path), f"cannot read the template: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise TemplateError.at(str(path), "template file not found")
    try:
        data = read_regular(path, TEMPLATE_LIMITS.total_bytes, follow_links=True)
        entries = read_zip(data, TEMPLATE_LIMITS)
    except ZipRefusedError as exc:
        text = str(exc)
        if text.startswith("damaged zip archive (File is not a zip file"):
            text = "is not a Word .docx file (not a zip archive); save it from Word as .docx"
        elif text.startswith("damaged"):
            text = f"the .docx file is {text}"
        else:
            text = f"is refused as a template: {text}"
        raise TemplateError.at(str(path), text) from None
    except OSError as exc:
        raise TemplateError.at(str(path), f"cannot read the template: {exc.strerror}") from None
    issues = check_package(path, entries)
    if issues:
        raise TemplateError.of(issues)
    return entries


def _body_part(
    name: str,
    root: etree._Element,
    rels_name: str,
    rels: tuple[Relationship, ...],
    path: Path,
    issues: list[Issue],
) -> JinjaPart:
    body = root.find(f"{{{NS_W}}}body")
    if body is None:
        raise etree.XMLSyntaxError("no <w:body> in the main document", 0, 0, 0, name)
    body_xml = etree.tostring(body, encoding="unicode")
    if body.nsmap == root.nsmap and not body.attrib and len(body):
        # lxml re-declares every inherited namespace on a serialized subtree: drop them.
        body_xml = "<w:body>" + body_xml[body_xml.index(">") + 1 :]
    issues += _unsupported(path, "body", body_xml)
    body.getparent().replace(body, etree.Element(f"{{{NS_W}}}body"))
    shell = etree.tostring(root, encoding="unicode")
    marker = re.search(r"<w:body\s*/>", shell)
    if marker is None or shell.count("<w:body") != 1:
        raise etree.XMLSyntaxError("cannot locate <w:body> in the main document", 0, 0, 0, name)
    return JinjaPart(
        "body",
        name,
        jinja_source(body_xml),
        XML_DECLARATION + shell[: marker.start()],
        shell[marker.end() :],
        rels_name,
        rels,
    )


def _side_part(
    kind: str, name: str, entries: dict[str, bytes], path: Path, issues: list[Issue]
) -> JinjaPart:
    xml = etree.tostring(etree.fromstring(entries[name], _PARSER), encoding="unicode")
    digits = re.sub(r"\D", "", posixpath.basename(name))
    issues += _unsupported(path, kind + digits, xml)
    rels_name = rels_name_of(name)
    rels = parse_rels(entries.get(rels_name))
    return JinjaPart(kind + digits, name, jinja_source(xml), XML_DECLARATION, "", rels_name, rels)


def jinja_source(xml: str) -> str:
    """docxtpl's patching plus its one-paragraph-per-line split (``render_xml_part``)."""
    return _PARAGRAPH_START.sub(r"\n<w:p\1", DOCXTPL.patch_xml(xml))


def _unsupported(path: Path, label: str, raw_xml: str) -> list[Issue]:
    """docxtpl tags the fast path cannot render, found in the XML before patching."""
    issues = []
    for line in _PARAGRAPH_START.sub(r"\n<w:p\1", raw_xml).split("\n"):
        text = visible_text(line)
        match = _UNSUPPORTED.search(text)
        if match:
            issues.append(
                Issue(
                    Location(str(path), key_path=label),
                    f"the docxtpl tag '{match.group(0).strip()}' is not supported "
                    f"(no {{%tc %}} column loops, subdocuments or rich text): "
                    f"«{shorten(text)}»",
                )
            )
    return issues


def _tags_elsewhere(path: Path, entries: dict[str, bytes], templated: set[str]) -> list[Issue]:
    """Jinja tags in footnotes, endnotes or comments would be printed literally: refuse them."""
    issues = []
    for name in ("word/footnotes.xml", "word/endnotes.xml", "word/comments.xml"):
        if name in entries and name not in templated:
            text = visible_text(entries[name].decode("utf-8", "replace"))
            if _JINJA.search(text):
                issues.append(
                    Issue(
                        Location(str(path), key_path=posixpath.basename(name)[:-4]),
                        "Jinja tags are only supported in the body, headers and footers",
                    )
                )
    return issues


def visible_text(xml: str) -> str:
    """The text a reader would see in an XML fragment (tags removed, entities decoded)."""
    return html.unescape(_TAGS.sub("", xml))


def shorten(text: str, limit: int = CONTEXT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def paragraph_at(source: str, lineno: int | None) -> str:
    """About 80 characters of the paragraph holding Jinja line ``lineno`` of ``source``.

    Falls back to the nearest earlier paragraph with text (an unclosed block is reported at
    the end of the part, where there is usually none).
    """
    lines = source.split("\n")
    if lineno is None or not lines:
        return ""
    index = min(max(lineno - 1, 0), len(lines) - 1)
    for candidate in range(index, -1, -1):
        text = shorten(visible_text(lines[candidate]))
        if text:
            return text
    return ""


def rels_name_of(part_name: str) -> str:
    folder, base = posixpath.split(part_name)
    return posixpath.join(folder, "_rels", base + ".rels")


def parse_rels(data: bytes | None) -> tuple[Relationship, ...]:
    if not data:
        return ()
    root = etree.fromstring(data, _PARSER)
    return tuple(
        Relationship(
            rel.get("Id", ""),
            rel.get("Type", ""),
            rel.get("Target", ""),
            rel.get("TargetMode") == "External",
        )
        for rel in root.iter(f"{{{NS_REL}}}Relationship")
    )


def syntax_issue(path: Path, part: JinjaPart, exc: jinja2.TemplateSyntaxError) -> Issue:
    """A Jinja syntax error as an issue naming the part and the paragraph around it."""
    near = paragraph_at(part.source, exc.lineno)
    where = f" (near «{near}»)" if near else ""
    return Issue(
        Location(str(path), key_path=part.label), f"Jinja syntax error: {exc.message}{where}"
    )
