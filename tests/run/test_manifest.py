"""Tests of engine.run.manifest: the record of what was written, and when a client is current;
with the journal a killed run leaves (engine.run.journal) and what a record may hold and how
the files it names are read back (engine.run.records)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from engine.common.digest import sha256
from engine.common.files import UnsafeFileError
from engine.run.journal import JOURNAL
from engine.run.manifest import (
    MANIFEST,
    Manifest,
    edited_files,
    input_digests,
    is_current,
    tree_digest,
)
from engine.run.outputs import Writer
from engine.run.records import client_record, disk_bytes, disk_sha256, file_entry, file_key

HOME_OF = ("engine.run.journal", "engine.run.records")

ROOT = Path(__file__).resolve().parents[2]
INPUTS_IN = {"profile": "sha256:p", "rules": "sha256:r", "templates": "sha256:t"}
TODAY = dt.date(2026, 11, 26)


def _write(out: Path, manifest: Manifest, files: dict[str, bytes], *, force: bool = False
           ) -> tuple[list[str], list[str]]:
    writer = Writer(out, manifest, force=force)
    result = writer.add("client", files, INPUTS_IN, {"source": "c.yaml", "inputs": INPUTS_IN})
    writer.flush()
    return result.written, result.protected


class TestManifest:
    def test_round_trip(self, tmp_path: Path) -> None:
        manifest = Manifest()
        _write(tmp_path, manifest, {"a.docx": b"A"})
        manifest.save(tmp_path)
        loaded = Manifest.load(tmp_path)
        assert (loaded.files, loaded.clients, loaded.warnings) == (
            manifest.files, manifest.clients, [])
        assert not (tmp_path / JOURNAL).exists()
        assert loaded.by_source() == {("c.yaml", "sha256:p"): "client"}

    @pytest.mark.parametrize("text", ["{bad json", "[1, 2]", '{"files": 3}', "\x00\xff"])
    def test_damaged_manifest_counts_as_absent_and_is_reported(self, tmp_path: Path,
                                                               text: str) -> None:
        (tmp_path / MANIFEST).write_text(text, encoding="latin-1")
        manifest = Manifest.load(tmp_path)
        assert manifest.files == {}
        assert manifest.warnings
        assert "treated as absent" in manifest.warnings[0]

    def test_journal_of_a_killed_run_is_replayed(self, tmp_path: Path) -> None:
        """Files journaled but manifest not saved: the journal tells they are ours; the
        digest a file replaced stays ours while the file still holds it (rename never ran)."""
        manifest = Manifest()
        _write(tmp_path, manifest, {"a.docx": b"A"})
        manifest.save(tmp_path)
        saved = (tmp_path / MANIFEST).read_bytes()
        _write(tmp_path, Manifest.load(tmp_path), {"a.docx": b"A2"})  # killed before save()
        assert (tmp_path / MANIFEST).read_bytes() == saved
        (tmp_path / "client" / "a.docx").write_bytes(b"A")  # as if the rename never ran
        replayed = Manifest.load(tmp_path)
        assert replayed.recorded("client/a.docx") == sha256(b"A2")
        assert replayed.is_ours("client/a.docx", sha256(b"A"))
        assert edited_files(replayed, tmp_path, ["client/a.docx"]) == ([], True)  # rebuild
        replayed.save(tmp_path)  # by a run that did not include this client
        assert Manifest.load(tmp_path).is_ours("client/a.docx", sha256(b"A"))
        (tmp_path / "client" / "a.docx").write_bytes(b"by hand")
        assert edited_files(replayed, tmp_path, ["client/a.docx"]) == (["client/a.docx"], False)
        _write(tmp_path, Manifest.load(tmp_path), {"a.docx": b"A3"}, force=True)
        with (tmp_path / JOURNAL).open("ab") as journal:
            journal.write(b'{"client": "x", "rec')  # a line cut short by the kill
        assert Manifest.load(tmp_path).recorded("client/a.docx") == sha256(b"A3")

    def test_a_replaced_digest_is_forgotten_once_the_rename_is_seen(self, tmp_path: Path
                                                                    ) -> None:
        """The rename did run: the old bytes are no longer ours (a copy restored later is a
        hand edit), and the manifest saved is the one a clean run writes."""
        manifest = Manifest()
        _write(tmp_path, manifest, {"a.docx": b"A"})
        manifest.save(tmp_path)
        _write(tmp_path, Manifest.load(tmp_path), {"a.docx": b"A2"})  # killed before save()
        replayed = Manifest.load(tmp_path)
        assert not replayed.is_ours("client/a.docx", sha256(b"A"))
        replayed.save(tmp_path)
        assert "previous" not in (tmp_path / MANIFEST).read_text(encoding="utf-8")
        (tmp_path / "client" / "a.docx").write_bytes(b"A")  # restored on purpose
        assert edited_files(Manifest.load(tmp_path), tmp_path, ["client/a.docx"]) == (
            ["client/a.docx"], False)


def test_manifest_is_plain_json(tmp_path: Path) -> None:
    manifest = Manifest()
    _write(tmp_path, manifest, {"a.docx": b"A"})
    manifest.save(tmp_path)
    data = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert data["version"] == 2
    assert set(data) == {"version", "clients", "files"}


def _record(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "source": "c.yaml", "profile_date": "2026-11-02", "files": ["charte-ia.docx"],
        "inputs": {"profile": "sha256:p", "rules": "sha256:r", "as_of": "2026-11-02"},
        "summary": {"client_id": "client", "as_of": "2026-11-02", "use_cases": 2, "roi": 1.5},
    }
    record.update(changes)
    return record


COMMON = {"rules": "sha256:r"}


class TestIsCurrent:
    def test_same_inputs_and_profile_date(self) -> None:
        assert is_current("client", _record(), "sha256:p", COMMON, None, TODAY)

    @pytest.mark.parametrize(("as_of", "current"), [(dt.date(2026, 11, 2), True),
                                                   (dt.date(2026, 11, 3), False)])
    def test_the_as_of_option_wins(self, as_of: dt.date, current: bool) -> None:
        assert is_current("client", _record(), "sha256:p", COMMON, as_of, TODAY) is current

    def test_without_a_profile_date_today_counts(self) -> None:
        record = _record(profile_date=None)
        assert not is_current("client", record, "sha256:p", COMMON, None, TODAY)
        record["inputs"]["as_of"] = TODAY.isoformat()
        assert is_current("client", record, "sha256:p", COMMON, None, TODAY)

    def test_other_profile_or_rules(self) -> None:
        assert not is_current("client", _record(), "sha256:other", COMMON, None, TODAY)
        assert not is_current("client", _record(), "sha256:p", {"rules": "sha256:new"}, None,
                              TODAY)

    @pytest.mark.parametrize("record", [
        None, [], _record(inputs="x"), _record(files=["../../etc/passwd"]),
        _record(files="charte-ia.docx"), _record(summary={"as_of": "2026-11-02", "x": {}}),
    ], ids=["none", "list", "inputs", "path", "files", "summary"])
    def test_records_we_could_not_have_written_are_not_trusted(self, record: object) -> None:
        assert not is_current("client", record, "sha256:p", COMMON, None, TODAY)

    def test_odd_client_id_is_not_trusted(self) -> None:
        assert not is_current("../x", _record(), "sha256:p", COMMON, None, TODAY)


def test_input_digests_follow_rules_templates_and_code(tmp_path: Path) -> None:
    rules, templates = tmp_path / "rules", tmp_path / "templates"
    (rules / "sub").mkdir(parents=True)
    templates.mkdir()
    (rules / "sub" / "a.yaml").write_text("a", encoding="utf-8")
    (templates / "t.docx").write_bytes(b"t")
    first = input_digests(rules, templates)
    assert set(first) == {"rules", "templates", "engine"}
    assert input_digests(rules, templates) == first
    (rules / ".hidden.swp").write_text("editor file", encoding="utf-8")
    assert input_digests(rules, templates) == first
    (rules / "sub" / "a.yaml").write_text("b", encoding="utf-8")
    assert input_digests(rules, templates)["rules"] != first["rules"]
    assert tree_digest(ROOT / "engine", "*.py") != tree_digest(ROOT / "tests", "*.py")


class TestRecords:
    """engine.run.records: a manifest is a file in the user's folder; nothing in it may lead a
    run elsewhere, and the files it names are read without following a link."""

    @pytest.mark.parametrize(("key", "ok"), [
        ("summary.csv", True), ("client-1/charte-ia.docx", True), ("../x", False),
        ("a/b/c.docx", False), ("Client/x.docx", False), ("/etc/passwd", False),
        ("client/..", False), ("client/", False), ("", False), (3, False),
        ("client\\x.docx", False),
    ])
    def test_file_keys(self, key: object, ok: bool) -> None:
        assert file_key(key) is ok

    def test_a_record_keeps_what_this_tool_writes_only(self) -> None:
        record = {**_record(), "command": "rm -rf /"}
        assert client_record("client", record) == _record()
        assert client_record("client", {"source": "c.yaml", "inputs": {}}) == {
            "source": "c.yaml", "inputs": {}}
        assert client_record("client", _record(profile_date=20261102)) is None
        assert client_record("client", _record(inputs={"rules": ["nested"]})) is None

    def test_a_file_entry(self) -> None:
        entry = {"sha256": "sha256:a", "inputs": {"docx": "sha256:b"}, "extra": 1}
        assert file_entry(entry) == {"sha256": "sha256:a", "inputs": {"docx": "sha256:b"}}
        assert file_entry({"sha256": 1, "inputs": {}}) is None
        assert file_entry({"sha256": "sha256:a"}) is None

    def test_reading_back_never_follows_a_link(self, tmp_path: Path) -> None:
        out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
        (out / "client").mkdir(parents=True)
        elsewhere.mkdir()
        (elsewhere / "a.docx").write_bytes(b"not ours")
        (out / "client" / "a.docx").write_bytes(b"A")
        assert disk_sha256(out, "client/a.docx") == sha256(b"A")
        assert disk_bytes(out, "client/a.docx", 10) == b"A"
        assert disk_sha256(out, "client/absent.docx") is None
        assert disk_sha256(out, "gone/a.docx") is None
        (out / "client" / "b.docx").symlink_to(elsewhere / "a.docx")
        (out / "linked").symlink_to(elsewhere)
        with pytest.raises(UnsafeFileError, match="symbolic link"):
            disk_sha256(out, "client/b.docx")
        with pytest.raises(UnsafeFileError, match="symbolic link"):
            disk_sha256(out, "linked/a.docx")
        with pytest.raises(FileNotFoundError, match="the client folder is missing"):
            disk_bytes(out, "linked/a.docx", 10)
        with pytest.raises(UnsafeFileError):
            disk_bytes(out, "client/a.docx", 0)  # larger than the limit
