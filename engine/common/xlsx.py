"""A small deterministic .xlsx writer: sheets of rows of typed cells, a few fixed styles.

What it writes: one or more sheets, each a header row and rows of cells (``str``, ``int``,
``float``, ``bool``, ``datetime.date`` or ``None``), every cell with one :class:`Style` (bold,
font colour, solid fill, underline, wrapped text, vertical alignment, a number format); column
widths, row heights, a frozen pane, an autofilter over the header and the rows, landscape
printing one page wide with the header row on every page, and external hyperlinks. Strings are
written inline, stripped of the characters XML 1.0 cannot hold, and escaped, so no text (a
hostile profile's included) can make the file invalid. The archive is written with fixed dates
(:mod:`engine.common.zipio`): equal inputs give equal bytes.

Why:
    openpyxl builds an object per cell and hashes a style object per assignment: about 100 ms
    for a 30-row working file, the biggest cost of a client in the batch. Writing the XML
    directly takes well under a millisecond; openpyxl is still what the tests read with.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from engine.common import zipio
from engine.common.text import xml_safe

Value = str | int | float | bool | dt.date | None

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year bug accounted for)
_FIRST_FORMAT = 164  # ids below are Excel's built-in number formats


@dataclass(frozen=True)
class Style:
    """How a cell looks. Colours are ``RRGGBB``; ``number_format`` is Excel's code."""

    bold: bool = False
    color: str | None = None
    fill: str | None = None
    underline: bool = False
    wrap: bool = False
    vertical: str | None = None  # "top", "center", "bottom"
    number_format: str | None = None


@dataclass(frozen=True)
class Cell:
    value: Value
    style: Style = Style()
    link: str | None = None  # an external target (a relative path or an address)


@dataclass
class Sheet:
    """One worksheet: ``rows`` (the first is the header when ``header`` is true)."""

    name: str
    rows: list[list[Cell]]
    widths: Sequence[float] = ()
    heights: dict[int, float] = field(default_factory=dict)  # 1-based row -> points
    freeze: str | None = None  # the top-left cell of the scrolling pane, e.g. "A2"
    autofilter: bool = False
    landscape_fit_width: bool = False  # printed landscape, one page wide, header repeated


@functools.cache
def column_letter(index: int) -> str:
    """``1`` -> ``A``, ``27`` -> ``AA``."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _split(ref: str) -> tuple[int, int]:
    """``"B2"`` -> (column 2, row 2)."""
    letters = ref.rstrip("0123456789")
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch) - 64
    return column, int(ref[len(letters):])


def _text(value: str) -> str:
    value = escape(xml_safe(value))
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f"<t{space}>{value}</t>"


class _Styles:
    """The style table: fonts, fills, number formats and cell formats, numbered on first use."""

    def __init__(self) -> None:
        self.fonts: dict[tuple[bool, str | None, bool], int] = {(False, None, False): 0}
        self.fills: dict[str | None, int] = {None: 0}  # 1 is the mandatory gray125
        self.formats: dict[str, int] = {}
        self.xfs: dict[Style, int] = {Style(): 0}

    def index(self, style: Style) -> int:
        found = self.xfs.get(style)
        if found is None:
            self.fonts.setdefault((style.bold, style.color, style.underline), len(self.fonts))
            if style.fill is not None:
                self.fills.setdefault(style.fill, len(self.fills) + 1)
            if style.number_format is not None:
                self.formats.setdefault(style.number_format, _FIRST_FORMAT + len(self.formats))
            found = self.xfs[style] = len(self.xfs)
        return found

    def xml(self) -> str:
        formats = "".join(f'<numFmt numFmtId="{i}" formatCode={quoteattr(code)}/>'
                          for code, i in self.formats.items())
        fonts = "".join(_font(*key) for key in self.fonts)
        fills = ('<fill><patternFill patternType="none"/></fill>'
                 '<fill><patternFill patternType="gray125"/></fill>'
                 + "".join(f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/>'
                           '<bgColor indexed="64"/></patternFill></fill>'
                           for rgb in self.fills if rgb is not None))
        xfs = "".join(self._xf(style) for style in self.xfs)
        return (_DECL + f'<styleSheet xmlns="{_NS}">'
                + (f'<numFmts count="{len(self.formats)}">{formats}</numFmts>'
                   if self.formats else "")
                + f'<fonts count="{len(self.fonts)}">{fonts}</fonts>'
                + f'<fills count="{len(self.fills) + 1}">{fills}</fills>'
                '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
                '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
                f'borderId="0"/></cellStyleXfs><cellXfs count="{len(self.xfs)}">{xfs}</cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
                '</cellStyles></styleSheet>')

    def _xf(self, style: Style) -> str:
        number = self.formats.get(style.number_format, 0) if style.number_format else 0
        font = self.fonts[(style.bold, style.color, style.underline)]
        fill = self.fills[style.fill] if style.fill is not None else 0
        applied = (' applyNumberFormat="1"' if number else "") + \
            (' applyFont="1"' if font else "") + (' applyFill="1"' if fill else "")
        align = "".join(((f' vertical="{style.vertical}"' if style.vertical else ""),
                         (' wrapText="1"' if style.wrap else "")))
        head = f'<xf numFmtId="{number}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0"'
        if not align:
            return head + applied + "/>"
        return head + applied + f' applyAlignment="1"><alignment{align}/></xf>'


def _font(bold: bool, color: str | None, underline: bool) -> str:
    return ("<font>" + ('<b val="1"/>' if bold else "") + ('<u val="single"/>' if underline
                                                           else "")
            + '<sz val="11"/>' + (f'<color rgb="FF{color}"/>' if color else "")
            + '<name val="Calibri"/><family val="2"/></font>')


def _cell(ref: str, cell: Cell, style: int) -> str:
    value, s = cell.value, f' s="{style}"' if style else ""
    if isinstance(value, str) and value:  # "" is an empty cell, as openpyxl writes it
        return f'<c r="{ref}"{s} t="inlineStr"><is>{_text(value)}</is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, dt.datetime):
        days = (value - dt.datetime.combine(_EPOCH, dt.time())).total_seconds() / 86400
        return f'<c r="{ref}"{s}><v>{days!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}"{s}><v>{(value - _EPOCH).days}</v></c>'
    return f'<c r="{ref}"{s}/>'


def _sheet_xml(sheet: Sheet, styles: _Styles) -> tuple[str, list[tuple[str, str]]]:
    """The worksheet's XML and its hyperlinks ``[(cell, target)]``."""
    width = max((len(r) for r in sheet.rows), default=1) or 1
    last = f"{column_letter(width)}{max(1, len(sheet.rows))}"
    parts = [_DECL, f'<worksheet xmlns="{_NS}" xmlns:r="{_NS_R}">']
    if sheet.landscape_fit_width:
        parts.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
    parts.append(f'<dimension ref="A1:{last}"/><sheetViews><sheetView workbookViewId="0">')
    if sheet.freeze:
        column, top = _split(sheet.freeze)
        split = (f' xSplit="{column - 1}"' if column > 1 else "") + \
            (f' ySplit="{top - 1}"' if top > 1 else "")
        pane = ("bottomRight" if column > 1 and top > 1 else
                "topRight" if column > 1 else "bottomLeft")
        parts.append(f'<pane{split} topLeftCell="{sheet.freeze}" activePane="{pane}" '
                     f'state="frozen"/><selection pane="{pane}" activeCell="{sheet.freeze}" '
                     f'sqref="{sheet.freeze}"/>')
    parts.append('</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
    if sheet.widths:
        parts.append("<cols>" + "".join(
            f'<col min="{i}" max="{i}" width="{w!r}" customWidth="1"/>'
            for i, w in enumerate(sheet.widths, start=1)) + "</cols>")
    parts.append("<sheetData>")
    links: list[tuple[str, str]] = []
    known: dict[int, int] = {}  # id(style) -> its index: a Style's hash is not free
    for number, row in enumerate(sheet.rows, start=1):
        height = sheet.heights.get(number)
        parts.append(f'<row r="{number}"' + (f' ht="{height!r}" customHeight="1"'
                                             if height is not None else "") + ">")
        for index, cell in enumerate(row, start=1):
            ref = f"{column_letter(index)}{number}"
            style = known.get(id(cell.style))
            if style is None:
                style = known[id(cell.style)] = styles.index(cell.style)
            value = cell.value
            if isinstance(value, str) and value:  # the usual cell, written here
                value = escape(xml_safe(value))
                space = ' xml:space="preserve"' if value != value.strip() else ""
                parts.append(f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{value}'
                             "</t></is></c>" if style else
                             f'<c r="{ref}" t="inlineStr"><is><t{space}>{value}</t></is></c>')
            else:
                parts.append(_cell(ref, cell, style))
            if cell.link:
                links.append((ref, cell.link))
        parts.append("</row>")
    parts.append("</sheetData>")
    if sheet.autofilter:
        parts.append(f'<autoFilter ref="A1:{last}"/>')
    if links:
        parts.append("<hyperlinks>" + "".join(f'<hyperlink ref="{ref}" r:id="rId{i}"/>'
                                              for i, (ref, _) in enumerate(links, start=1))
                     + "</hyperlinks>")
    parts.append('<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
                 'footer="0.5"/>')
    if sheet.landscape_fit_width:
        parts.append('<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" '
                     'fitToHeight="0"/>')
    parts.append("</worksheet>")
    return "".join(parts), links


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _workbook_xml(sheets: Sequence[Sheet]) -> str:
    names = "".join(f'<sheet name={quoteattr(xml_safe(s.name))} sheetId="{i}" r:id="rId{i}"/>'
                    for i, s in enumerate(sheets, start=1))
    defined = []
    for i, s in enumerate(sheets):
        width = max((len(r) for r in s.rows), default=1) or 1
        ref = f"$A$1:${column_letter(width)}${max(1, len(s.rows))}"
        name = escape(_quoted(xml_safe(s.name)))
        if s.autofilter:
            defined.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" '
                           f'hidden="1">{name}!{ref}</definedName>')
        if s.landscape_fit_width:
            defined.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
                           f"{name}!$1:$1</definedName>")
    return (_DECL + f'<workbook xmlns="{_NS}" xmlns:r="{_NS_R}"><workbookPr/><bookViews>'
            f'<workbookView activeTab="0"/></bookViews><sheets>{names}</sheets>'
            + (f"<definedNames>{''.join(defined)}</definedNames>" if defined else "")
            + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')


def _core_xml(title: str, creator: str, created: dt.date) -> str:
    stamp = f"{created.isoformat()}T00:00:00Z"
    return (_DECL + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/'
            '2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(xml_safe(title))}</dc:title>"
            f"<dc:creator>{escape(xml_safe(creator))}</dc:creator>"
            f"<cp:lastModifiedBy>{escape(xml_safe(creator))}</cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>")


def _rels(items: Sequence[tuple[str, str, bool]]) -> str:
    return (_DECL + f'<Relationships xmlns="{_NS_PKG}">' + "".join(
        f'<Relationship Id="rId{i}" Type="{kind}" Target={quoteattr(xml_safe(target))}'
        + (' TargetMode="External"' if external else "") + "/>"
        for i, (kind, target, external) in enumerate(items, start=1)) + "</Relationships>")


def workbook_bytes(sheets: Sequence[Sheet], *, title: str = "", creator: str = "iapme",
                   created: dt.date = dt.date(2000, 1, 1)) -> bytes:
    """The .xlsx archive of ``sheets``, the same bytes for the same arguments."""
    styles = _Styles()
    entries: list[tuple[str, str]] = []
    sheet_rels: list[tuple[str, str]] = []
    for number, sheet in enumerate(sheets, start=1):
        xml, links = _sheet_xml(sheet, styles)
        entries.append((f"xl/worksheets/sheet{number}.xml", xml))
        if links:
            sheet_rels.append((f"xl/worksheets/_rels/sheet{number}.xml.rels",
                               _rels([(_RT + "hyperlink", t, True) for _, t in links])))
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}worksheet+xml"/>'
        for i in range(1, len(sheets) + 1))
    content_types = (
        _DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}styles+xml"/>{overrides}'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/><Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>")
    app = (_DECL + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
           'extended-properties"><Application>iapme</Application></Properties>')
    workbook_rels = _rels([*((_RT + "worksheet", f"worksheets/sheet{i}.xml", False)
                             for i in range(1, len(sheets) + 1)),
                           (_RT + "styles", "styles.xml", False)])
    package_rels = _rels([(_RT + "officeDocument", "xl/workbook.xml", False),
                          ("http://schemas.openxmlformats.org/package/2006/relationships/"
                           "metadata/core-properties", "docProps/core.xml", False),
                          (_RT + "extended-properties", "docProps/app.xml", False)])
    parts = [("[Content_Types].xml", content_types), ("_rels/.rels", package_rels),
             ("docProps/app.xml", app), ("docProps/core.xml", _core_xml(title, creator, created)),
             ("xl/workbook.xml", _workbook_xml(sheets)),
             ("xl/_rels/workbook.xml.rels", workbook_rels), *entries, *sheet_rels,
             ("xl/styles.xml", styles.xml())]
    return zipio.build_zip(((name, text.encode("utf-8")) for name, text in parts), level=1,
                           mode=0o644)
