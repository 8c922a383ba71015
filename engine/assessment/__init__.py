"""Facts, findings with provenance, and the assessment of one client: tiers, obligations,
checklists, ROI, fines at stake and, per use case, the decision, actions and deadlines."""
