"""iapme: AI Act and GDPR assessments of SMEs, and their Word deliverables.

The pipeline, one module per stage::

    inputs/x.yaml -> yamlio (YAML with positions) -> validate (Profile) -> facts (plain)
      -> compiler (rules/*.yaml -> condition trees -> branches: the rule program)
      -> rules.durable (branches -> durable_rules rulesets under its capacity; evaluation:
         firings)
      -> findings (with provenance) -> assess (Assessment) -> context (template context)
      -> render (doc_templates/*.docx -> bytes) -> outputs (atomic files, manifest)

Before it, ``engine.intake`` starts a profile (``iapme init``, the JSON Schema) and completes it
through the SME questionnaire (``iapme questionnaire`` / ``iapme answers import``).
After it, ``engine.portfolio`` works on every client at once: the impact of a rule change
(``iapme impact``), the deadlines calendar (``iapme deadlines``), the portfolio views
(``summary.xlsx``, ``index.html``). The legal dates the rules name are ``rules/timeline.yaml``
(``engine.rules.timeline``), resolved when the rules load.
``engine.run.pipeline`` runs one client through the pipeline; ``engine.run.batch.run_batch``
runs many; ``engine.cli`` is the thin ``iapme`` command line. Only ``engine.rules.durable`` imports
durable_rules.
"""
