"""Property-based tests (hypothesis) of the profile pipeline.

Valid profiles are generated from the pydantic models themselves (their fields, Literal
vocabularies, bounds and patterns), so a field added to :mod:`engine.profile.model` is generated
without touching this file; the few rules pydantic cannot express (unique ids, declared vendors,
increasing pilot weeks, usable client ids) are added here. Each is written as YAML (block style
with every text double-quoted, or JSON, which is YAML too) and must go through validation,
assessment and the template context without an exception; a few are rendered in full.

Invalid profiles are valid ones with one mutation (a wrong type, a value out of its vocabulary
or bounds, an unknown or missing key, a control character, a duplicate or undeclared id); each
must end in a :class:`~engine.errors.ProfileError` whose every issue has the file, a line and
a column, and one of which names the mutated key path.

Runs are derandomized and use no example database, so CI sees the same examples every time;
the file runs in well under a minute on two cores.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import os
import re
import tempfile
import typing
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import annotated_types
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped, unused-ignore]
from pydantic import BaseModel

from engine.documents.context import build_context
from engine.documents.render import document_text
from engine.documents.typography import typeset
from engine.errors import ProfileError
from engine.profile.model import MAX_DATE, MIN_DATE, Profile, UseCase, Vendor, unwrap
from engine.profile.validate import RESERVED_IDS, load_profile, profile_from_doc
from engine.profile.yamlio import format_key_path, load_yaml_text
from engine.run.pipeline import (
    DOCUMENTS,
    Toolkit,
    assess_profile,
    assessment_json,
    prepare,
    render_client,
)

ROOT = Path(__file__).resolve().parents[2]
HOME_OF = ("engine.profile.validate",)
FILE = "generated.yaml"
# Same examples on every run, no example database; no shrinking unless asked
# (IAPME_HYPOTHESIS_SHRINK=1): a failure then reports its first example at once, so even a
# failing run stays within CI's time (shrinking a profile can take minutes).
SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "phases": [Phase.explicit, Phase.generate]
    + ([Phase.shrink] if os.environ.get("IAPME_HYPOTHESIS_SHRINK") == "1" else []),
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
# What a valid text may hold: any character but controls (tab, newline, carriage return
# aside), surrogates, non-characters and the direction marks and overrides (format chars).
TEXT_CHARS = st.one_of(
    st.characters(blacklist_categories=("Cs", "Cc", "Cf"), blacklist_characters="\ufffe\uffff"),
    st.sampled_from("\t\n\r"),
)
# Pieces that hostile or careless text carries: template syntax, XML, YAML 1.1 lookalikes.
TOKENS = st.sampled_from([
    "{{ 7*7 }}", "{%p if x %}", "{%tr for r in rows %}", "{# c #}", "{{ ''.__class__ }}",
    "<w:p>", "&amp;", "&#x41;", "]]>", "<", ">", "&", "'", '"', "\\", "=cmd|' /C calc'!A0",
    "NO", "yes", "~", "null", "1e3", "0x1F", "012", "2025-01-31", "#", ": ", "- ", "*a", "&a",
    "!!python/name:os.system", "%", "@", "€", "😀", "é", "ﬁ", "$", "$x^2$", "$\\frac{1}{0}$",
    "_", "^", "\\n",
])
UNKNOWN_KEY = "unexpected_key"


# --- the model, as data the strategies can use ----------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What one field accepts, read from its annotation."""

    kind: str  # model | list | literal | bool | tri | int | float | date | text | pattern
    model: type[BaseModel] | None = None
    item: Spec | None = None
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    min_len: int = 0
    max_len: int | None = None
    pattern: str | None = None


def _metadata(annotation: Any) -> list[Any]:
    """Every constraint object found in an annotation (nested Annotated, FieldInfo, unions)."""
    found: list[Any] = []
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        for item in extra:
            found.extend(getattr(item, "metadata", [item]))
        found.extend(_metadata(base))
    elif origin is not None and origin is not list:
        for arg in typing.get_args(annotation):
            found.extend(_metadata(arg))
    return found


def spec_of(annotation: Any, metadata: list[Any]) -> Spec:
    constraints = [*metadata, *_metadata(annotation)]
    members = [m for m in unwrap(annotation) if m is not type(None)]
    low = next((float(c.ge) for c in constraints if isinstance(c, annotated_types.Ge)), None)  # type: ignore[arg-type]
    high = next((float(c.le) for c in constraints if isinstance(c, annotated_types.Le)), None)  # type: ignore[arg-type]
    min_len = next((c.min_length for c in constraints if isinstance(c, annotated_types.MinLen)), 0)
    max_len = next((c.max_length for c in constraints if isinstance(c, annotated_types.MaxLen)),
                   None)
    pattern = next((c.pattern for c in constraints if getattr(c, "pattern", None)), None)
    models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
    lists = [m for m in members if typing.get_origin(m) is list]
    literals = [v for m in members if typing.get_origin(m) is typing.Literal
                for v in typing.get_args(m)]
    if models:
        return Spec("model", model=models[0])
    if lists:
        item = typing.get_args(lists[0])[0]
        return Spec("list", item=spec_of(item, []), max_len=max_len)
    if bool in members:
        return Spec("tri" if literals else "bool", values=(True, False, *literals))
    if literals:
        return Spec("literal", values=tuple(literals))
    if dt.date in members:
        return Spec("date")
    if int in members:
        return Spec("int", low=low, high=high)
    if float in members:
        return Spec("float", low=low, high=high)
    if str in members:
        return Spec("pattern" if pattern else "text", min_len=min_len, max_len=max_len,
                    pattern=pattern)
    raise AssertionError(f"no strategy for {annotation!r}: teach test_properties.py this type")


@functools.cache
def fields_of(model: type[BaseModel]) -> dict[str, tuple[Spec, bool]]:
    """Each field of ``model``: its spec and whether it is required."""
    return {name: (spec_of(info.annotation, list(info.metadata)), info.is_required())
            for name, info in model.model_fields.items()}


# --- valid values -----------------------------------------------------------------------------


def _text(spec: Spec) -> st.SearchStrategy[str]:
    limit = min(spec.max_len or 80, 80)
    pieces = st.lists(st.one_of(st.text(TEXT_CHARS, min_size=1, max_size=12), TOKENS),
                      max_size=6)
    text = pieces.map("".join).map(lambda s: s[:limit])
    if spec.max_len is not None:  # now and then, exactly the longest text accepted
        text = st.one_of(text, st.just("é" * spec.max_len))
    if spec.min_len:
        text = text.filter(lambda s: s.strip() != "")
    return text


def value_of(spec: Spec) -> st.SearchStrategy[Any]:
    if spec.kind == "model":
        assert spec.model is not None
        return model_dict(spec.model)
    if spec.kind == "list":
        assert spec.item is not None
        size = min(spec.max_len or 3, 3)
        if spec.item.kind == "literal":
            return st.lists(st.sampled_from(spec.item.values), max_size=size, unique=True)
        if spec.item.kind == "text":  # lists of text refuse duplicates (after trimming)
            return st.lists(value_of(spec.item), max_size=size,
                            unique_by=lambda s: s.strip() if isinstance(s, str) else repr(s))
        return st.lists(value_of(spec.item), max_size=size)
    if spec.kind in {"literal", "bool", "tri"}:
        return st.sampled_from(spec.values)
    if spec.kind == "date":
        return st.dates(MIN_DATE, MAX_DATE).map(dt.date.isoformat)
    if spec.kind == "int":
        low, high = int(spec.low or 0), int(spec.high if spec.high is not None else 10**6)
        return st.one_of(st.integers(low, min(high, low + 100)), st.integers(low, high))
    if spec.kind == "float":
        bottom, top = spec.low or 0.0, spec.high if spec.high is not None else 1e6
        return st.one_of(st.integers(int(bottom), int(top)),
                         st.floats(bottom, top, allow_nan=False, allow_infinity=False))
    if spec.kind == "pattern":
        assert spec.pattern is not None
        return st.from_regex(spec.pattern, fullmatch=True)
    return _text(spec)


def model_dict(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    required = {n: value_of(s) for n, (s, req) in fields_of(model).items() if req}
    optional = {n: value_of(s) for n, (s, req) in fields_of(model).items() if not req}
    return st.fixed_dictionaries(required, optional=optional)


CLIENT_IDS = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True).filter(
    lambda s: s not in RESERVED_IDS)


def _unique_ids(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list({item["id"]: item for item in reversed(items)}.values())[::-1]


def _some(model: type[BaseModel]) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Usually one to three items, sometimes none."""
    return st.one_of(st.just([]), st.lists(model_dict(model), min_size=1, max_size=3),
                     st.lists(model_dict(model), min_size=1, max_size=3))


def _consistent_system(system: dict[str, Any]) -> None:
    """The answers :class:`~engine.profile.model.System` refuses as contradictory, made
    consistent (a deep fake needs an image, a sound or a video; a public-interest text needs
    text; solely profiling needs profiling; an Annex I section needs a safety component)."""
    media = system.get("generated_media")
    if isinstance(media, list):
        if not {"image", "audio", "video"} & set(media):
            for name in ("deepfake", "sexual_deepfakes", "child_sexual_abuse_material"):
                if system.get(name) is True:
                    system[name] = False
        if "text" not in media and system.get("public_interest_text") is True:
            system["public_interest_text"] = False
    if system.get("solely_profiling") is True and system.get("profiling") is False:
        system["profiling"] = True
    if system.get("safety_component_regulated_product") is False:
        system.pop("annex_i_section", None)


@st.composite
def valid_profiles(draw: st.DrawFn) -> dict[str, Any]:
    """A profile dict pydantic and the cross-checks accept."""
    data = draw(model_dict(Profile))
    data["client"]["id"] = draw(CLIENT_IDS)
    data["vendors"] = _unique_ids(draw(_some(Vendor)))
    for vendor in data["vendors"]:  # a vendor names itself, or a register entry (none here)
        vendor.pop("register_id", None)
        vendor.setdefault("name", "Éditeur")
    vendor_ids = [v["id"] for v in data["vendors"]]
    use_cases = _unique_ids(draw(st.lists(model_dict(UseCase), min_size=1, max_size=3)))
    for use_case in use_cases:
        with_vendor = draw(st.booleans())
        if vendor_ids and with_vendor:
            use_case["vendor"] = draw(st.sampled_from(vendor_ids))
        else:
            use_case.pop("vendor", None)
        if isinstance(use_case.get("system"), dict):
            _consistent_system(use_case["system"])
        pilot = use_case.get("pilot")
        if isinstance(pilot, dict):
            weeks = {w["week"]: w for w in pilot.get("weeks", [])}
            pilot["weeks"] = [weeks[k] for k in sorted(weeks)]
    data["use_cases"] = use_cases
    return data


# --- YAML text --------------------------------------------------------------------------------


class _QuotingDumper(yaml.SafeDumper):
    """Block-style YAML where every text is double-quoted: no YAML 1.1 guess is possible."""


_QuotingDumper.add_representer(
    str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"'))


def to_yaml(data: dict[str, Any], style: str) -> str:
    if style == "json":
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    return yaml.dump(data, Dumper=_QuotingDumper, allow_unicode=True, sort_keys=False,
                     width=10_000)


STYLES = st.sampled_from(["block", "json"])


# --- the pipeline -----------------------------------------------------------------------------


@functools.cache
def toolkit() -> Toolkit:
    return prepare(ROOT / "rules", ROOT / "doc_templates")


def validated(text: str) -> Profile:
    try:
        return profile_from_doc(load_yaml_text(text, FILE), default_id="generated")
    except ProfileError as exc:  # the strategy made an invalid profile, or validation is wrong
        raise AssertionError(f"valid profile refused:\n{exc}\n--- YAML ---\n{text}") from exc


class TestValidProfiles:
    """Generated valid profiles never crash validation, assessment or rendering."""

    @settings(max_examples=80, **SETTINGS)  # type: ignore[arg-type]
    @given(data=valid_profiles(), style=STYLES)
    def test_validate_assess_and_build_context(self, data: dict[str, Any], style: str) -> None:
        profile = validated(to_yaml(data, style))
        as_of = profile.assessment.date or dt.date(2026, 11, 26)
        assessment = assess_profile(profile, toolkit().rulebase, as_of)
        assert {u.use_case.id for u in assessment.use_cases} == {
            u["id"] for u in data["use_cases"]}
        build_context(assessment, toolkit().rulebase.texts, with_chart=False)
        json.loads(assessment_json(assessment))

    @settings(max_examples=8, **SETTINGS)  # type: ignore[arg-type]
    @given(data=valid_profiles(), style=STYLES)
    def test_render_every_document(self, data: dict[str, Any], style: str) -> None:
        profile = validated(to_yaml(data, style))
        assessment = assess_profile(profile, toolkit().rulebase, dt.date(2026, 11, 26))
        files = render_client(assessment, toolkit())
        assert set(files) >= set(DOCUMENTS)
        for name in DOCUMENTS:
            with zipfile.ZipFile(io.BytesIO(files[name])) as archive:
                for entry in archive.namelist():
                    if entry.endswith(".xml"):
                        etree.fromstring(archive.read(entry))  # strict: no recovery
        report = document_text(files["rapport-audit.docx"])
        name = " ".join(profile.client.name.split())
        # the name comes out as written, set the French way like any text
        assert " ".join(typeset(name).split()) in " ".join(report.split())


# --- invalid profiles -----------------------------------------------------------------------

# Values that are wrong for a field of each kind, whatever its other constraints (never None:
# an optional field accepts it).
WRONG: dict[str, list[Any]] = {
    "model": [[1, 2], "text", 5],
    "list": ["text", {"a": 1}, 5],
    "literal": ["not-a-value", 3, [1]],
    "bool": ["yes", "true", 1, [True]],
    "tri": ["maybe", 2, {"a": 1}],
    "date": [20261126, "31/12/2026", "2026-02-30", "9999-12-31", True],
    "int": [1.5, "3", True, [1], -1],
    "float": ["12", True, {"a": 1}, -1, 1e13],
    "text": [12, True, [1], {"a": 1}, "", "x" * 5000, "a\u202eb", "a\x1bb", "a\ud800b"],
    "pattern": ["Bad Id/..", 12, [1], "../x"],
}
WRONG_LIST_ITEM = ["not-a-value", 7, {"a": 1}]
Path_ = tuple[str | int, ...]


def places(data: Any, model: type[BaseModel], path: Path_ = ()) -> list[tuple[Path_, Spec, bool]]:
    """Every present value under a model: (path, spec, required)."""
    found: list[tuple[Path_, Spec, bool]] = []
    for name, (spec, required) in fields_of(model).items():
        if name not in data:
            continue
        here = (*path, name)
        found.append((here, spec, required))
        value = data[name]
        if spec.kind == "model" and isinstance(value, dict):
            assert spec.model is not None
            found += places(value, spec.model, here)
        elif spec.kind == "list" and spec.item is not None and isinstance(value, list):
            for index, item in enumerate(value):
                if spec.item.kind == "model" and spec.item.model is not None:
                    found += places(item, spec.item.model, (*here, index))
                else:
                    found.append(((*here, index), spec.item, True))
    return found


def _set(data: dict[str, Any], path: Path_, value: Any) -> None:
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def _get(data: dict[str, Any], path: Path_) -> Any:
    target: Any = data
    for part in path:
        target = target[part]
    return target


@st.composite
def invalid_profiles(draw: st.DrawFn) -> tuple[dict[str, Any], str, Path_]:
    """A valid profile with one mutation; returns it, what was done, and the key path hit."""
    data = draw(valid_profiles())
    spots = places(data, Profile)
    kinds = ["wrong", "wrong", "wrong", "unknown_key", "missing"]
    if data["vendors"]:
        kinds.append("duplicate_vendor")
    if data["use_cases"]:
        kinds.append("undeclared_vendor")
    mutation = draw(st.sampled_from(kinds))
    if mutation == "wrong":  # a kind of field first, so that rare kinds are hit as often
        kind = draw(st.sampled_from(sorted({spec.kind for _, spec, _ in spots})))
        path, spec, _ = draw(st.sampled_from([s for s in spots if s[1].kind == kind]))
        if path[0] == "client" and path[-1] == "id":
            wrong = draw(st.sampled_from(["Bad Id", "../x", "con", "a_b", 12]))
        elif isinstance(path[-1], int) and spec.kind == "literal":
            wrong = draw(st.sampled_from(WRONG_LIST_ITEM))
        else:
            choices = [w for w in WRONG[spec.kind]
                       if not (w == "" and spec.min_len == 0)  # a note may be empty
                       and not (w == 1e13 and (spec.high or 0) >= 1e13)]
            wrong = draw(st.sampled_from(choices))
        _set(data, path, wrong)
        return data, f"wrong:{spec.kind}:{wrong!r}", path
    if mutation == "unknown_key":
        holders: list[Path_] = [(), *(p for p, s, _ in spots if s.kind == "model"),
                                *((*p, i) for p, s, _ in spots if s.kind == "list"
                                  and s.item is not None and s.item.kind == "model"
                                  for i in range(len(_get(data, p))))]
        holder = draw(st.sampled_from(holders))
        target = _get(data, holder) if holder else data
        target[UNKNOWN_KEY] = "x"
        return data, "unknown_key", (*holder, UNKNOWN_KEY)
    if mutation == "missing":
        required = [p for p, _, req in spots if req and isinstance(p[-1], str)]
        path = draw(st.sampled_from(required))
        del _get(data, path[:-1])[path[-1]]
        return data, "missing", path
    if mutation == "duplicate_vendor":
        data["vendors"].append(dict(data["vendors"][0]))
        return data, "duplicate_vendor", ("vendors", len(data["vendors"]) - 1, "id")
    data["use_cases"][0]["vendor"] = "undeclared-vendor"
    return data, "undeclared_vendor", ("use_cases", 0, "vendor")


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_WORKDIR = Path(tempfile.mkdtemp(prefix="iapme-properties-"))


class TestInvalidProfiles:
    """Every invalid profile ends in a ProfileError at a file:line:column, never a traceback."""

    @settings(max_examples=150, **SETTINGS)  # type: ignore[arg-type]
    @given(case=invalid_profiles(), style=STYLES)
    def test_user_error_with_location(
        self, case: tuple[dict[str, Any], str, Path_], style: str
    ) -> None:
        data, mutation, path = case
        text = to_yaml(data, style)
        profile_file = _WORKDIR / "profile.yaml"
        profile_file.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_profile(profile_file, display_path=FILE)
        except ProfileError as exc:
            issues = exc.issues
        else:
            raise AssertionError(f"{mutation} at {format_key_path(path)} was accepted:\n{text}")
        assert issues
        for issue in issues:
            where = issue.location
            assert where.file == FILE
            assert where.line is not None, str(issue)
            assert where.column is not None, str(issue)
            assert issue.message
            assert not _UNPRINTABLE.search(str(issue)), repr(str(issue))
        if "\\ud800" in mutation:
            return  # not UTF-8 (JSON) or a bad escape for libyaml: refused before any key
        wanted = format_key_path(path)
        assert any(i.location.key_path == wanted for i in issues), (
            mutation, wanted, [str(i) for i in issues])


def test_strategy_covers_every_field() -> None:
    """Building the strategies walks every model: a field of a new type fails here first."""
    seen: list[str] = []

    def walk(model: type[BaseModel]) -> None:
        for name, (spec, _) in fields_of(model).items():
            seen.append(f"{model.__name__}.{name}")
            item = spec.item if spec.kind == "list" else spec
            if item is not None and item.kind == "model" and item.model is not None:
                walk(item.model)

    walk(Profile)
    assert "Vendor.certifications" in seen
    assert len(seen) >= len(Vendor.model_fields) + 40

