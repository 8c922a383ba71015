"""Replayable restructuring of the audit report master (issue 14: the sections a signed report
has), run before ``tools/typeset_masters.py``:

    python tools/report_master.py [DIR] && python tools/typeset_masters.py [DIR]
    iapme templates snapshot && iapme templates check

The body of ``rapport-audit.docx`` becomes, in this order: the cover; "Synthèse pour la
direction" (what is at stake, the decision per use case, the first five actions, the exposure);
"Périmètre et limites"; the use cases (each with its organisation points); the vendors; the
organisation points; the ROI matrix; "Plan d'action" (the whole plan: owner, deadline, use
cases); "Échéancier"; "Sanctions encourues"; the glossary; the annex of the findings the body
does not state (none when it states them all). One portrait section: the landscape annexes
are gone. Use cases follow one another without a forced page break (a page break after a
section ending on a line or two left a near-empty page); headings are kept with what follows
(their styles' keepNext).

It works on the master as it was before issue 14's restructuring (``git show
81c6c20:doc_templates/rapport-audit.docx``). Idempotent: a master that already has "Synthèse
pour la direction" is left as it is; the heading styles' flags are set once.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

sys.path.insert(0, str(Path(__file__).resolve().parent))
from typeset_masters import (
    _PPR_ORDER,
    Master,
    q,
    set_flag,
    text_of,
)

TEXT_WIDTH = 9638  # 17 cm of portrait text, in twentieths of a point
DONE_MARK = "Synthèse pour la direction"


def style_of(p: etree._Element) -> str:
    node = p.find(f"{q('pPr')}/{q('pStyle')}")
    return node.get(q("val")) if node is not None else "Normal"


def para(style: str, *runs: tuple[str, str], page_break: bool = False,
         keep: bool = False) -> etree._Element:
    """A paragraph of ``style`` (``Normal``: no pStyle) with runs ``(text, "b"|"i"|"")``;
    ``keep``: kept on the page of the next paragraph."""
    p = etree.Element(q("p"))
    props = etree.SubElement(p, q("pPr"))
    if style != "Normal":
        etree.SubElement(props, q("pStyle")).set(q("val"), style)
    if keep:
        etree.SubElement(props, q("keepNext"))
    if page_break:
        etree.SubElement(props, q("pageBreakBefore"))
    for text, fmt in runs:
        r = etree.SubElement(p, q("r"))
        rpr = etree.SubElement(r, q("rPr"))
        if fmt:
            etree.SubElement(rpr, q(fmt))
        t = etree.SubElement(r, q("t"))
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return p


def plain(style: str, text: str) -> etree._Element:
    return para(style, (text, ""))


def table(proto: etree._Element, loop: str, heads: list[str], cells: list[str],
          widths: list[int]) -> etree._Element:
    """A copy of the 4-column loop table ``proto`` with new headers, loop and cells."""
    tbl = copy.deepcopy(proto)
    for col, width in zip(tbl.find(q("tblGrid")).findall(q("gridCol")), widths, strict=True):
        col.set(q("w"), str(width))
    rows = tbl.findall(q("tr"))
    for tr in rows:
        for tc, width in zip(tr.findall(q("tc")), widths, strict=True):
            tc.find(f"{q('tcPr')}/{q('tcW')}").set(q("w"), str(width))
    _cells(rows[0], heads)
    _cells(rows[1], [loop, "", "", ""])
    _cells(rows[2], cells)
    return tbl


def _cells(tr: etree._Element, values: list[str]) -> None:
    for tc, value in zip(tr.findall(q("tc")), values, strict=True):
        p = tc.find(q("p"))
        for r in p.findall(q("r")):
            p.remove(r)
        if value:
            bold = value.startswith("**")
            p.append(para("Normal", (value.strip("*"), "b" if bold else "")).find(q("r")))


def blocks(body: etree._Element) -> dict[str, list[etree._Element]]:
    """The body cut at its Heading 1 paragraphs (``cover`` before the first)."""
    out: dict[str, list[etree._Element]] = {"cover": []}
    current = "cover"
    for child in body:
        if child.tag == q("sectPr"):
            continue
        if child.tag == q("p") and style_of(child) == "Heading1":
            current = text_of(child).strip()
            out[current] = []
        out[current].append(child)
    return out


def find(items: list[etree._Element], text: str) -> int:
    return next(i for i, e in enumerate(items) if e.tag == q("p") and text_of(e).strip() == text)


def restructure(m: Master) -> None:
    root = m.part("word/document.xml")
    body = root.find(q("body"))
    if any(text_of(p).strip() == DONE_MARK for p in body.iter(q("p"))):
        m.log.append(f"{m.path.name}: report structure: nothing to do")
        return
    parts = blocks(body)
    plan_table = next(e for e in parts["Annexe – Plan d'action complet"] if e.tag == q("tbl"))
    findings_table = next(e for e in parts["Annexe – Liste des constats"] if e.tag == q("tbl"))
    synthese = parts["Synthèse"]
    intro = synthese[1]  # "Nous avons analysé..."
    alert = synthese[find(synthese, "{%p if summary.prohibited_alert.text %}"):
                      find(synthese, "{{ summary.decisions_text }}")]
    loop = synthese[find(synthese, "{%p for u in use_cases %}"):]
    use_cases = loop + parts["Cas d'usage : {{ u.title }}"]
    for first in (use_cases[len(loop)], parts["Fournisseurs et RGPD"][0]):
        flag = first.find(f"{q('pPr')}/{q('pageBreakBefore')}")
        if flag is not None:  # sections follow one another: no near-empty page before
            flag.getparent().remove(flag)
    roi = find(use_cases, "Retour sur investissement et priorité")
    use_cases[roi:roi] = [
        plain("Normal", "{%p if u.organisation %}"),
        plain("Heading2", "Organisation et dialogue social"),
        plain("Normal", "{%p for g in u.organisation %}"),
        para("ListBullet", ("{{ g.severity }} – ", "b"), ("{{ g.message }}", "")),
        plain("Normal", "{%p if g.advice %}"),
        plain("Petit", "Recommandation : {{ g.advice }}"),
        plain("Normal", "{%p endif %}"),
        plain("Petit", "Références : {{ g.references }}"),
        plain("Normal", "{%p endfor %}"),
        plain("Normal", "{%p endif %}"),
    ]
    vendors = parts["Fournisseurs et RGPD"]
    calendar = parts["Calendrier des échéances"]
    calendar[0] = plain("Heading1", "Échéancier")
    calendar[1] = plain("Normal", "Toutes les obligations datées des usages déclarés, de "
                        "l'année de l'évaluation à 2028, et les étapes du règlement sur l'IA "
                        "qui les encadrent, par date (les obligations plus anciennes, déjà en "
                        "vigueur, figurent dans la section de chaque cas d'usage).")
    glossary = parts["Glossaire"]
    last = glossary[-1]  # the paragraph that closed the portrait section
    section = last.find(f"{q('pPr')}/{q('sectPr')}")
    new = [
        *parts["cover"],
        plain("Heading1", DONE_MARK),
        intro, *alert,
        plain("Normal", "{{ summary.decisions_text }} {{ summary.blockers_text }}"),
        plain("Normal", "{%p if use_cases %}"),
        para("Normal", ("Décision par cas d'usage :", "b")),
        table(plan_table, "{%tr for u in use_cases %}",
              ["Cas d'usage", "Décision", "Échéance", "Niveau de risque"],
              ["**{{ u.title }}", "{{ u.decision.label }}", "{{ u.decision.due }}",
               "{{ u.tier }}"], [3400, 2300, 2200, 1738]),
        plain("Normal", ""),
        plain("Normal", "{%p else %}"),
        para("Normal", ("Aucun cas d'usage n'a été déclaré.", "i")),
        plain("Normal", "{%p endif %}"),
        plain("Normal", "{%p if actions.summary %}"),
        para("Normal", ("Premières actions à engager :", "b")),
        plain("Normal", "{%p for s in actions.summary %}"),
        plain("ListNumber", "{{ s.line }}"),
        plain("Normal", "{%p endfor %}"),
        plain("Normal", "{{ actions.summary_more }}"),
        plain("Normal", "{%p else %}"),
        para("Normal", ("{{ actions.none }}", "i")),
        plain("Normal", "{%p endif %}"),
        para("Normal", ("Exposition : ", "b"), ("{{ sanctions.exposure }}", "")),
        para("Heading1", ("Périmètre et limites", ""), page_break=True),
        plain("Normal", "{{ limits.declared }}"),
        plain("Normal", "{%p if limits.collected %}"),
        plain("Normal", "{{ limits.collected }}"),
        plain("Normal", "{%p endif %}"),
        plain("Normal", "{%p if limits.register %}"),
        plain("Normal", "{{ limits.register }}"),
        plain("Normal", "{%p endif %}"),
        plain("Normal", "{{ limits.legal_basis }}"),
        plain("Normal", "{%p if limits.open_points %}"),
        para("Normal", ("Points de droit encore en mouvement :", "b")),
        plain("Normal", "{%p for o in limits.open_points %}"),
        plain("ListBullet", "{{ o }}"),
        plain("Normal", "{%p endfor %}"),
        plain("Normal", "{%p else %}"),
        para("Normal", ("Aucun point de droit encore en mouvement ne touche les constats de ce "
                        "rapport.", "i")),
        plain("Normal", "{%p endif %}"),
        para("Normal", ("", ""), page_break=True),
        *use_cases,
        *vendors, *parts["Points d'organisation"], *parts["Matrice ROI / complexité"],
        plain("Heading1", "Plan d'action"),
        plain("Normal", "Toutes les actions du plan, de la plus urgente à la moins urgente, "
                        "avec leur responsable, leur échéance et les usages qu'elles "
                        "concernent."),
        plain("Normal", "{%p if actions.all %}"),
        table(plan_table, "{%tr for a in actions.all %}",
              ["Action", "Responsable", "Échéance", "Usages concernés"],
              ["{{ a.text }}", "{{ a.owner }}", "{{ a.due }}", "{{ a.use_cases }}"],
              [4238, 1300, 1500, 2600]),
        plain("Normal", ""),
        plain("Normal", "{%p else %}"),
        para("Normal", ("{{ actions.none }}", "i")),
        plain("Normal", "{%p endif %}"),
        *calendar,
        plain("Heading1", "Sanctions encourues"),
        plain("Normal", "{{ sanctions.intro }}"),
        plain("Normal", "{%p for s in sanctions['items'] %}"),
        para("Normal", ("{{ s.breach }} ({{ s.reference }}) : ", "b"), ("{{ s.cap }}", ""),
             keep=True),
        para("Petit", ("{{ s.note }}", ""), keep=True),
        plain("Normal", "{%p if s.gaps %}"),
        para("Normal", ("Écarts relevés qui y exposent :", "i")),
        plain("Normal", "{%p for g in s.gaps %}"),
        plain("ListBullet", "{{ g }}"),
        plain("Normal", "{%p endfor %}"),
        plain("Normal", "{%p endif %}"),
        plain("Normal", "{%p endfor %}"),
        *glossary[:-1],
        plain("Normal", ""),
        # only when the body leaves findings unsaid: an annex saying "nothing" would be a
        # near-empty last page
        plain("Normal", "{%p if annex_findings %}"),
        plain("Heading1", "Annexe – Constats complémentaires"),
        plain("Normal", "Les constats de l'analyse qui ne sont pas exposés dans le corps du "
                        "rapport, avec leurs références juridiques."),
        table(findings_table, "{%tr for f in annex_findings %}",
              ["Objet", "Gravité", "Constat", "Références"],
              ["{{ f.subject }}", "{{ f.severity }}", "{{ f.message }}", "{{ f.references }}"],
              [2000, 1100, 4638, 1900]),
        plain("Normal", "{%p endif %}"),
    ]
    final = body.find(q("sectPr"))
    for child in list(body):
        body.remove(child)
    body.extend(new)
    if section is not None:  # the portrait section's properties close the body
        body.append(section)
    elif final is not None:
        body.append(final)
    m.log.append(f"{m.path.name}: report structure: {len(new)} blocks in the issue's order")


def keep_headings(m: Master) -> None:
    """Headings (and their styles) stay with the paragraph that follows."""
    styles = m.part("word/styles.xml")
    kept = 0
    for style in styles.iter(q("style")):
        if style.get(q("styleId")) in ("Heading1", "Heading2", "Heading3", "Title",
                                       "Subtitle"):
            props = style.find(q("pPr"))
            if props is None:
                props = etree.SubElement(style, q("pPr"))
                rpr = style.find(q("rPr"))
                if rpr is not None:
                    rpr.addprevious(props)
            kept += set_flag(props, "keepNext", _PPR_ORDER)
            kept += set_flag(props, "keepLines", _PPR_ORDER)
    m.log.append(f"{m.path.name}: heading styles kept with next: {kept or 'nothing to do'}")


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path("doc_templates")
    master = Master(folder / "rapport-audit.docx")
    restructure(master)
    keep_headings(master)
    changed = master.save()
    for name in ("brief-dsi.docx", "charte-ia.docx"):
        other = Master(folder / name)
        keep_headings(other)
        changed |= other.save()
        master.log += other.log
    print("\n".join(master.log))
    print("written" if changed else "unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
