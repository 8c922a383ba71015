"""Build the three default document templates of ``doc_templates/`` with python-docx.

    python tools/make_templates.py [OUTPUT_DIR]      (default: doc_templates/)

Writes ``charte-ia.docx``, ``brief-dsi.docx`` and ``rapport-audit.docx``: ordinary Word files a
consultant can open and restyle in Word or LibreOffice, holding docxtpl tags that use only the
names built by :func:`engine.documents.context.build_context` (see ``docs/templates.md``).

Layout conventions (kept identical in the three files):
    A4, 2 cm margins, Liberation Sans 10 pt, dark blue headings, tables with a dark blue header
    row repeated on each page and light grey borders. Every list is wrapped in
    ``{%p if ... %}`` with a fallback sentence, so an empty list never leaves an empty bullet.

Tag rules the renderer (``engine/render.py``) imposes, followed here:
    ``{%p ... %}`` tags are alone in their paragraph, ``{%tr ... %}`` tags alone in their row,
    ``{{ chart }}`` alone in its paragraph, plain ``{% if %}`` only inside one run.
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

FONT = "Liberation Sans"
BODY_PT = 10
DARK_BLUE = RGBColor(0x1F, 0x38, 0x64)
MID_BLUE = RGBColor(0x2E, 0x54, 0x96)
GREY = RGBColor(0x59, 0x59, 0x59)
HEADER_FILL = "1F3864"
LABEL_FILL = "E8EEF7"
BORDER = "A6A6A6"
# Column widths below add up to 17 cm (A4 minus 2 × 2 cm), 25.7 cm in the landscape annex.

ROOT = Path(__file__).resolve().parent.parent
FOOTER_LAW = "Document mis à jour conformément au Règlement européen sur l'IA (AI Act) et au RGPD"


# --------------------------------------------------------------------------- styles & helpers


def _set_fonts(rpr_parent, name: str = FONT) -> None:
    """Explicit fonts on a style or run (theme fonts removed, so Word keeps ours)."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)


def _new_document(title: str) -> DocumentObject:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    section.header_distance = Cm(1.0)
    section.footer_distance = Cm(1.0)

    styles = doc.styles
    # Document defaults: font, size, French language (spelling, hyphenation).
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(rpr_default):
        if child.tag in (qn("w:rFonts"), qn("w:lang")):
            rpr_default.remove(child)
    fonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    rpr_default.insert(0, fonts)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "fr-FR")
    lang.set(qn("w:eastAsia"), "fr-FR")
    lang.set(qn("w:bidi"), "ar-SA")
    rpr_default.append(lang)

    normal = styles["Normal"]
    _set_fonts(normal.element)
    normal.font.size = Pt(BODY_PT)
    normal.font.color.rgb = RGBColor(0x26, 0x26, 0x26)
    pf = normal.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(6), 1.15

    for name, size, color, before, after in (
        ("Title", 26, DARK_BLUE, 0, 12),
        ("Subtitle", 18, MID_BLUE, 0, 6),
        ("Heading 1", 15, DARK_BLUE, 18, 8),
        ("Heading 2", 12.5, DARK_BLUE, 14, 6),
        ("Heading 3", 10.5, MID_BLUE, 10, 4),
    ):
        style = styles[name]
        _set_fonts(style.element)
        style.font.size = Pt(size)
        style.font.color.rgb = color
        style.font.bold = name != "Subtitle"
        style.font.italic = False
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.line_spacing = 1.0
        rpr = style.element.get_or_add_rPr()
        for tag in ("w:spacing",):  # the default Title is letter-spaced
            for el in rpr.findall(qn(tag)):
                rpr.remove(el)
    # The default Title has a bottom border: keep ours (a thicker blue rule).
    title_ppr = styles["Title"].element.get_or_add_pPr()
    for el in title_ppr.findall(qn("w:pBdr")):
        title_ppr.remove(el)
    _bottom_rule(title_ppr, size=12)
    # Heading 1: thin blue rule beneath.
    _bottom_rule(styles["Heading 1"].element.get_or_add_pPr(), size=6, color="8EAADB")

    for name in ("List Bullet", "List Number"):
        style = styles[name]
        _set_fonts(style.element)
        style.paragraph_format.space_after = Pt(3)

    small = styles.add_style("Petit", 1)  # paragraph style: references, facts, sources
    small.base_style = normal
    small.font.size = Pt(8.5)
    small.font.color.rgb = GREY
    small.paragraph_format.space_after = Pt(2)
    small.paragraph_format.left_indent = Cm(0.4)

    cell = styles.add_style("Texte tableau", 1)
    cell.base_style = normal
    cell.font.size = Pt(9)
    cell.paragraph_format.space_before = Pt(2)
    cell.paragraph_format.space_after = Pt(2)
    cell.paragraph_format.line_spacing = 1.0

    head = styles.add_style("En-tête tableau", 1)
    head.base_style = cell
    head.font.bold = True
    head.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)

    foot = styles["Footer"]
    _set_fonts(foot.element)
    foot.font.size = Pt(8)
    foot.font.color.rgb = GREY

    doc.core_properties.title = title
    doc.core_properties.author = "iapme"
    doc.core_properties.comments = "Modèle généré par tools/make_templates.py"
    doc.core_properties.last_modified_by = "iapme"
    doc.core_properties.revision = 1
    return doc


def _bottom_rule(ppr, size: int = 8, color: str = "1F3864", space: int = 4) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(size))
    bottom.set(qn("w:space"), str(space))
    bottom.set(qn("w:color"), color)
    borders.append(bottom)
    # pBdr must come after keepNext/keepLines/pageBreakBefore... and before spacing/ind/jc.
    anchor = None
    for tag in (
        "w:shd",
        "w:tabs",
        "w:suppressAutoHyphens",
        "w:spacing",
        "w:ind",
        "w:jc",
        "w:outlineLvl",
        "w:rPr",
    ):
        anchor = ppr.find(qn(tag))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        ppr.append(borders)


def para(
    doc,
    text: str = "",
    style: str | None = None,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    color: RGBColor | None = None,
    align=None,
    after: float | None = None,
    before: float | None = None,
    keep: bool = False,
) -> Paragraph:
    """A paragraph holding ``text`` in a single run (so tags are never split)."""
    p = doc.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        if size:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color
    if align is not None:
        p.alignment = align
    if after is not None:
        p.paragraph_format.space_after = Pt(after)
    if before is not None:
        p.paragraph_format.space_before = Pt(before)
    if keep:
        p.paragraph_format.keep_with_next = True
    return p


def runs(doc, parts: Sequence[tuple[str, bool]], style: str | None = None) -> Paragraph:
    """A paragraph of several runs: ``(text, bold)`` pairs."""
    p = doc.add_paragraph(style=style)
    for text, bold in parts:
        run = p.add_run(text)
        run.bold = bold or None
    return p


def tag(doc, text: str) -> Paragraph:
    """A ``{%p ... %}`` control paragraph (removed at rendering)."""
    return doc.add_paragraph(text)


def heading(doc, text: str, level: int, *, page_break: bool = False) -> Paragraph:
    p = doc.add_heading(text, level)
    if page_break:
        p.paragraph_format.page_break_before = True
    return p


def bullets(
    doc,
    loop: str,
    item_text: str,
    empty: str,
    *,
    when: str | None = None,
    style: str = "List Bullet",
) -> None:
    """``{%p if list %}`` bullets ``{%p else %}`` fallback sentence ``{%p endif %}``."""
    tag(doc, "{%p if " + (when or loop.split(" in ", 1)[1]) + " %}")
    tag(doc, "{%p for " + loop + " %}")
    para(doc, item_text, style)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, empty, italic=True)
    tag(doc, "{%p endif %}")


def _cell_fill(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _cell_text(cell, text: str, style: str, *, bold: bool = False) -> None:
    p = cell.paragraphs[0]
    p.style = style
    if text:
        run = p.add_run(text)
        run.bold = bold or None


def _table_borders(table: Table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), BORDER)
        borders.append(el)
    tblpr.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for edge, width in (("left", 85), ("right", 85)):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(width))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tblpr.append(margins)


def _row_props(row, *, header: bool = False) -> None:
    trpr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    trpr.append(cant)
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def _new_table(doc, n_cols: int, widths_cm: Sequence[float]) -> Table:
    table = doc.add_table(rows=0, cols=n_cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _table_borders(table)
    for col, width in zip(table.columns, widths_cm, strict=True):
        col.width = Cm(width)
    return table


def _add_row(table: Table, widths_cm: Sequence[float]):
    row = table.add_row()
    for cell, width in zip(row.cells, widths_cm, strict=True):
        cell.width = Cm(width)
    return row


def loop_table(
    doc,
    headers: Sequence[str],
    cells: Sequence[str],
    loop: str,
    widths_cm: Sequence[float],
    *,
    bold_first: bool = False,
) -> Table:
    """Header row + ``{%tr for %}`` / one data row / ``{%tr endfor %}``."""
    table = _new_table(doc, len(headers), widths_cm)
    row = _add_row(table, widths_cm)
    _row_props(row, header=True)
    for cell, text in zip(row.cells, headers, strict=True):
        _cell_fill(cell, HEADER_FILL)
        _cell_text(cell, text, "En-tête tableau")
    for texts in (["{%tr for " + loop + " %}"], list(cells), ["{%tr endfor %}"]):
        row = _add_row(table, widths_cm)
        _row_props(row)
        for i, cell in enumerate(row.cells):
            text = texts[i] if i < len(texts) else ""
            _cell_text(cell, text, "Texte tableau", bold=bold_first and i == 0 and len(texts) > 1)
    return table


def kv_table(
    doc, rows: Sequence[tuple[str, str]], widths_cm: Sequence[float] = (5.5, 11.5)
) -> Table:
    """A static label | value table (labels shaded)."""
    table = _new_table(doc, 2, widths_cm)
    for label, value in rows:
        row = _add_row(table, widths_cm)
        _row_props(row)
        _cell_fill(row.cells[0], LABEL_FILL)
        _cell_text(row.cells[0], label, "Texte tableau", bold=True)
        _cell_text(row.cells[1], value, "Texte tableau")
    return table


def after_table(doc) -> None:
    """A small spacer paragraph after a table."""
    p = doc.add_paragraph()
    p.paragraph_format.space_after = Pt(2)
    run = p.add_run()
    run.font.size = Pt(4)


def _field(paragraph: Paragraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) in its own runs."""

    def fld(kind: str):
        run = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    fld("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    run._r.append(instr)
    fld("separate")
    paragraph.add_run("1")
    fld("end")


def footer(section, lines: Sequence[str], *, page_numbers: bool = False) -> None:
    section.footer.is_linked_to_previous = False
    first = section.footer.paragraphs[0]
    _top_rule(first)
    for i, text in enumerate(lines):
        p = first if i == 0 else section.footer.add_paragraph()
        p.style = "Footer"
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        p.add_run(text)
    if page_numbers:
        p = section.footer.add_paragraph(style="Footer")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        p.add_run("Page ")
        _field(p, "PAGE")
        p.add_run(" / ")
        _field(p, "NUMPAGES")


def _top_rule(paragraph: Paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    top.set(qn("w:val"), "single")
    top.set(qn("w:sz"), "4")
    top.set(qn("w:space"), "4")
    top.set(qn("w:color"), "8EAADB")
    borders.append(top)
    ppr.insert(1 if ppr.find(qn("w:pStyle")) is not None else 0, borders)


def vendor_checks_table(doc, situation: str) -> None:
    """The per-vendor GDPR checklist table (brief and report): point, situation, source."""
    loop_table(
        doc,
        ("Point de contrôle", situation, "Source"),
        ("{{ c.label }}", "{{ c.value }}", "{{ c.source }}"),
        "c in v.checks",
        (7.0, 5.5, 4.5),
    )
    after_table(doc)


def vendor_alternatives(doc) -> None:
    """Register vendors proposed when a vendor fails a GDPR check (guide 3.3)."""
    tag(doc, "{%p if v.alternatives %}")
    para(doc, "Alternatives françaises ou européennes (registre fournisseurs, guide 3.3) :",
         bold=True, keep=True, after=3)
    tag(doc, "{%p for a in v.alternatives %}")
    para(doc, "{{ a.name }} – hébergement : {{ a.hosting }}{% if a.certifications %} – "
         "{{ a.certifications }}{% endif %}{% if a.target %} – pour : {{ a.target }}{% endif %}",
         "List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")


def page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


# --------------------------------------------------------------------------- charte-ia.docx


def build_charter(path: Path) -> None:
    doc = _new_document("Charte d'usage de l'intelligence artificielle")
    footer(
        doc.sections[0],
        [FOOTER_LAW + ".", "{{ client.name }} – Charte d'usage de l'IA – {{ as_of }}"],
    )

    para(doc, "Charte d'usage de l'intelligence artificielle – {{ client.name }}", "Title")
    para(
        doc,
        "Politique interne applicable à l'ensemble du personnel, des stagiaires et des "
        "prestataires qui utilisent des outils d'intelligence artificielle (IA) pour le compte "
        "de {{ client.name }}.",
        italic=True,
        color=GREY,
        after=12,
    )

    heading(doc, "1. Objectif", 1)
    para(
        doc,
        "Nous utilisons l'IA pour améliorer notre efficacité, notre service client et la "
        "qualité de notre travail — jamais pour remplacer le jugement humain.",
    )
    tag(doc, "{%p if charter.tools %}")
    runs(doc, [("Outils d'IA utilisés à ce jour : ", True), ("{{ charter.tools }}.", False)])
    para(
        doc,
        "Tout nouvel outil d'IA est validé par la direction avant sa première utilisation, "
        "après vérification de sa conformité au RGPD et au règlement européen sur l'IA.",
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if charter.prohibited %}")
    runs(
        doc,
        [
            ("Pratiques interdites. ", True),
            (
                "Les pratiques d'IA interdites par l'article 5 du règlement européen sur l'IA "
                "sont proscrites dans l'entreprise, notamment :",
                False,
            ),
        ],
    )
    for item in (
        "la reconnaissance des émotions des salariés ou des candidats sur le lieu de travail "
        "(sauf raison médicale ou de sécurité) ;",
        "la notation sociale des personnes et la catégorisation biométrique selon des "
        "caractéristiques sensibles ;",
        "les techniques manipulatrices ou subliminales et l'exploitation des vulnérabilités "
        "(âge, handicap, situation sociale ou économique) ;",
        "la constitution de bases de reconnaissance faciale par moissonnage d'images.",
    ):
        para(doc, item, "List Bullet")
    para(
        doc,
        "Tout usage relevant de ces pratiques est arrêté immédiatement et signalé à la direction.",
    )
    tag(doc, "{%p endif %}")

    heading(doc, "2. Transparence", 1)
    para(
        doc,
        "Lorsqu'un client, un candidat ou un salarié interagit avec un outil d'IA (agent "
        "conversationnel, générateur de contenu, etc.), il en est clairement informé.",
    )
    tag(doc, "{%p if charter.disclosure %}")
    para(doc, "Conformément à l'article 50 du règlement européen sur l'IA :")
    para(
        doc,
        "nos agents conversationnels (chatbots) annoncent dès le premier message que "
        "l'interlocuteur échange avec une intelligence artificielle et indiquent comment "
        "joindre une personne ;",
        "List Bullet",
    )
    para(
        doc,
        "les contenus générés ou modifiés par IA et diffusés à l'extérieur portent la "
        "mention : « Ce message a été généré avec l'aide d'une intelligence artificielle. »",
        "List Bullet",
    )
    para(
        doc,
        "les images, sons ou vidéos réalistes produits par IA sont signalés comme tels.",
        "List Bullet",
    )
    tag(doc, "{%p endif %}")

    heading(doc, "3. Données personnelles", 1)
    tag(doc, "{%p if charter.no_public_ai %}")
    para(
        doc,
        "Nous n'utilisons aucun outil d'IA public ou grand public (par exemple la version "
        "gratuite de ChatGPT) pour traiter des données de nos clients, de nos candidats ou de "
        "nos salariés : aucune donnée personnelle ou confidentielle n'y est saisie.",
        "List Bullet",
    )
    tag(doc, "{%p endif %}")
    para(
        doc,
        "Nos outils d'IA sont hébergés de préférence en Europe ; chacun dispose d'un accord "
        "de traitement des données (DPA) conforme à l'article 28 du RGPD avant tout "
        "traitement de données personnelles.",
        "List Bullet",
    )
    para(
        doc,
        "Nous vérifions que nos données ne servent pas à entraîner les modèles de "
        "l'éditeur et qu'elles peuvent être supprimées à notre demande.",
        "List Bullet",
    )
    tag(doc, "{%p if charter.gdpr %}")
    para(
        doc,
        "Les points RGPD relevés lors de l'audit (base légale, information des personnes, "
        "analyse d'impact si nécessaire) sont traités avant toute généralisation.",
        "List Bullet",
    )
    tag(doc, "{%p endif %}")

    heading(doc, "4. Responsabilité", 1)
    para(
        doc,
        "Toute décision importante (recrutement, conseil, facturation finale, décision "
        "concernant un salarié ou un client) est validée par un humain. L'IA n'est qu'un "
        "assistant : la personne qui utilise un résultat produit par IA en reste responsable.",
    )
    tag(doc, "{%p if charter.human_review %}")
    runs(
        doc,
        [
            ("Contrôle humain des usages à haut risque. ", True),
            (
                "Les résultats des systèmes d'IA à haut risque (par exemple le tri de "
                "candidatures) sont systématiquement revus par une personne compétente, formée "
                "et disposant de l'autorité nécessaire pour les écarter, conformément à "
                "l'article 26(2) du règlement européen sur l'IA. Aucune décision n'est prise "
                "sur la seule base du résultat de l'outil.",
                False,
            ),
        ],
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if charter.works_council %}")
    runs(
        doc,
        [
            ("Dialogue social. ", True),
            (
                "Le comité social et économique (CSE) est informé et consulté avant "
                "l'introduction de tout outil d'IA qui modifie les conditions de travail, y "
                "compris à titre de test.",
                False,
            ),
        ],
    )
    tag(doc, "{%p endif %}")

    heading(doc, "5. Formation", 1)
    para(
        doc,
        "Nos équipes sont formées à l'usage critique et éthique de l'IA : vérifier les "
        "résultats, repérer les biais, protéger les données.",
    )
    tag(doc, "{%p if charter.training %}")
    runs(
        doc,
        [
            ("Engagement de formation. ", True),
            (
                "Conformément à l'article 4 du règlement européen sur l'IA (maîtrise de l'IA), "
                "chaque personne qui utilise un outil d'IA suit une formation courte adaptée à "
                "son usage avant de l'utiliser ; les formations suivies sont tracées par "
                "écrit.",
                False,
            ),
        ],
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if client.ai_champion %}")
    runs(
        doc,
        [
            ("Référent IA : ", True),
            (
                "{{ client.ai_champion }}, à qui toute question ou tout incident lié à l'IA "
                "est signalé.",
                False,
            ),
        ],
    )
    tag(doc, "{%p endif %}")

    heading(doc, "Adaptation à notre activité", 1)
    para(doc, "« {{ sector_line }} »", italic=True)

    p = para(doc, "Date d'entrée en vigueur : {{ as_of }}", bold=True, before=18)
    p.paragraph_format.keep_with_next = True
    para(
        doc,
        "Cette charte est portée à la connaissance de chaque collaborateur et réexaminée "
        "au moins une fois par an.",
        keep=True,
    )

    sig = _new_table(doc, 2, (8.5, 8.5))
    row = _add_row(sig, (8.5, 8.5))
    _row_props(row)  # the signature block never splits across pages
    tblpr = sig._tbl.tblPr
    for el in tblpr.findall(qn("w:tblBorders")):
        tblpr.remove(el)
    nob = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        nob.append(e)
    tblpr.append(nob)
    right = row.cells[1]
    _cell_text(right, "Pour {{ client.name }},", "Normal")
    right.paragraphs[0].paragraph_format.space_before = Pt(18)
    for text, bold in (
        ("{{ client.director }}", True),
        ("{{ client.director_title }}", False),
        ("", False),
        ("Signature :", False),
        ("", False),
    ):
        p = right.add_paragraph(style="Normal")
        p.paragraph_format.space_after = Pt(2)
        if text:
            p.add_run(text).bold = bold or None

    doc.save(path)


# --------------------------------------------------------------------------- brief-dsi.docx


def build_brief(path: Path) -> None:
    doc = _new_document("Briefing DSI – intégration d'outils d'IA")
    footer(
        doc.sections[0],
        ["{{ client.name }} – Briefing DSI / prestataire technique – {{ as_of }}"],
        page_numbers=True,
    )

    para(doc, "{{ client.name }}", bold=True, size=13, color=DARK_BLUE, after=0)
    tag(doc, "{%p if client.city %}")
    para(doc, "{{ client.city }}", color=GREY, after=0)
    tag(doc, "{%p endif %}")
    para(doc, "", after=6)

    for text, bold in (("À l'attention de {{ client.it_contact_addressee }}", True),):
        p = para(doc, text, bold=bold, after=0)
        p.paragraph_format.left_indent = Cm(9.5)
    tag(doc, "{%p if client.it_organisation %}")
    p = para(doc, "{{ client.it_organisation }}", after=0)
    p.paragraph_format.left_indent = Cm(9.5)
    tag(doc, "{%p endif %}")
    p = para(
        doc,
        "{% if client.city %}{{ client.city }}, le {% else %}Le {% endif %}{{ as_of }}",
        before=12,
        after=18,
    )
    p.paragraph_format.left_indent = Cm(9.5)

    runs(
        doc,
        [
            ("Objet : ", True),
            ("Briefing – Intégration d'outils d'IA conformes RGPD / AI Act", True),
        ],
    )
    para(doc, "", after=0)
    para(doc, "{{ client.it_contact_greeting }}")
    tag(doc, "{%p if brief.vendors %}")
    para(
        doc,
        "{% if brief.vendors|length > 1 %}Nous souhaitons tester ou déployer les outils d'IA "
        "suivants : {{ brief.tools }}. Avant toute mise en service, nous vous remercions de "
        "vérifier avec chaque éditeur les points ci-dessous ; le détail par outil figure plus "
        "bas.{% else %}Nous souhaitons tester ou déployer l'outil d'IA suivant : "
        "{{ brief.tools }}. Avant toute mise en service, nous vous remercions de vérifier avec "
        "son éditeur les points ci-dessous ; le détail figure plus bas.{% endif %}",
    )
    tag(doc, "{%p else %}")
    para(
        doc,
        "Nous préparons l'intégration d'outils d'IA dans nos processus. Avant de retenir un "
        "éditeur, nous vous remercions de vérifier avec lui les exigences minimales "
        "ci-dessous.",
    )
    tag(doc, "{%p endif %}")
    # A prohibited practice (AI Act art. 5) is switched off, never deployed (REFERENCE §7).
    tag(doc, "{%p if brief.stopped %}")
    runs(doc, [("Usages à arrêter. ", True),
               ("Les usages suivants relèvent d'une pratique interdite par l'article 5 du "
                "règlement européen sur l'IA et doivent cesser :", False)])
    tag(doc, "{%p for s in brief.stopped %}")
    runs(doc, [("{{ s.tool }}", True), (" : {{ s.use }} – {{ s.references }}", False)],
         style="List Bullet")
    tag(doc, "{%p endfor %}")
    para(
        doc,
        "Nous vous remercions de désactiver ces usages et les accès correspondants, de ne "
        "pas les intégrer à nos logiciels et, le cas échéant, de demander à l'éditeur la "
        "suppression ou la restitution des données déjà collectées (RGPD, art. 28(3)(g)).",
    )
    tag(doc, "{%p endif %}")

    heading(doc, "Exigences minimales", 2)
    for letter, text in (
        (
            "a",
            "L'outil doit être conforme au RGPD : accord de traitement des données (DPA, "
            "article 28 du RGPD) signé avant tout traitement de données personnelles.",
        ),
        (
            "b",
            "Les données doivent être hébergées en Europe (idéalement en France) ; tout "
            "transfert hors de l'Union européenne doit être identifié et encadré.",
        ),
        (
            "c",
            "Aucune de nos données ne doit être utilisée pour entraîner des modèles publics "
            "ou ceux de l'éditeur.",
        ),
        (
            "d",
            "L'intégration doit être possible avec nos logiciels existants{% if "
            "integration_targets %} ({{ integration_targets }}){% endif %}, sans copie "
            "manuelle de données vers des outils non validés.",
        ),
    ):
        p = runs(doc, [(f"{letter})  ", True), (text, False)])
        p.paragraph_format.left_indent = Cm(0.9)
        p.paragraph_format.first_line_indent = Cm(-0.6)
        p.paragraph_format.space_after = Pt(4)

    heading(doc, "Points à vérifier par outil", 2)
    tag(doc, "{%p if not brief.vendors %}")
    para(
        doc,
        "Aucun outil d'IA n'est encore retenu : les exigences ci-dessus s'appliqueront à "
        "chaque éditeur consulté.",
        italic=True,
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for v in brief.vendors %}")
    heading(doc, "{{ v.name }}", 3)
    used = runs(doc, [("Utilisé pour : ", True), ("{{ v.use_cases }}", False),
                      ("{% if v.integration %}   ·   Intégration visée : {% endif %}", True),
                      ("{% if v.integration %}{{ v.integration }}{% endif %}", False)])
    used.paragraph_format.keep_with_next = True  # never leave the title alone at a page foot
    vendor_checks_table(doc, "Situation connue")
    tag(doc, "{%p if v.gaps %}")
    para(doc, "Ce qu'il faut demander à l'éditeur :", bold=True, keep=True, after=3)
    tag(doc, "{%p for g in v.gaps %}")
    para(doc, "{{ g.message }}", "List Bullet")
    tag(doc, "{%p if g.advice %}")
    p = para(doc, "→ {{ g.advice }}", "Petit")
    p.paragraph_format.left_indent = Cm(0.63)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "Aucun point bloquant.", italic=True)
    tag(doc, "{%p endif %}")
    vendor_alternatives(doc)
    tag(doc, "{%p if v.notes %}")
    para(doc, "Pour information :", bold=True, keep=True, after=3)
    tag(doc, "{%p for n in v.notes %}")
    para(doc, "{{ n.message }}", "List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")

    para(
        doc,
        "Merci de valider la conformité technique et juridique avant le {{ reply_by }}.",
        bold=True,
        before=12,
    )
    para(doc, "Bien cordialement,", after=18, keep=True)
    p = para(doc, "{{ client.director }}", bold=True, after=0, keep=True)
    p.paragraph_format.left_indent = Cm(9.5)
    p = para(doc, "{{ client.director_title }}", after=0, keep=True)
    p.paragraph_format.left_indent = Cm(9.5)
    p = para(doc, "{{ client.name }}", after=0)
    p.paragraph_format.left_indent = Cm(9.5)

    doc.save(path)


# --------------------------------------------------------------------------- rapport-audit.docx


def _finding_block(doc, var: str, *, facts: bool = True, advice: bool = True) -> None:
    """One finding: severity + message, then rule, facts and advice in small print."""
    runs(
        doc,
        [("{{ " + var + ".severity }} – ", True), ("{{ " + var + ".message }}", False)],
        "List Bullet",
    )
    if advice:
        tag(doc, "{%p if " + var + ".advice %}")
        para(doc, "Recommandation : {{ " + var + ".advice }}", "Petit", color=MID_BLUE)
        tag(doc, "{%p endif %}")
    para(doc, "Règle : {{ " + var + ".rule }} – {{ " + var + ".references }}", "Petit")
    if facts:
        para(doc, "Faits : {{ " + var + ".facts }}", "Petit")


def _finding_list(doc, loop: str, var: str, empty: str, **kw) -> None:
    tag(doc, "{%p if " + loop.split(" in ", 1)[1] + " %}")
    tag(doc, "{%p for " + loop + " %}")
    _finding_block(doc, var, **kw)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, empty, italic=True)
    tag(doc, "{%p endif %}")


def build_report(path: Path) -> None:
    doc = _new_document("Rapport d'audit IA")
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    footer(
        section,
        [
            "{{ client.name }} – Rapport d'audit IA – {{ as_of }} – "
            "Référentiel de règles {{ rules_digest }}"
        ],
        page_numbers=True,
    )

    # ---- cover page
    for _ in range(5):
        para(doc, "", after=12)
    para(doc, "CONFORMITÉ AI ACT ET RGPD", bold=True, size=10, color=MID_BLUE, after=4)
    para(doc, "Rapport d'audit IA", "Title")
    para(doc, "{{ client.name }}", "Subtitle", after=4)
    tag(doc, "{%p if client.city %}")
    para(doc, "{{ client.city }} – {{ client.sector }}", size=11, color=GREY, after=4)
    tag(doc, "{%p else %}")
    para(doc, "{{ client.sector }}", size=11, color=GREY, after=4)
    tag(doc, "{%p endif %}")
    para(doc, "Évaluation au {{ as_of }}", size=11, color=GREY, after=36)
    para(
        doc,
        "Règlement (UE) 2024/1689 sur l'intelligence artificielle (AI Act) et règlement "
        "(UE) 2016/679 (RGPD) : classification des usages, obligations applicables, "
        "fournisseurs, retour sur investissement et prochaines étapes.",
        color=GREY,
        after=60,
    )
    tag(doc, "{%p if consultant.name or consultant.firm %}")
    para(doc, "Audit réalisé par", size=9, color=GREY, after=0)
    para(
        doc,
        "{{ consultant.name }}{% if consultant.name and consultant.firm %} – "
        "{% endif %}{{ consultant.firm }}",
        bold=True,
        size=11,
        after=12,
    )
    tag(doc, "{%p endif %}")
    para(
        doc,
        "Document confidentiel – réservé à la direction de {{ client.name }}",
        size=8.5,
        italic=True,
        color=GREY,
    )
    page_break(doc)

    # ---- executive summary
    heading(doc, "Synthèse", 1)
    para(
        doc,
        "Nous avons analysé {{ summary.use_cases }} cas d'usage de l'IA chez "
        "{{ client.name }} ({{ client.sector }}, {{ client.employees }} salariés). Le niveau de "
        "risque le plus élevé constaté est : {{ summary.worst_tier }}.",
    )
    counts = _new_table(doc, 6, (2.83,) * 6)
    row = _add_row(counts, (2.83,) * 6)
    _row_props(row, header=True)
    for cell, text in zip(
        row.cells,
        (
            "Pratiques interdites",
            "Haut risque",
            "Risque limité",
            "Risque minimal",
            "À compléter",
            "Points bloquants",
        ),
        strict=True,
    ):
        _cell_fill(cell, HEADER_FILL)
        _cell_text(cell, text, "En-tête tableau")
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    row = _add_row(counts, (2.83,) * 6)
    for cell, text in zip(
        row.cells,
        (
            "{{ summary.prohibited }}",
            "{{ summary.high }}",
            "{{ summary.limited }}",
            "{{ summary.minimal }}",
            "{{ summary.undetermined }}",
            "{{ summary.blockers }}",
        ),
        strict=True,
    ):
        _cell_text(cell, text, "Texte tableau", bold=True)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.paragraphs[0].runs[0].font.size = Pt(14)
        cell.paragraphs[0].runs[0].font.color.rgb = DARK_BLUE
    after_table(doc)
    tag(doc, "{%p if summary.prohibited %}")
    runs(
        doc,
        [
            ("Priorité absolue : ", True),
            (
                "au moins un usage relève d'une pratique interdite par l'article 5 du règlement "
                "sur l'IA. Il doit être arrêté sans attendre, quel que soit son intérêt "
                "économique.",
                False,
            ),
        ],
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if summary.blockers %}")
    para(
        doc,
        "{{ summary.blockers }} point(s) bloquant(s) relevé(s) : ils sont repris dans les "
        "prochaines étapes et détaillés en annexe.",
    )
    tag(doc, "{%p else %}")
    para(doc, "Aucun point bloquant.")
    tag(doc, "{%p endif %}")

    heading(doc, "Vue d'ensemble des cas d'usage", 2)
    tag(doc, "{%p if use_cases %}")
    loop_table(
        doc,
        ("Cas d'usage", "Étape", "Fournisseur", "Feu", "Niveau de risque", "Priorité"),
        (
            "{{ u.title }}",
            "{{ u.stage }}",
            "{{ u.vendor }}",
            "{{ u.light }}",
            "{{ u.tier }}",
            "{{ u.priority }}",
        ),
        "u in use_cases",
        (3.6, 1.9, 2.7, 1.5, 4.0, 3.3),
        bold_first=True,
    )
    after_table(doc)
    tag(doc, "{%p else %}")
    para(doc, "Aucun cas d'usage n'a été déclaré.", italic=True)
    tag(doc, "{%p endif %}")

    # ---- one section per use case
    tag(doc, "{%p for u in use_cases %}")
    heading(doc, "Cas d'usage : {{ u.title }}", 1, page_break=True)
    kv_table(
        doc,
        (
            ("Niveau de risque", "{{ u.tier }}"),
            ("Feu", "{{ u.light }}"),
            ("Références", "{{ u.references }}"),
            ("Étape", "{{ u.stage }}"),
            ("Fournisseur", "{{ u.vendor }}"),
            ("Priorité", "{{ u.priority }}"),
        ),
    )
    after_table(doc)

    heading(doc, "Pourquoi ce niveau de risque", 2)
    _finding_list(doc, "r in u.reasons", "r", "Aucun motif particulier relevé.")

    heading(doc, "Obligations applicables", 2)
    tag(doc, "{%p if u.tier_code == 'unacceptable' %}")
    para(doc, "Pratique interdite : ce cas d'usage doit être arrêté. Aucune mesure de mise en "
         "conformité ne le rend acceptable ; seules les obligations générales ci-dessous "
         "demeurent.", bold=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if u.obligations %}")
    loop_table(
        doc,
        ("Obligation", "Référence", "Application", "Qui", "Statut"),
        ("{{ o.text }}", "{{ o.reference }}", "{{ o.state }}", "{{ o.bearer }}", "{{ o.status }}"),
        "o in u.obligations",
        (7.0, 2.6, 2.8, 2.5, 2.1),
    )
    after_table(doc)
    tag(doc, "{%p else %}")
    para(doc, "Aucune obligation spécifique au titre du règlement sur l'IA.", italic=True)
    tag(doc, "{%p endif %}")

    heading(doc, "Réponses manquantes", 2)
    bullets(
        doc,
        "m in u.missing",
        "{{ m }}",
        "Toutes les réponses nécessaires à la classification sont renseignées.",
    )

    # A prohibited practice is stopped, not improved: no GDPR fixes, ROI or roll-out advice.
    tag(doc, "{%p if u.prohibited %}")
    heading(doc, "Suite à donner", 2)
    para(
        doc,
        "Cet usage relève d'une pratique interdite : il ne doit être ni lancé ni poursuivi. "
        "La mise en conformité RGPD, le retour sur investissement, la checklist anti-échec et "
        "les critères de passage à l'échelle sont donc sans objet. Si des données ont déjà été "
        "collectées, en obtenir la suppression ou la restitution auprès de l'éditeur (RGPD, "
        "art. 28(3)(g)). Tous les constats relevés figurent dans l'annexe.",
    )
    tag(doc, "{%p else %}")
    heading(doc, "Points RGPD", 2)
    _finding_list(doc, "g in u.gdpr", "g", "Aucun point RGPD relevé pour ce cas d'usage.")

    heading(doc, "« Évitez l'IA si… »", 2)
    _finding_list(doc, "a in u.avoid", "a", "Aucun signal d'alerte relevé.", facts=False)

    heading(doc, "Erreurs fréquentes à éviter", 2)
    _finding_list(doc, "e in u.errors", "e", "Aucune erreur fréquente relevée.", facts=False)

    heading(doc, "Retour sur investissement et priorité", 2)
    kv_table(
        doc,
        (
            ("Coût annuel", "{{ u.roi.annual_cost }}"),
            ("Coût initial", "{{ u.roi.one_off_cost }}"),
            ("Gain annuel estimé", "{{ u.roi.annual_gain }}"),
            ("Retour sur investissement", "{{ u.roi.roi_percent }}"),
            ("Délai de retour", "{{ u.roi.payback }}"),
            ("Priorité (matrice ROI / complexité)", "{{ u.priority }}"),
        ),
    )
    after_table(doc)
    tag(doc, "{%p if not u.roi.measurable %}")
    para(
        doc,
        "Le retour sur investissement ne peut pas encore être mesuré : compléter le temps "
        "passé, le coût et le gain attendu de ce processus.",
        italic=True,
    )
    tag(doc, "{%p endif %}")

    heading(doc, "Checklist anti-échec", 2)
    loop_table(
        doc,
        ("Question", "Réponse"),
        ("{{ q.question }}", "{{ q.answer }}"),
        "q in u.anti_failure",
        (14.0, 3.0),
    )
    after_table(doc)
    runs(doc, [("Verdict : ", True), ("{{ u.anti_failure_verdict }}", False)])

    heading(doc, "Critères de passage à l'échelle", 2)
    loop_table(
        doc,
        ("Critère", "Statut"),
        ("{{ k.criterion }}", "{{ k.status }}"),
        "k in u.scale_up",
        (14.0, 3.0),
    )
    after_table(doc)
    para(
        doc,
        "{% if u.scale_up_ready %}Tous les critères sont réunis : l'usage peut être "
        "généralisé.{% else %}Les critères ne sont pas encore tous réunis : poursuivre le test "
        "avant de généraliser.{% endif %}",
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")

    # ---- vendors
    heading(doc, "Fournisseurs et RGPD", 1, page_break=True)
    tag(doc, "{%p if not vendors %}")
    para(doc, "Aucun fournisseur externe n'a été déclaré.", italic=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for v in vendors %}")
    heading(doc, "{{ v.name }}", 2)
    runs(
        doc,
        [
            ("Pays : ", True),
            ("{{ v.country }}", False),
            ("   ·   Utilisé pour : ", True),
            ("{{ v.use_cases }}", False),
        ],
    )
    vendor_checks_table(doc, "Situation")
    tag(doc, "{%p if v.gaps %}")
    para(doc, "Écarts à traiter :", bold=True, keep=True, after=3)
    tag(doc, "{%p for g in v.gaps %}")
    runs(doc, [("{{ g.severity }} – ", True), ("{{ g.message }}", False)], "List Bullet")
    tag(doc, "{%p if g.advice %}")
    para(doc, "Ce qu'il faut demander : {{ g.advice }}", "Petit", color=MID_BLUE)
    tag(doc, "{%p endif %}")
    para(doc, "Règle : {{ g.rule }} – {{ g.references }}", "Petit")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "Aucun point bloquant.", italic=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for n in v.notes %}")
    para(doc, "Pour information : {{ n.message }}", "Petit")
    tag(doc, "{%p endfor %}")
    vendor_alternatives(doc)

    para(
        doc,
        "{% if v.stop %}Conclusion : cet outil ne sert qu'à une pratique interdite (article 5 "
        "du règlement européen sur l'IA) ; il doit être désactivé."
        "{% elif v.compliant %}Conclusion : aucun point bloquant pour ce fournisseur."
        "{% else %}Conclusion : ce fournisseur ne peut pas être utilisé en l'état."
        "{% endif %}",
        bold=True,
    )
    tag(doc, "{%p endfor %}")

    # ---- matrix
    heading(doc, "Matrice ROI / complexité", 1)
    para(
        doc,
        "Chaque cas d'usage chiffré est placé selon son retour sur investissement annuel et "
        "la complexité du processus (guide, § 5.2) : on commence par les projets à fort ROI et "
        "faible complexité.",
    )
    para(doc, "{{ chart }}", align=WD_ALIGN_PARAGRAPH.CENTER, after=4)
    para(
        doc,
        "Les cas d'usage dont le ROI ou la complexité n'est pas renseigné n'apparaissent "
        "pas sur la matrice.",
        "Petit",
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )

    # ---- organisation
    heading(doc, "Points d'organisation", 1)
    tag(doc, "{%p if client_findings %}")
    tag(doc, "{%p for f in client_findings %}")
    _finding_block(doc, "f", facts=False)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "Aucun point bloquant.", italic=True)
    tag(doc, "{%p endif %}")

    heading(doc, "Prochaines étapes – cette semaine", 1)
    bullets(doc, "s in next_steps", "{{ s }}", "Aucune action urgente.", style="List Number")

    heading(doc, "Glossaire", 1)
    loop_table(
        doc,
        ("Terme", "Définition"),
        ("{{ t.term }}", "{{ t.definition }}"),
        "t in glossary",
        (4.5, 12.5),
        bold_first=True,
    )

    # ---- annex, landscape
    annex = doc.add_section(WD_SECTION.NEW_PAGE)
    annex.orientation = WD_ORIENT.LANDSCAPE
    annex.page_width, annex.page_height = Cm(29.7), Cm(21.0)
    annex.different_first_page_header_footer = False  # the cover's blank first page is not ours
    heading(doc, "Annexe – Liste des constats", 1)
    para(
        doc,
        "Tous les constats produits par le référentiel de règles {{ rules_digest }}, avec "
        "la règle, les références juridiques et la ligne du référentiel qui les justifient.",
    )
    tag(doc, "{%p if findings %}")
    loop_table(
        doc,
        ("Objet", "Gravité", "Constat", "Règle", "Références", "Source"),
        (
            "{{ f.subject }}",
            "{{ f.severity }}",
            "{{ f.message }}",
            "{{ f.rule }}",
            "{{ f.references }}",
            "{{ f.source }}",
        ),
        "f in findings",
        (2.4, 2.2, 10.1, 4.0, 3.2, 3.8),
    )
    tag(doc, "{%p else %}")
    para(doc, "Aucun constat.", italic=True)
    tag(doc, "{%p endif %}")

    doc.save(path)


def main(argv: Sequence[str] = ()) -> int:
    out = Path(argv[0]) if argv else ROOT / "doc_templates"
    out.mkdir(parents=True, exist_ok=True)
    build_charter(out / "charte-ia.docx")
    build_brief(out / "brief-dsi.docx")
    build_report(out / "rapport-audit.docx")
    for name in ("charte-ia.docx", "brief-dsi.docx", "rapport-audit.docx"):
        _fixed_timestamps(out / name)
        print(out / name)
    return 0


def _fixed_timestamps(path: Path) -> None:
    """Rewrite the .docx zip with fixed entry dates: the same builder gives the same bytes.

    Why: the templates are inputs of every client's manifest; a rebuild that changes nothing
    must not make every client look changed.
    """
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            archive.writestr(fixed, data)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
