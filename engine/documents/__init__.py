"""The deliverables: the template context (French wording from ``rules/texts/``), the sandboxed
.docx renderer, template checks and snapshots, the priority-matrix chart and PDF conversion."""
