"""Re-runs after a rule edit that cannot change a client: no profile read, no assessment.

A client's record keeps the rules that gave it a finding or a duty (``fired``), the digest of
those rules as written (``inputs.cited``, the assessment's ``rules_applied``) and the digest of
the rule base's *logic* (``inputs.logic``: every rule without its wording, and the tables the
assessment reads; :attr:`engine.rules.base.RuleBase.logic_digest`). When only the rules
changed since the client was written, the logic digest is the same (so every rule fires where
it fired) and its cited rules are unchanged, its assessment is the same but for the rule
base's digest it records: ``assessment.json`` is rewritten with the new digest, its documents
are kept, and nothing else is done for it. Anything else goes the normal way.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from engine.common.digest import sha256
from engine.run.layout import ASSESSMENT_FILE
from engine.run.records import disk_bytes

if TYPE_CHECKING:
    from pathlib import Path

    from engine.rules.base import RuleBase
    from engine.run.manifest import Manifest

MAX_ASSESSMENT_BYTES = 64 * 1024 * 1024
_DIGEST = re.compile(rb'"rules_digest": "sha256:[0-9a-f]{64}"')


def only_rules_changed(record: dict[str, Any], common: dict[str, str], as_of: str) -> bool:
    """True when the record differs from the current inputs (and legal date) by the rules'
    digest alone."""
    inputs = record.get("inputs", {})
    return inputs.get("rules") != common.get("rules") and inputs.get("as_of") == as_of \
        and all(inputs.get(k) == v for k, v in common.items() if k != "rules")


def retagged(out: Path, manifest: Manifest, client_id: str, record: dict[str, Any],
             rulebase: RuleBase, common: dict[str, str]) -> tuple[bytes, dict[str, Any]] | None:
    """The new ``assessment.json`` and record of a client the rule edit cannot change, or
    None when it must be assessed again."""
    inputs, fired = record.get("inputs", {}), record.get("fired")
    if not isinstance(fired, list) or not all(isinstance(r, str) for r in fired) \
            or inputs.get("logic") != rulebase.logic_digest \
            or inputs.get("cited") != rulebase.applied_digest(set(fired)):
        return None
    key = f"{client_id}/{ASSESSMENT_FILE}"
    try:
        data = disk_bytes(out, key, MAX_ASSESSMENT_BYTES)
    except OSError:
        return None
    if sha256(data) != manifest.recorded(key) or len(_DIGEST.findall(data)) != 1:
        return None  # edited by hand, or not ours: the normal way decides
    new = _DIGEST.sub(f'"rules_digest": "{rulebase.digest}"'.encode(), data)
    return new, {**record, "inputs": {**inputs, "rules": common["rules"]}}
