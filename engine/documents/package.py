"""What a template's package may hold: the parts of a plain Word document, nothing that runs
or reaches out.

The renderer copies a template's parts into every client's document, so each is checked
before any client (``iapme templates check`` and the run):

* zip limits (:data:`TEMPLATE_LIMITS`: entries, sizes, inflation ratio), so a 1.6 MB file
  cannot inflate to gigabytes in every run;
* every XML part well formed, with no DOCTYPE (Office never writes one; a DOCTYPE can declare
  entities that pull local files into the document), ``[Content_Types].xml`` included;
* relationships from an allow-list of Word's own types; the only external target a template
  may have is a hyperlink (an external ``attachedTemplate`` makes Word fetch a URL when the
  client opens the document; external images are tracking pixels);
* no macros (``vbaProject``, macro-enabled content types), OLE objects, ActiveX controls,
  embedded packages or add-ins, and only the file types a Word document needs.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from engine.common.zipio import ZipLimits
from engine.errors import Issue, Location

TEMPLATE_LIMITS = ZipLimits(entries=500, entry_bytes=32 * 2**20, total_bytes=64 * 2**20)
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                              huge_tree=False, remove_blank_text=False)
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_OFFICE = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/",
           "http://purl.oclc.org/ooxml/officeDocument/relationships/")
_PACKAGE = ("http://schemas.openxmlformats.org/package/2006/relationships/",
            "http://purl.oclc.org/ooxml/package/relationships/")
_WORD_TYPES = (
    "officeDocument", "extended-properties", "custom-properties", "styles", "settings",
    "webSettings", "fontTable", "font", "theme", "themeOverride", "numbering", "footnotes",
    "endnotes", "comments", "header", "footer", "image", "hyperlink", "customXml",
    "customXmlProps", "glossaryDocument", "diagramData", "diagramLayout", "diagramQuickStyle",
    "diagramColors", "chart", "chartUserShapes",
)
ALLOWED_RELATIONSHIPS = frozenset(
    [base + name for base in _OFFICE for name in _WORD_TYPES]
    + [base + name for base in _PACKAGE
       for name in ("metadata/core-properties", "metadata/thumbnail")]
    + ["http://schemas.microsoft.com/office/" + name for name in (
        "2007/relationships/stylesWithEffects", "2007/relationships/diagramDrawing",
        "2007/relationships/hdphoto", "2011/relationships/people",
        "2011/relationships/commentsExtended", "2016/09/relationships/commentsIds",
        "2018/08/relationships/commentsExtensible", "2020/02/relationships/classificationlabels",
    )]
)
EXTERNAL_ALLOWED = frozenset(base + "hyperlink" for base in _OFFICE)
ALLOWED_EXTENSIONS = frozenset({
    "xml", "rels", "png", "jpeg", "jpg", "jpe", "gif", "bmp", "tif", "tiff", "emf", "wmf",
    "svg", "wdp", "odttf", "fntdata", "ttf",
})
Refuse = Callable[[str, str], None]  # (part name, message)
_DOCTYPE = ("declares a DOCTYPE, which Word never writes (it can pull files into every "
            "document); save the template again from Word")
_FORBIDDEN_WORDS = ("vbaproject", "vbadata", "activex", "oleobject", "embeddings/",
                    "macroenabled", "webextension", "keymapcustomizations")


def check_package(path: Path, entries: dict[str, bytes]) -> list[Issue]:
    """Every refused part, relationship and content type of a template, with its part."""
    issues: list[Issue] = []

    def refuse(part: str, message: str) -> None:
        issues.append(Issue(Location(str(path), key_path=part), message))

    if "[Content_Types].xml" not in entries:
        return [Issue(Location(str(path)), "is a zip file but not a Word document (no "
                                           "[Content_Types].xml); save it from Word as .docx")]
    for name, data in entries.items():
        lowered = name.lower()
        extension = posixpath.basename(lowered).rpartition(".")[2]
        if name.endswith("/"):
            continue
        if any(word in lowered for word in _FORBIDDEN_WORDS) or extension == "bin":
            refuse(name, "macros, OLE objects, ActiveX controls, embedded files and add-ins are "
                         "not allowed in a template; remove them (save as .docx, not .docm)")
            continue
        if extension not in ALLOWED_EXTENSIONS and name != "[Content_Types].xml":
            refuse(name, f"a '.{extension}' file has no place in a Word template; remove it")
            continue
        if extension in ("xml", "rels") or name == "[Content_Types].xml":
            root = _parse(name, data, refuse)
            if root is not None and extension == "rels":
                _check_relationships(name, root, refuse)
            elif root is not None and name == "[Content_Types].xml":
                _check_content_types(name, root, refuse)
    return issues


def _parse(name: str, data: bytes, refuse: Refuse) -> etree._Element | None:
    if b"<!DOCTYPE" in data:
        refuse(name, _DOCTYPE)
        return None
    try:
        tree = etree.ElementTree(etree.fromstring(data, SAFE_PARSER))
    except (etree.XMLSyntaxError, ValueError) as exc:
        refuse(name, f"is not well-formed XML ({exc}); the template is damaged: "
                     "save it again from Word")
        return None
    if tree.docinfo.doctype:
        refuse(name, _DOCTYPE)
        return None
    return tree.getroot()


def _check_relationships(name: str, root: etree._Element, refuse: Refuse) -> None:
    for rel in root:
        if not isinstance(rel.tag, str):
            continue
        kind, target = rel.get("Type", ""), rel.get("Target", "")
        external = rel.get("TargetMode") == "External"
        short = kind.rsplit("/", 1)[-1] or "(none)"
        if external and kind not in EXTERNAL_ALLOWED:
            refuse(name, f"the '{short}' relationship points outside the document "
                         f"({target[:80]}): Word would fetch it when the client opens the "
                         "document; only hyperlinks may point outside")
        elif kind not in ALLOWED_RELATIONSHIPS:
            refuse(name, f"a '{short}' relationship is not allowed in a template (only a plain "
                         "Word document's parts: no macros, OLE objects, ActiveX, add-ins)")


def _check_content_types(name: str, root: etree._Element, refuse: Refuse) -> None:
    if root.tag != f"{{{NS_CT}}}Types":
        refuse(name, "is not a content-types list; the template is damaged")
        return
    for item in root:
        content_type = (item.get("ContentType") or "").lower() if isinstance(item.tag, str) \
            else ""
        if any(word in content_type for word in ("macroenabled", "vbaproject", "activex",
                                                  "oleobject", "vnd.ms-office.vba")):
            refuse(name, f"declares '{content_type}': macros and embedded objects are not "
                         "allowed in a template (save as .docx, not .docm)")
