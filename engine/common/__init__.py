"""Helpers every stage shares, each implemented once: safe text, digests, atomic writes,
deterministic zips, did-you-mean suggestions and the translation of validation errors."""
