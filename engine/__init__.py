"""iapme: AI Act and GDPR assessments of SMEs, and their Word deliverables.

The pipeline, one package per stage (``docs/architecture.md`` says what each owns)::

    profile (YAML)     engine.profile      -> Profile (validated, every key located)
      -> facts         engine.assessment   -> plain facts
      -> evaluation    engine.rules        rules/*.yaml -> rule program (once per run)
                       engine.rules.durable  the program on durable_rules -> firings
      -> findings      engine.assessment   -> findings with provenance
      -> decision      engine.assessment   -> Assessment (tiers, obligations, decisions,
                                              actions, deadlines)
      -> context       engine.documents    -> the template context (French, from rules/texts)
      -> documents     engine.documents    doc_templates/*.docx -> bytes (and PDFs)
      -> outputs       engine.run          atomic files, manifest, summaries

Before it, ``engine.intake`` starts a profile (``iapme init``, the JSON Schema) and completes it
through the SME questionnaire. After it, ``engine.portfolio`` works on every client at once:
the impact of a rule change (``iapme impact``), the deadlines calendar (``iapme deadlines``),
the portfolio views (``summary.xlsx``, ``index.html``). The legal dates the rules name are
``rules/timeline.yaml`` (``engine.rules.timeline``), resolved when the rules load.
through the SME questionnaire. ``engine.run.pipeline`` runs one client; ``engine.run.batch``
runs many; ``engine.cli`` is the thin ``iapme`` command line; with ``--pdf``,
``engine.documents.pdf`` converts the documents through one persistent LibreOffice per worker
(its UNO bridge, behind ``engine.documents.guard``); ``engine.common`` holds the helpers every
stage shares; ``engine.errors`` the one exception root. Only ``engine.rules.durable`` imports
durable_rules.
"""
