"""What a rule engine reports for one client: firings, in engine-neutral terms.

A :class:`Firing` is one branch of one rule holding for one combination of facts: the profile
facts it bound (by kind, as :mod:`engine.assessment.facts` made them) and the derived facts it
required. :mod:`engine.rules.durable` returns them; :mod:`engine.assessment.findings` turns them
into findings. Neither side sees the other's formats.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from engine.rules.compiler import ID_FIELDS, CompiledBranch
from engine.rules.conditions import Scalar
from engine.rules.types import Subject

Fact = dict[str, Any]  # a profile fact: plain JSON values, ``type`` and an id field
DERIVED_TYPE = "derived"


class DerivedFact(NamedTuple):
    """A conclusion a rule asserted (``then.assert``) about one subject, for other rules."""

    name: str
    subject: str                             # the id of the use case, vendor or client
    values: tuple[tuple[str, Scalar], ...]   # its other keys, sorted (``point: "4(a)"``)

    def describe(self) -> str | bool:
        """``area=people, point=4(a)`` (what a finding's ``because`` shows), True if bare."""
        return ", ".join(f"{k}={v}" for k, v in self.values) or True


class Firing(NamedTuple):
    """One branch of one rule that held, with the facts it bound.

    Why a named tuple: a client's evaluation makes dozens of them; it is immutable and the
    fastest record Python makes.
    """

    branch: CompiledBranch
    facts: Mapping[Subject, Fact]
    derived: tuple[DerivedFact, ...] = ()

    @property
    def name(self) -> str:
        return self.branch.name

    def key(self) -> tuple[str, tuple[tuple[str, Any], ...], tuple[DerivedFact, ...]]:
        """Comparable identity: the branch, the ids of the facts bound, the derived facts."""
        ids = tuple(sorted((kind, str(fact.get(ID_FIELDS[kind])))
                           for kind, fact in self.facts.items()))
        return self.branch.name, ids, self.derived

