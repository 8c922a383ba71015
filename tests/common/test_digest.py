"""Tests of engine.common.digest: the same bytes give the same digest everywhere; names and
bytes both count; hidden files do not; a link or a pipe is never read."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from engine.common.digest import digest_files, file_sha256, sha256, short, tree_digest
from engine.common.files import UnsafeFileError

EMPTY = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


class TestBytesAndFiles:
    def test_sha256_is_the_standard_digest(self) -> None:
        assert sha256(b"") == EMPTY
        assert sha256(b"charte") == "sha256:" + hashlib.sha256(b"charte").hexdigest()

    def test_a_file_digests_as_its_bytes(self, tmp_path: Path) -> None:
        data = os.urandom(3 * 2**20 + 5)  # read in several chunks
        (tmp_path / "doc.docx").write_bytes(data)
        assert file_sha256(tmp_path / "doc.docx") == sha256(data)
        assert file_sha256(str(tmp_path / "doc.docx")) == sha256(data)

    def test_nothing_there_is_none(self, tmp_path: Path) -> None:
        assert file_sha256(tmp_path / "absent.pdf") is None

    def test_a_link_or_a_pipe_is_refused(self, tmp_path: Path) -> None:
        (tmp_path / "real").write_bytes(b"x")
        (tmp_path / "link").symlink_to(tmp_path / "real")
        os.mkfifo(tmp_path / "pipe")
        with pytest.raises(UnsafeFileError, match="symbolic link"):
            file_sha256(tmp_path / "link")
        with pytest.raises(UnsafeFileError, match="named pipe"):
            file_sha256(tmp_path / "pipe")

    def test_larger_than_the_limit(self, tmp_path: Path) -> None:
        (tmp_path / "big").write_bytes(b"x" * 101)
        assert file_sha256(tmp_path / "big", max_bytes=101) == sha256(b"x" * 101)
        with pytest.raises(UnsafeFileError) as caught:
            file_sha256(tmp_path / "big", max_bytes=100)
        assert caught.value.kind == "large"

    def test_short(self) -> None:
        assert short(EMPTY) == "e3b0c44298fc"
        assert short(EMPTY, 4) == "e3b0"


class TestSetsOfFiles:
    def test_stable_and_independent_of_order_and_root(self, tmp_path: Path) -> None:
        one = _tree(tmp_path / "one", {"a.yaml": b"1", "sub/b.yaml": b"2"})
        two = _tree(tmp_path / "two", {"sub/b.yaml": b"2", "a.yaml": b"1"})
        files = [one / "a.yaml", one / "sub/b.yaml"]
        assert digest_files(files, one) == digest_files(list(reversed(files)), one)
        assert digest_files(files, one) == digest_files(
            [two / "sub/b.yaml", two / "a.yaml"], two)
        assert tree_digest(one) == tree_digest(two) == digest_files(files, one)

    def test_names_and_bytes_both_count(self, tmp_path: Path) -> None:
        base = tree_digest(_tree(tmp_path / "base", {"a": b"bc"}))
        assert tree_digest(_tree(tmp_path / "renamed", {"b": b"bc"})) != base
        assert tree_digest(_tree(tmp_path / "edited", {"a": b"bd"})) != base
        # a name and its bytes cannot trade characters: 'a' + 'bc' is not 'ab' + 'c'
        assert tree_digest(_tree(tmp_path / "shifted", {"ab": b"c"})) != base

    def test_hidden_files_and_folders_do_not_count(self, tmp_path: Path) -> None:
        root = _tree(tmp_path / "rules", {"ai_act/a.yaml": b"rules: []\n"})
        before = tree_digest(root)
        _tree(root, {".a.yaml.swp": b"editor", ".git/HEAD": b"ref",
                     "ai_act/.~lock.a.yaml#": b"lock"})
        assert tree_digest(root) == before
        _tree(root, {"ai_act/b.yaml": b"rules: []\n"})
        assert tree_digest(root) != before

    def test_the_pattern_chooses_the_files(self, tmp_path: Path) -> None:
        root = _tree(tmp_path / "t", {"charte-ia.docx": b"d", "notes.txt": b"n"})
        only_docx = tree_digest(root, "*.docx")
        (root / "notes.txt").write_bytes(b"changed")
        assert tree_digest(root, "*.docx") == only_docx
        assert only_docx == digest_files([root / "charte-ia.docx"], root)
