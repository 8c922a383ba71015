"""Tests of engine.run.outputs (atomic, protected, journaled writes) and of the documents' text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine.common.atomic import atomic_write
from engine.common.digest import sha256
from engine.documents.context import build_context
from engine.documents.render import (
    DocProperties,
    document_images,
    document_text,
    make_environment,
    reference_render,
)
from engine.errors import OutputError
from engine.profile.validate import load_profile
from engine.run.manifest import Manifest
from engine.run.outputs import Writer, clean_partials, locked
from engine.run.pipeline import DOCUMENTS, Toolkit, assess_profile, prepare

ROOT = Path(__file__).resolve().parents[2]
INPUTS = sorted((ROOT / "inputs").glob("*.yaml"))
INPUTS_IN: dict[str, str] = {"profile": "sha256:p", "rules": "sha256:r", "templates": "sha256:t"}


def _parts(folder: Path) -> list[Path]:
    return sorted(folder.glob("**/.*.part"))


class TestAtomicWrite:
    def test_replaces_and_leaves_no_temporary_file(self, tmp_path: Path) -> None:
        path = tmp_path / "a.json"
        path.write_bytes(b"old")
        atomic_write(path, b"new")
        assert path.read_bytes() == b"new"
        assert _parts(tmp_path) == []

    def test_a_failed_write_keeps_the_old_file(self, tmp_path: Path) -> None:
        path = tmp_path / "a.json"
        path.write_bytes(b"old")
        with pytest.raises(TypeError):
            atomic_write(path, "not bytes")  # type: ignore[arg-type]
        assert path.read_bytes() == b"old"
        assert _parts(tmp_path) == []

    def test_clean_partials(self, tmp_path: Path) -> None:
        (tmp_path / "c").mkdir()
        (tmp_path / "c" / ".x.docx.1-2.part").write_bytes(b"half")
        (tmp_path / "c" / "x.docx").write_bytes(b"whole")
        clean_partials(tmp_path)
        assert _parts(tmp_path) == []
        assert (tmp_path / "c" / "x.docx").read_bytes() == b"whole"


def _write(out: Path, manifest: Manifest, files: dict[str, bytes], *, force: bool = False
           ) -> tuple[list[str], list[str]]:
    writer = Writer(out, manifest, force=force)
    result = writer.add("client", files, INPUTS_IN, {"source": "c.yaml", "inputs": INPUTS_IN})
    writer.flush()
    return result.written, result.protected


class TestWriter:
    def test_writes_and_records_sha256_and_inputs(self, tmp_path: Path) -> None:
        manifest = Manifest()
        written, protected = _write(tmp_path, manifest, {"a.docx": b"A", "b.json": b"B"})
        assert (written, protected) == (["client/a.docx", "client/b.json"], [])
        assert (tmp_path / "client" / "a.docx").read_bytes() == b"A"
        assert manifest.files["client/a.docx"] == {"sha256": sha256(b"A"), "inputs": INPUTS_IN}
        assert manifest.clients["client"]["source"] == "c.yaml"

    def test_hand_edited_file_is_kept_unless_forced(self, tmp_path: Path) -> None:
        manifest = Manifest()
        _write(tmp_path, manifest, {"a.docx": b"A"})
        (tmp_path / "client" / "a.docx").write_bytes(b"edited by hand")
        written, protected = _write(tmp_path, manifest, {"a.docx": b"A2"})
        assert (written, protected) == ([], ["client/a.docx"])
        assert (tmp_path / "client" / "a.docx").read_bytes() == b"edited by hand"
        written, protected = _write(tmp_path, manifest, {"a.docx": b"A2"}, force=True)
        assert (written, protected) == (["client/a.docx"], [])
        assert (tmp_path / "client" / "a.docx").read_bytes() == b"A2"

    def test_our_previous_file_is_replaced(self, tmp_path: Path) -> None:
        manifest = Manifest()
        _write(tmp_path, manifest, {"a.docx": b"A"})
        assert _write(tmp_path, manifest, {"a.docx": b"A2"}) == (["client/a.docx"], [])

    def test_identical_file_is_not_rewritten(self, tmp_path: Path) -> None:
        manifest = Manifest()
        _write(tmp_path, manifest, {"a.docx": b"A"})
        before = (tmp_path / "client" / "a.docx").stat().st_mtime_ns
        assert _write(tmp_path, manifest, {"a.docx": b"A"}) == ([], [])
        assert (tmp_path / "client" / "a.docx").stat().st_mtime_ns == before

    def test_unknown_existing_file_is_protected(self, tmp_path: Path) -> None:
        """Without a manifest record, a differing file may be someone's work: keep it."""
        (tmp_path / "client").mkdir()
        (tmp_path / "client" / "a.docx").write_bytes(b"someone's file")
        assert _write(tmp_path, Manifest(), {"a.docx": b"A"}) == ([], ["client/a.docx"])

    def test_discard_leaves_nothing_behind(self, tmp_path: Path) -> None:
        writer = Writer(tmp_path, Manifest(), force=False)
        writer.add("client", {"a.docx": b"A"}, INPUTS_IN)
        assert _parts(tmp_path)
        writer.discard()
        assert _parts(tmp_path) == []
        assert not (tmp_path / "client" / "a.docx").exists()

    def test_symlinked_client_folder_is_refused(self, tmp_path: Path) -> None:
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "client").symlink_to(tmp_path / "elsewhere")
        with pytest.raises(OutputError, match="symbolic link"):
            _write(tmp_path, Manifest(), {"a.docx": b"A"})


def test_one_run_at_a_time(tmp_path: Path) -> None:
    with locked(tmp_path), pytest.raises(OutputError, match="another iapme run"), \
            locked(tmp_path):
        pass
    with locked(tmp_path):  # released
        pass


@pytest.fixture(scope="module")
def toolkit() -> Toolkit:
    return prepare(ROOT / "rules", ROOT / "doc_templates")


@pytest.mark.parametrize("path", INPUTS, ids=[p.stem for p in INPUTS])
def test_documents_read_exactly_like_docxtpl(path: Path, toolkit: Toolkit) -> None:
    """Every sample profile, every template: the fast renderer's text is docxtpl's text."""
    assessment = assess_profile(load_profile(path), toolkit.rulebase, dt.date(2026, 11, 26))
    context = build_context(assessment, toolkit.rulebase.texts)
    props = DocProperties(title="Titre", subject="Sujet", author="Cabinet",
                          created=dt.date(2026, 11, 26))
    env = make_environment()
    for name in DOCUMENTS:
        fast = toolkit.templates[name].render(context, props)
        naive = reference_render(ROOT / "doc_templates" / name, context, props, env)
        assert document_text(fast) == document_text(naive), name
        assert document_images(fast) == document_images(naive), name
