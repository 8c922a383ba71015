"""Replayable edits of the three .docx masters in doc_templates/ (issue 14).

    python tools/typeset_masters.py [DIR]        # default: doc_templates/
    iapme templates snapshot && iapme templates check

Idempotent (a second run changes nothing) and tolerant: an edit whose target is not in the
master (reworded by someone else) is skipped and reported, never an error. Every edit works on
a paragraph's text across its runs (a Jinja tag Word cut into several runs is still found) and
keeps the runs' formatting. The other parts of the package are copied byte for byte, with the
master's own zip dates, so the result is deterministic.

What it does:
  * no engine internals in the report: the rules digest leaves the footer and the annex
    heading text, the annex loses its "Règle" and "Source" columns (its "Constat" column gets
    the room; the subject and references columns are widened so that words do not split),
    each "Règle : {{ x.rule }} – " line becomes "Références : ", "Faits : {{ x.facts }}"
    becomes "Réponses prises en compte. {{ x.facts }}";
  * no firm workflow in the client's documents: "(registre fournisseurs, guide 3.3)" -> "(guide,
    § 3.3)";
  * the brief ends with the French closing formula of the context ({{ client.it_contact_closing
    }}) and its closing block stays together (keep with next), so a last page never holds only
    the signature;
  * layout: every table row cannot split across pages, the first row of a table whose cells are
    in the header style repeats on each page, a paragraph ending with ":" stays with what
    follows.
"""

from __future__ import annotations

import re
import sys
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from engine.documents.typography import apply_edits

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def q(name: str) -> str:
    return f"{{{W}}}{name}"


def texts_of(p: etree._Element) -> list[etree._Element]:
    return [t for t in p.iter(q("t")) if next(t.iterancestors(q("p"))) is p]


def text_of(p: etree._Element) -> str:
    return "".join(t.text or "" for t in texts_of(p))


def cell_text(tc: etree._Element) -> str:
    return " ".join(text_of(p) for p in tc.findall(q("p"))).strip()


def replace_in(p: etree._Element, pattern: str, repl: str) -> bool:
    """Replace ``pattern`` (regex) in the paragraph's text, keeping the runs."""
    nodes = texts_of(p)
    pieces = [t.text or "" for t in nodes]
    text = "".join(pieces)
    regex = re.compile(pattern)
    if not regex.search(text):
        return False
    cuts, pos = [], 0
    for piece in pieces[:-1]:
        pos += len(piece)
        cuts.append(pos)

    def rule(value: str) -> list[tuple[int, int, str]]:
        return [(m.start(), m.end(), m.expand(repl)) for m in regex.finditer(value)]

    new, moved = apply_edits(text, cuts, [rule])
    bounds = [0, *moved, len(new)]
    for node, start, end in zip(nodes, bounds[:-1], bounds[1:], strict=True):
        node.text = new[start:end]
        node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return True


def ppr(p: etree._Element) -> etree._Element:
    props = p.find(q("pPr"))
    if props is None:
        props = etree.Element(q("pPr"))
        p.insert(0, props)
    return props


_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore")


def set_flag(parent: etree._Element, name: str, order: tuple[str, ...]) -> bool:
    """Add an empty ``w:name`` to ``parent`` at its schema place; False if already there."""
    if parent.find(q(name)) is not None:
        return False
    element = etree.Element(q(name))
    before = order[: order.index(name)]
    index = 0
    for i, child in enumerate(parent):
        if etree.QName(child).localname in before:
            index = i + 1
    parent.insert(index, element)
    return True


class Master:
    """One .docx master: its parts as trees, written back byte for byte where untouched."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with zipfile.ZipFile(path) as z:
            self.infos = z.infolist()
            self.data = {i.filename: z.read(i.filename) for i in self.infos}
        self.trees: dict[str, etree._Element] = {}
        self.log: list[str] = []

    def part(self, name: str) -> etree._Element:
        if name not in self.trees:
            self.trees[name] = etree.fromstring(self.data[name])
        return self.trees[name]

    def parts(self, prefix: str) -> list[str]:
        return sorted(n for n in self.data if n.startswith(prefix) and n.endswith(".xml")
                      and "/_rels/" not in n)

    def each_paragraph(self, parts: list[str]) -> list[etree._Element]:
        return [p for name in parts for p in self.part(name).iter(q("p"))]

    def edit(self, what: str, parts: list[str], pattern: str, repl: str) -> None:
        done = sum(replace_in(p, pattern, repl) for p in self.each_paragraph(parts))
        self.log.append(f"{self.path.name}: {what}: {done or 'nothing to do'}")

    def save(self) -> bool:
        out = BytesIO()
        changed = False
        with zipfile.ZipFile(out, "w") as z:
            for info in self.infos:
                data = self.data[info.filename]
                if info.filename in self.trees:
                    new = etree.tostring(self.trees[info.filename], xml_declaration=True,
                                         encoding="UTF-8", standalone=True)
                    changed |= new != data
                    data = new
                z.writestr(info, data)
        if changed:
            self.path.write_bytes(out.getvalue())
        return changed


BODY = ["word/document.xml"]


def report(m: Master) -> None:
    footers = m.parts("word/footer") + m.parts("word/header")
    m.edit("rules digest out of the footer", footers,
           r" – Référentiel de règles \{\{ ?rules_digest ?\}\}", "")
    m.edit("annex introduction without the rules digest", BODY,
           r"Tous les constats produits par le référentiel de règles \{\{ ?rules_digest ?\}\}, "
           r"avec la règle, les références juridiques et la ligne du référentiel qui les "
           r"justifient\.", "Tous les constats de l'analyse, avec leurs références juridiques.")
    m.edit("rule ids out of the findings' lines", BODY,
           r"Règle : \{\{ ?(\w+)\.rule ?\}\} – ", "Références : ")
    m.edit("the client's answers behind a finding, without a colon after a colon", BODY,
           r"^Faits : (\{\{ ?\w+\.facts ?\}\})$", r"Réponses prises en compte. \1")
    drop_columns(m, ("Règle", "Source"), required="Constat", widen="Constat")
    set_widths(m, required="Constat", widths=ANNEX_WIDTHS)
    common(m)


def brief(m: Master) -> None:
    paragraphs = m.each_paragraph(BODY)
    closing = [p for p in paragraphs if text_of(p).strip() in (
        "Bien cordialement,", "{{ client.it_contact_closing }}")]
    for p in closing:
        replace_in(p, r"^Bien cordialement,$", "{{ client.it_contact_closing }}")
    m.log.append(f"{m.path.name}: French closing formula: {len(closing) or 'nothing to do'}")
    if closing:  # the closing, the signature lines and the line before stay together
        block = paragraphs[paragraphs.index(closing[-1]) - 1: paragraphs.index(closing[-1]) + 3]
        kept = sum(set_flag(ppr(p), "keepNext", _PPR_ORDER) for p in block)
        m.log.append(f"{m.path.name}: closing block kept together: {kept}")
    common(m)


def charter(m: Master) -> None:
    common(m)


def common(m: Master) -> None:
    m.edit("no vendor register in the client's text", BODY,
           r" \(registre fournisseurs, guide 3\.3\)", " (guide, § 3.3)")
    root = m.part("word/document.xml")
    rows = heads = leads = 0
    for table in root.iter(q("tbl")):
        for i, tr in enumerate(table.findall(q("tr"))):
            props = tr.find(q("trPr"))
            if props is None:
                props = etree.Element(q("trPr"))
                tr.insert(0 if tr.find(q("tblPrEx")) is None else 1, props)
            rows += set_flag(props, "cantSplit", ("cantSplit", "trHeight", "tblHeader"))
            styles = {s.get(q("val")) for s in tr.iter(q("pStyle"))}
            if i == 0 and styles and all(s and s.startswith("En-t") for s in styles):
                heads += set_flag(props, "tblHeader", ("cantSplit", "trHeight", "tblHeader"))
    for p in root.iter(q("p")):
        text = text_of(p).strip()
        if text.endswith(":") and not text.startswith("{%") and p.find(f".//{q('tbl')}") is None:
            leads += set_flag(ppr(p), "keepNext", _PPR_ORDER)
    m.log.append(f"{m.path.name}: rows kept whole {rows}, header rows repeated {heads}, "
                 f"lead-ins kept with next {leads}")


def drop_columns(m: Master, names: tuple[str, ...], required: str, widen: str) -> None:
    """Remove the columns headed ``names`` from each table that has a ``required`` column;
    their width goes to the ``widen`` column."""
    root = m.part("word/document.xml")
    dropped = 0
    for table in root.iter(q("tbl")):
        rows = table.findall(q("tr"))
        if not rows:
            continue
        heads = [cell_text(tc) for tc in rows[0].findall(q("tc"))]
        if required not in heads or not any(n in heads for n in names):
            continue
        gone = [i for i, h in enumerate(heads) if h.strip() in names]
        grid = table.find(q("tblGrid"))
        cols = grid.findall(q("gridCol")) if grid is not None else []
        freed = sum(int(cols[i].get(q("w"), "0")) for i in gone) if len(cols) == len(heads) else 0
        keep = heads.index(widen)
        if len(cols) == len(heads):
            cols[keep].set(q("w"), str(int(cols[keep].get(q("w"), "0")) + freed))
            for i in reversed(gone):
                grid.remove(cols[i])
        for tr in rows:
            cells = tr.findall(q("tc"))
            if len(cells) != len(heads):
                continue
            width = cells[keep].find(f"{q('tcPr')}/{q('tcW')}")
            if width is not None and freed:
                width.set(q("w"), str(int(width.get(q("w"), "0")) + freed))
            for i in reversed(gone):
                tr.remove(cells[i])
        dropped += len(gone)
    m.log.append(f"{m.path.name}: annex columns {', '.join(names)} removed: "
                 f"{dropped or 'nothing to do'}")


# The annex of findings, landscape (25.7 cm of text, in twentieths of a point): the subject
# and the references wide enough not to split words, the finding gets the rest.
ANNEX_WIDTHS = {"Objet": 2400, "Gravité": 1300, "Références": 2300}


def set_widths(m: Master, required: str, widths: dict[str, int]) -> None:
    """Set the named columns of the tables with a ``required`` column to ``widths``; the
    ``required`` column takes what the others leave of the table's width."""
    root = m.part("word/document.xml")
    done = 0
    for table in root.iter(q("tbl")):
        rows = table.findall(q("tr"))
        grid = table.find(q("tblGrid"))
        if not rows or grid is None:
            continue
        heads = [cell_text(tc) for tc in rows[0].findall(q("tc"))]
        cols = grid.findall(q("gridCol"))
        if required not in heads or len(cols) != len(heads):
            continue
        total = sum(int(c.get(q("w"), "0")) for c in cols)
        want = [widths.get(h, 0) for h in heads]
        want[heads.index(required)] = total - sum(want)
        if want[heads.index(required)] <= 0:
            continue
        for col, width in zip(cols, want, strict=True):
            col.set(q("w"), str(width))
        for tr in rows:
            cells = tr.findall(q("tc"))
            if len(cells) != len(heads):
                continue
            for cell, width in zip(cells, want, strict=True):
                tcw = cell.find(f"{q('tcPr')}/{q('tcW')}")
                if tcw is not None:
                    tcw.set(q("w"), str(width))
                    tcw.set(q("type"), "dxa")
        done += 1
    m.log.append(f"{m.path.name}: annex column widths: {done or 'nothing to do'}")


EDITS: dict[str, Callable[[Master], None]] = {
    "rapport-audit.docx": report, "brief-dsi.docx": brief, "charte-ia.docx": charter}


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path("doc_templates")
    for name, edit in EDITS.items():
        master = Master(folder / name)
        edit(master)
        changed = master.save()
        print("\n".join(master.log))
        print(f"{name}: {'written' if changed else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
