"""The context's French: labels of codes, legal references and findings, as the documents print
them, all worded by ``rules/texts/`` (:class:`~engine.documents.texts.Texts`).

One :class:`Wording` serves one client's context: it remembers each label, reference and
finding it worded (they repeat: a finding is listed under its use case and in the annex), so it
is built per client, never kept in a global.
"""

from __future__ import annotations

from typing import Any

from engine.assessment.findings import FactWords, Finding
from engine.documents.because import facts_text
from engine.documents.texts import Texts


class Wording:
    """Labels, references and findings in the words of the texts."""

    def __init__(self, texts: Texts) -> None:
        self.texts = texts
        self.todo = texts.text("labels.todo")
        self.todo_cell = texts.text("labels.todo_cell")
        self.words = FactWords.of(texts)
        self._prefixes = tuple(texts.mapping("facts.references.prefixes").items())
        self._replacements = tuple(texts.mapping("facts.references.words").items())
        self._references: dict[str, str] = {}
        self._labels: dict[tuple[str, str], str] = {}
        self._findings: dict[tuple[str, str], dict[str, Any]] = {}

    def label(self, family: str, code: str) -> str:
        """``labels.<family>.<code>``: ``label("tier", "high")`` -> ``Haut risque``."""
        known = self._labels.get((family, code))
        if known is None:
            known = self._labels[family, code] = self.texts.text(f"labels.{family}.{code}")
        return known

    def reference(self, reference: str) -> str:
        """A canonical reference in French: ``Annex III 4(a)`` -> ``annexe III 4(a)``.

        The first matching prefix of ``facts.references.prefixes`` is replaced, then each
        ``facts.references.words`` pair, in file order.
        """
        known = self._references.get(reference)
        if known is not None:
            return known
        text = reference
        for prefix, french in self._prefixes:
            if text.startswith(prefix):
                text = french + text[len(prefix):]
                break
        for word, french in self._replacements:
            text = text.replace(word, french)
        self._references[reference] = text
        return text

    def references(self, references: tuple[str, ...] | list[str]) -> str:
        return "; ".join(self.reference(r) for r in references)

    def because(self, finding: Finding) -> str:
        """The client's answers behind a finding, by the French labels of the profile."""
        return facts_text(self.texts, self.words, finding.because)

    def finding(self, f: Finding) -> dict[str, Any]:
        """A finding as the templates print it (see docs/templates.md, "Finding").

        The same dict for the same finding: callers copy it before adding keys.
        """
        key = (f.rule_id, f.subject)  # one finding per rule and subject (build_findings)
        known = self._findings.get(key)
        if known is not None:
            return known
        shown = {
            "message": f.message,
            "advice": f.advice or "",
            "severity": self.label("severity", f.severity),
            "rule": f.rule_id,
            "references": self.references(f.provenance.references),
            "facts": self.because(f),
            "source": self.texts.text("facts.rule_source", file=f.provenance.file,
                                      line=str(f.provenance.line)),
        }
        self._findings[key] = shown
        return shown
