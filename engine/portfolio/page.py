"""``outputs/index.html``: the portfolio as one static page, in French.

No server, no script, no external asset: the styles are inline, the two charts (the decisions
of every use case; the obligations coming into force, month by month) are inline SVG, and every
link is relative to the output folder (each client's documents, the portfolio workbook). Every
text comes from ``rules/texts/portfolio.yaml`` and the labels; every value is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from engine.portfolio.text_keys import DECISIONS
from engine.portfolio.workbook import (
    DECISION_COLOURS,
    PortfolioClient,
    decision_counts,
    decision_label,
    iso_date,
    reference_cell,
    tier_label,
)

if TYPE_CHECKING:
    from engine.documents.texts import Texts

DOCUMENT_ORDER = ("rapport-audit", "charte-ia", "brief-dsi")
TIER_COLOURS = {"unacceptable": "C00000", "high": "E46C0A", "undetermined": "BFBFBF",
                "limited": "FFC000", "minimal": "548235", "out_of_scope": "D9D9D9"}
DOCUMENT_TEXTS = {"rapport-audit": "report", "charte-ia": "charter", "brief-dsi": "brief"}
MONTHS_SHOWN = 24
UPCOMING_SHOWN = 30
STYLE = """
body{font-family:"Segoe UI",Arial,sans-serif;margin:24px;color:#1d1d1d;background:#fafafa}
h1{color:#1F4E79;margin-bottom:4px}h2{color:#1F4E79;margin-top:32px}
p.intro{margin-top:0;color:#444}
.charts{display:flex;flex-wrap:wrap;gap:24px}
figure{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px;margin:0}
figcaption{font-weight:600;margin-bottom:8px;color:#1F4E79}
table{border-collapse:collapse;width:100%;background:#fff;font-size:14px}
th{background:#1F4E79;color:#fff;text-align:left;padding:6px 8px;position:sticky;top:0}
td{border-bottom:1px solid #e3e3e3;padding:6px 8px;vertical-align:top}
tr:nth-child(even) td{background:#f4f7fb}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;font-weight:600;
white-space:nowrap}
.docs a{display:block;color:#0563C1}
.small{color:#555;font-size:12px}
footer{margin-top:32px;color:#666;font-size:12px}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _badge(code: Any, texts: Texts) -> str:
    fill, font = DECISION_COLOURS.get(str(code), ("FFFFFF", "000000"))
    return (f'<span class="badge" style="background:#{fill};color:#{font}">'
            f"{_e(decision_label(code, texts))}</span>")


def _documents(client: PortfolioClient, texts: Texts) -> str:
    links = []

    def order(path: str) -> tuple[int, str]:
        stem = path.rpartition("/")[2].rsplit(".", 1)[0]
        return (DOCUMENT_ORDER.index(stem) if stem in DOCUMENT_ORDER else 9, path)

    for path in sorted(client.documents, key=order):
        name = path.rpartition("/")[2]
        stem, _, suffix = name.rpartition(".")
        if stem in DOCUMENT_TEXTS:
            title = texts.text(f"{DOCUMENT_TEXTS[stem]}.title")
            label = texts.text("portfolio.page.file.pdf", title=title) if suffix == "pdf" \
                else title
        elif name == "assessment.json":
            label = texts.text("portfolio.page.file.assessment")
        else:
            label = name
        links.append(f'<a href="{_e(quote(path))}">{_e(label)}</a>')
    return "".join(links)


def _bars(items: Sequence[tuple[str, int, str]], texts: Texts) -> str:
    """A horizontal bar chart: (label, value, colour) per bar, as inline SVG."""
    if not items or not any(v for _, v, _ in items):
        return f'<p class="small">{_e(texts.text("portfolio.page.chart_empty"))}</p>'
    top = max(v for _, v, _ in items)
    label_w = 12 + round(6.4 * max(len(label) for label, _, _ in items))  # 12 px sans serif
    bar_w, row_h = 220, 26
    width = label_w + bar_w + 40
    height = row_h * len(items) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" viewBox="0 0 {width} {height}">']
    for i, (label, value, colour) in enumerate(items):
        y = 4 + i * row_h
        length = 0 if top == 0 else max(2 if value else 0, round(bar_w * value / top))
        parts.append(f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" '
                     f'font-size="12" fill="#333">{_e(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{length}" height="{row_h - 8}" '
                     f'rx="3" fill="#{colour}"><title>{_e(label)} : {value}</title></rect>')
        parts.append(f'<text x="{label_w + length + 6}" y="{y + 16}" font-size="12" '
                     f'fill="#333">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _months(clients: Sequence[PortfolioClient], texts: Texts) -> str:
    """Obligations not yet in force, per month, as vertical bars."""
    from babel.dates import format_date

    counts: Counter[tuple[int, int]] = Counter()
    for client in clients:
        for row in client.deadlines:
            day = iso_date(row[0])
            if day is not None and not row[4]:
                counts[(day.year, day.month)] += 1
    if not counts:
        return f'<p class="small">{_e(texts.text("portfolio.page.chart_empty"))}</p>'
    months = sorted(counts)[:MONTHS_SHOWN]
    top = max(counts[m] for m in months)
    col, chart_h, width = 56, 150, 56 * len(months) + 20
    height = chart_h + 48
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" viewBox="0 0 {width} {height}">']
    for i, (year, month) in enumerate(months):
        value = counts[(year, month)]
        bar = max(2, round((chart_h - 20) * value / top))
        x = 10 + i * col
        label = format_date(dt.date(year, month, 1), "MMM y", locale="fr_FR")
        title = texts.text("portfolio.page.month_count", count=str(value))
        parts.append(f'<rect x="{x + 8}" y="{chart_h - bar}" width="{col - 16}" '
                     f'height="{bar}" rx="3" fill="#2E75B6"><title>{_e(label)} : '
                     f'{_e(title)}</title></rect>')
        parts.append(f'<text x="{x + col / 2}" y="{chart_h - bar - 4}" text-anchor="middle" '
                     f'font-size="12" fill="#333">{value}</text>')
        parts.append(f'<text x="{x + col / 2}" y="{chart_h + 16}" text-anchor="middle" '
                     f'font-size="11" fill="#333">{_e(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def sector_text(row: dict[str, Any], texts: Texts) -> str:
    """The client's own wording of its sector (``sector_label``), else the sector's French
    label; never the code (an unknown one, from a manifest edited by hand, prints nothing)."""
    own = row.get("sector_label")
    if isinstance(own, str) and own.strip():
        return own
    key = f"labels.sector.{row.get('sector')}"
    return texts.text(key) if key in texts.schema else ""


def _client_row(client: PortfolioClient, texts: Texts, french: Callable[[str], str]) -> str:
    from engine.documents.formatting import date_short_fr

    row = client.row
    as_of = iso_date(row.get("as_of"))
    deadline = iso_date(row.get("next_deadline"))
    counts = "".join(
        f'<div class="small">{n} × {_e(decision_label(d, texts))}</div>'
        for d, n in decision_counts(row, texts))
    coming = (f"<strong>{_e(date_short_fr(deadline))}</strong><div class=\"small\">"
              f"{_e(french(str(row.get('next_deadline_reference', ''))))} – "
              f"{_e(row.get('next_deadline_text', ''))}</div>") if deadline else \
        f'<span class="small">{_e(texts.text("portfolio.page.no_deadline"))}</span>'
    cells = [
        f"<strong>{_e(row.get('client_name', ''))}</strong>"
        f"<div class=\"small\">{_e(sector_text(row, texts))}</div>",
        _e(date_short_fr(as_of)) if as_of else "",
        _e(tier_label(row.get("worst_tier"), texts)),
        _badge(row.get("decision"), texts) + counts,
        _e(row.get("blockers", "")),
        coming,
        f'<div class="docs">{_documents(client, texts)}</div>',
    ]
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _upcoming(clients: Sequence[PortfolioClient], texts: Texts,
              french: Callable[[str], str]) -> str:
    from engine.assessment.assess import natural_key
    from engine.documents.formatting import date_short_fr

    rows = sorted(((str(d[0]), str(c.row.get("client_name", "")), d) for c in clients
                   for d in c.deadlines if not d[4]),
                  key=lambda r: (r[0], r[1], natural_key(str(r[2][1]))))
    if not rows:
        return f'<p class="small">{_e(texts.text("portfolio.page.no_deadline"))}</p>'
    column = "portfolio.summary.deadline_column."
    head = "".join(f"<th>{_e(texts.text(column + c))}</th>"
                   for c in ("date", "client", "reference", "text", "use_cases"))
    body = []
    for day, name, d in rows[:UPCOMING_SHOWN]:
        parsed = iso_date(day)
        use_cases = "<br>".join(_e(u) for u in str(d[3]).split("\n"))
        body.append(f"<tr><td>{_e(date_short_fr(parsed) if parsed else day)}</td>"
                    f"<td>{_e(name)}</td><td>{_e(french(str(d[1])))}</td><td>{_e(d[2])}</td>"
                    f"<td>{use_cases}</td></tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def index_html(clients: Sequence[PortfolioClient], texts: Texts, workbook: str | None) -> bytes:
    """The page, byte-identical for identical clients and texts."""
    from engine.documents.formatting import date_fr
    french = reference_cell(texts)
    t = texts.text
    dates = [d for d in (iso_date(c.row.get("as_of")) for c in clients) if d is not None]
    totals = Counter(dict.fromkeys(DECISIONS, 0))
    for client in clients:
        for d, n in decision_counts(client.row, texts):
            totals[d] += n
    bars = [(decision_label(d, texts), totals[d], DECISION_COLOURS[d][0]) for d in DECISIONS]
    caption = t("portfolio.page.decisions_chart")
    if not any(totals.values()):  # assessments without decisions: the clients' worst tiers
        tiers = Counter(str(c.row.get("worst_tier")) for c in clients)
        bars = [(tier_label(k, texts), tiers[k], colour) for k, colour in TIER_COLOURS.items()]
        caption = t("portfolio.page.tiers_chart")
    column = "portfolio.summary.column."
    head = "".join(f"<th>{_e(t(column + c))}</th>" for c in (
        "client", "as_of", "worst_tier", "decision", "blockers", "next_deadline"))
    head += f"<th>{_e(t('portfolio.page.documents'))}</th>"
    rows = "".join(_client_row(c, texts, french) for c in clients)
    table = f"<table><tr>{head}</tr>{rows}</table>" if clients else \
        f"<p>{_e(t('portfolio.page.no_client'))}</p>"
    generated = t("portfolio.page.generated", count=str(len(clients)),
                  date=date_fr(max(dates)) if dates else "–")
    link = (f'<p><a href="{_e(quote(workbook))}">{_e(t("portfolio.page.file.summary"))}</a></p>'
            if workbook else "")
    page = f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(t("portfolio.page.title"))}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{_e(t("portfolio.page.heading"))}</h1>
<p class="intro">{_e(t("portfolio.page.intro"))}<br><span class="small">{_e(generated)}</span></p>
{link}
<div class="charts">
<figure><figcaption>{_e(caption)}</figcaption>
{_bars(bars, texts)}</figure>
<figure><figcaption>{_e(t("portfolio.page.deadlines_chart"))}</figcaption>
{_months(clients, texts)}</figure>
</div>
<h2>{_e(t("portfolio.summary.sheet"))}</h2>
{table}
<h2>{_e(t("portfolio.page.deadlines_heading"))}</h2>
{_upcoming(clients, texts, french)}
<footer>{_e(t("portfolio.page.footer"))}</footer>
</body>
</html>
"""
    return page.encode("utf-8")
