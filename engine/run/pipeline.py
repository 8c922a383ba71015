"""One client through every stage: profile -> facts -> rules -> findings -> assessment ->
context -> documents. Pure: returns bytes, writes nothing (see :mod:`engine.run.outputs`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.assessment.assess import Assessment, assess, to_json
from engine.assessment.facts import to_facts
from engine.assessment.findings import FactWords, build_findings
from engine.common.digest import digest_files
from engine.common.jsontext import dumps_indented
from engine.documents.context import build_context
from engine.documents.render import DocProperties, PreparedTemplate, make_environment
from engine.documents.templates import check_template_dir
from engine.documents.texts import Texts
from engine.documents.typeset import Typesetter
from engine.documents.typography import Rules, typeset
from engine.errors import TemplateError
from engine.profile.model import Profile
from engine.profile.register import origins, resolve
from engine.rules.base import RuleBase, load_rulebase
from engine.run.layout import ASSESSMENT_FILE, DOCUMENT_FILES, WORKING_FILE
from engine.run.workfile import workfile_xlsx

DOCUMENTS = dict(zip(DOCUMENT_FILES, ("charter", "brief", "report"), strict=True))
"""File name -> its texts in rules/texts/ (``<name>.yaml``, ``<name>.title``...)."""


@dataclass(frozen=True)
class Toolkit:
    """What a process prepares once: the rule base (with its texts) and the compiled templates."""

    rulebase: RuleBase
    templates: dict[str, PreparedTemplate]
    templates_digest: str
    templates_dir: Path


def prepare(rules_dir: Path, templates_dir: Path, rulebase: RuleBase | None = None) -> Toolkit:
    """Load and check the rule base (unless given, loaded from ``rules_dir``) and the
    templates; refuse to go on if either is broken."""
    rulebase = rulebase or load_rulebase(rules_dir)
    env = make_environment()
    sample = sample_context(rulebase.texts)
    checked: dict[Path, PreparedTemplate] = {}
    issues = check_template_dir(templates_dir, list(DOCUMENTS), sample, env, checked)
    if issues:
        raise TemplateError.of(issues, summary=f"the templates in {templates_dir} have errors:")
    templates = {name: checked.get(templates_dir / name)
                 or PreparedTemplate.load(templates_dir / name, env) for name in DOCUMENTS}
    digest = digest_files([templates_dir / name for name in DOCUMENTS], templates_dir)
    return Toolkit(rulebase, templates, digest, templates_dir)


def resolve_as_of(profile: Profile, as_of: dt.date | None, today: dt.date) -> dt.date:
    """SPEC §1: ``--as-of``, else the profile's ``assessment.date``, else today."""
    return as_of or profile.assessment.date or today


def assess_profile(profile: Profile, rulebase: RuleBase, as_of: dt.date) -> Assessment:
    """Evaluate one profile against the rule base at the legal date ``as_of``.

    Vendors that name a register entry are filled from the vendor register first.
    """
    profile, sources = resolve(profile, rulebase.register)
    texts = rulebase.texts
    facts = to_facts(profile, as_of, origins(profile, sources, rulebase.register, as_of, texts))
    firings = rulebase.evaluate(facts, sid=f"{profile.client_id}@{as_of.isoformat()}")
    findings = build_findings(firings, profile, FactWords.of(texts))
    result = assess(profile, findings, as_of, rulebase.digest, rulebase.penalties,
                    rulebase.policy)
    result.vendor_sources = sources
    result.register = rulebase.register
    fired = {f.rule_id for f in findings} | {o.rule_id for u in result.use_cases
                                            for o in u.obligations}
    result.rules_applied = rulebase.applied_digest(fired)
    return result


def assessment_data(assessment: Assessment) -> dict[str, Any]:
    """The ``assessment.json`` document as data."""
    data = to_json(assessment)
    if assessment.rules_applied:
        data["rules_applied_digest"] = assessment.rules_applied
    return data


def dump_json(data: dict[str, Any]) -> bytes:
    """``assessment.json``'s bytes: UTF-8, two-space indent, a final newline (orjson: the
    same text as ``json.dumps(indent=2, ensure_ascii=False)`` for these documents, faster)."""
    return dumps_indented(data) + b"\n"


def assessment_json(assessment: Assessment) -> bytes:
    return dump_json(assessment_data(assessment))


def documents_key(assessment: Assessment, data: dict[str, Any], toolkit: Toolkit,
                  profile_digest: str) -> str:
    """What the three documents are made from: the profile, the assessment (without the
    whole rule base's digest: a rule that does not apply to this client changes nothing in
    its documents), the rules it cites and where they are written, the wording and the
    templates. A re-run whose key is unchanged does not render them again."""
    import orjson

    from engine.common.digest import sha256

    cited = [(f.rule_id, f.provenance.file, f.provenance.line, f.provenance.rule_title)
             for f in assessment.findings]
    kept = {k: v for k, v in data.items() if k != "rules_digest"}
    try:
        text = orjson.dumps([profile_digest, kept, cited, toolkit.rulebase.texts_digest,
                             toolkit.templates_digest], option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        text = json.dumps([profile_digest, kept, cited, toolkit.rulebase.texts_digest,
                           toolkit.templates_digest], sort_keys=True).encode("utf-8")
    return sha256(text)


def render_client(assessment: Assessment, toolkit: Toolkit, data: bytes | None = None
                  ) -> dict[str, bytes]:
    """The five files of one client (three documents, ``assessment.json``, given as
    ``data`` when the caller made it already, and the consultant's ``dossier-travail.xlsx``),
    as bytes."""
    texts = toolkit.rulebase.texts
    context = build_context(assessment, texts)
    client = assessment.profile.client
    consultant = assessment.profile.assessment.consultant
    author = consultant.firm or consultant.name if consultant else "iapme"
    typesetter = typesetter_for(assessment)
    files: dict[str, bytes] = {}
    for name, document in DOCUMENTS.items():
        title = texts.text("labels.document.title", title=texts.text(f"{document}.title"),
                           client=client.name)
        props = DocProperties(title=typeset(title, typesetter.rules),
                              subject=typeset(texts.text("labels.document.subject")),
                              author=author or "iapme", created=assessment.as_of,
                              keywords=texts.text("labels.document.keywords"))
        files[name] = toolkit.templates[name].render(context, props, typesetter=typesetter)
    files[ASSESSMENT_FILE] = data if data is not None else assessment_json(assessment)
    files[WORKING_FILE] = workfile_xlsx(assessment, texts)
    return files


def typesetter_for(assessment: Assessment) -> Typesetter:
    """The French typesetting of one client's documents, with the article of its name."""
    client = assessment.profile.client
    articles = {client.name: client.name_article} if client.name_article else {}
    return Typesetter(Rules(articles))


def sample_context(texts: Texts) -> dict[str, Any]:
    """A context with every name, to check templates before any profile is read."""
    from engine.profile.validate import profile_from_doc
    from engine.profile.yamlio import load_yaml_text

    doc = load_yaml_text(_SAMPLE_PROFILE, "<sample>")
    profile = profile_from_doc(doc, default_id="sample")
    empty = assess(profile, [], dt.date(2026, 1, 1), "sha256:0")
    return build_context(empty, texts, with_chart=False)


_SAMPLE_PROFILE = """
client: {id: sample, name: Exemple, sector: other, employees: 1}
vendors: [{id: v, name: V}]
use_cases: [{id: u, title: U, function: other, stage: idea, vendor: v}]
"""
