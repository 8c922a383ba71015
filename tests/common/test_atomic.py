"""Tests of engine.common.atomic: a reader sees the old file or the new one, a link is replaced
and never followed, and no temporary file outlives a write, on a real folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.common.atomic import (
    atomic_write,
    is_part_of,
    is_work_dir,
    part_name,
    work_dir_name,
)
from engine.errors import OutputError


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if is_part_of(p.name))


class TestAtomicWrite:
    def test_writes_the_bytes_and_leaves_no_part_file(self, tmp_path: Path) -> None:
        target = tmp_path / "charte-ia.docx"
        atomic_write(target, b"first")
        atomic_write(target, b"second, longer")
        assert target.read_bytes() == b"second, longer"
        assert [p.name for p in tmp_path.iterdir()] == ["charte-ia.docx"]

    def test_an_empty_file(self, tmp_path: Path) -> None:
        atomic_write(tmp_path / "empty", b"")
        assert (tmp_path / "empty").read_bytes() == b""

    def test_a_large_file_is_written_whole(self, tmp_path: Path) -> None:
        data = os.urandom(3 * 2**20 + 17)  # more than one write() may take
        atomic_write(tmp_path / "big.bin", data)
        assert (tmp_path / "big.bin").read_bytes() == data

    def test_a_link_at_the_path_is_replaced_not_followed(self, tmp_path: Path) -> None:
        outside = tmp_path / "outside.txt"
        outside.write_bytes(b"not yours")
        out = tmp_path / "out"
        out.mkdir()
        (out / "assessment.json").symlink_to(outside)
        atomic_write(out / "assessment.json", b"{}")
        assert outside.read_bytes() == b"not yours"
        assert not (out / "assessment.json").is_symlink()
        assert (out / "assessment.json").read_bytes() == b"{}"

    def test_relative_to_an_open_folder(self, tmp_path: Path) -> None:
        dir_fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            atomic_write(Path("summary.csv"), b"a;b\n", dir_fd=dir_fd)
        finally:
            os.close(dir_fd)
        assert (tmp_path / "summary.csv").read_bytes() == b"a;b\n"
        assert _leftovers(tmp_path) == []

    def test_no_folder_is_a_located_output_error(self, tmp_path: Path) -> None:
        target = tmp_path / "absent" / "charte-ia.docx"
        with pytest.raises(OutputError) as caught:
            atomic_write(target, b"x")
        assert str(caught.value) == f"{target}: cannot write: No such file or directory"

    def test_a_failed_rename_removes_its_part_file_and_keeps_the_old(self, tmp_path: Path
                                                                     ) -> None:
        """The bytes are written, then the rename fails (a folder holds the name): the folder
        is left as it was and the temporary file is removed."""
        taken = tmp_path / "rapport-audit.docx"
        taken.mkdir()
        (taken / "kept").write_bytes(b"old")
        with pytest.raises(OutputError, match=r"rapport-audit\.docx: cannot write: "):
            atomic_write(taken, b"new")
        assert (taken / "kept").read_bytes() == b"old"
        assert _leftovers(tmp_path) == []


class TestNames:
    def test_a_part_name_is_recognised_for_its_file_only(self) -> None:
        name = part_name("charte-ia.docx")
        assert name.startswith(".charte-ia.docx.")
        assert name.endswith(".part")
        assert is_part_of(name)
        assert is_part_of(name, {"charte-ia.docx", "brief-dsi.docx"})
        assert not is_part_of(name, {"brief-dsi.docx"})

    def test_each_part_name_is_new(self) -> None:
        assert len({part_name("a") for _ in range(50)}) == 50

    @pytest.mark.parametrize("name", [
        ".notes.part", "charte-ia.docx.12-3.part", ".a.docx.12-3.part~", ".a.docx.x-3.part",
        ".a.docx.12.part",
    ])
    def test_a_user_file_is_never_taken_for_a_leftover(self, name: str) -> None:
        assert not is_part_of(name)

    def test_work_folders(self) -> None:
        assert is_work_dir(work_dir_name())
        assert work_dir_name() != work_dir_name()
        for name in ("iapme-work-1-2", ".iapme-work-1", ".iapme-work-1-2-old", ".iapme-work"):
            assert not is_work_dir(name), name
