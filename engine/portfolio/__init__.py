"""The firm's portfolio: every client at once.

``evaluate`` assesses a set of profiles with one rule base (no documents) into
:class:`~engine.portfolio.snapshot.ClientView` records; ``impact`` compares two rule bases
over the portfolio (``iapme impact``); ``deadlines`` lists every dated obligation
(``iapme deadlines``, the ``.ics``); ``workbook`` and ``page`` are the portfolio views written
beside the clients' folders (``summary.xlsx``, ``index.html``).
"""
