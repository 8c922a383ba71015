"""Tests of engine.common.files: reads that never follow a link, block on a pipe, read a device
or a huge file, on real files of each kind (links, pipes, sockets, devices), no mocks."""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.common.files import (
    UnsafeFileError,
    lstat_or_none,
    open_regular,
    over_limit,
    read_regular,
    size_text,
)


def _open_fds() -> set[str]:
    return {p.name for p in Path("/proc/self/fd").iterdir()}


@pytest.fixture
def no_fd_leak() -> Iterator[None]:
    """Every refusal closes the descriptor it opened."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc/self/fd")
    before = _open_fds()
    yield
    assert _open_fds() <= before


def _refusal_of_pipe(path: Path, *, follow_links: bool = False) -> UnsafeFileError:
    """The refusal to read the named pipe at ``path``, read in a thread: should the read block
    (nobody writes to the pipe), the test opens the pipe's other end to release it and fails."""
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            read_regular(path, 1000, follow_links=follow_links)
        except BaseException as exc:  # handed to the test's thread
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():
        with contextlib.suppress(OSError):
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(10)
        pytest.fail("reading a named pipe blocked")
    assert len(outcome) == 1
    assert isinstance(outcome[0], UnsafeFileError), outcome
    return outcome[0]


@pytest.fixture
def regular(tmp_path: Path) -> Path:
    path = tmp_path / "profil.yaml"
    path.write_bytes(b"client: {name: Martin}\n")
    return path


class TestRegularFiles:
    def test_reads_the_bytes(self, regular: Path) -> None:
        assert read_regular(regular, 1000) == b"client: {name: Martin}\n"
        assert read_regular(str(regular), 23) == regular.read_bytes()  # exactly at the limit

    def test_open_returns_the_size_and_a_descriptor_to_close(self, regular: Path) -> None:
        fd, size = open_regular(regular, 1000)
        try:
            assert size == 23
            assert os.read(fd, 6) == b"client"
        finally:
            os.close(fd)

    def test_missing_is_file_not_found_not_unsafe(self, tmp_path: Path) -> None:
        with pytest.raises(FileNotFoundError) as caught:
            read_regular(tmp_path / "absent.yaml", 1000)
        assert not isinstance(caught.value, UnsafeFileError)

    def test_larger_than_the_limit(self, regular: Path, no_fd_leak: None) -> None:
        with pytest.raises(UnsafeFileError) as caught:
            read_regular(regular, 10)
        assert caught.value.kind == "large"
        assert caught.value.strerror == "the file is 23 bytes; the limit is 10 bytes"

    def test_relative_to_an_open_folder(self, regular: Path) -> None:
        dir_fd = os.open(regular.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            assert read_regular(regular.name, 1000, dir_fd=dir_fd) == regular.read_bytes()
        finally:
            os.close(dir_fd)


class TestRefusals:
    def test_a_symbolic_link_is_not_followed(self, tmp_path: Path, regular: Path,
                                             no_fd_leak: None) -> None:
        link = tmp_path / "link.yaml"
        link.symlink_to(regular)
        with pytest.raises(UnsafeFileError) as caught:
            read_regular(link, 1000)
        assert caught.value.kind == "a symbolic link"
        assert caught.value.strerror == "is a symbolic link, not a regular file"
        assert caught.value.filename == str(link)
        assert read_regular(link, 1000, follow_links=True) == regular.read_bytes()

    def test_a_link_in_an_open_folder_is_not_followed(self, tmp_path: Path,
                                                      regular: Path) -> None:
        (tmp_path / "link.yaml").symlink_to(regular)
        dir_fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            with pytest.raises(UnsafeFileError, match="symbolic link"):
                read_regular("link.yaml", 1000, dir_fd=dir_fd)
        finally:
            os.close(dir_fd)

    def test_a_named_pipe_is_refused_without_blocking(self, tmp_path: Path,
                                                      no_fd_leak: None) -> None:
        """Nobody writes to the pipe: a blocking open would wait forever."""
        fifo = tmp_path / "profil.yaml"
        os.mkfifo(fifo)
        refused = _refusal_of_pipe(fifo)
        assert refused.kind == "a named pipe"
        assert refused.strerror == "is a named pipe, not a regular file"

    def test_a_link_to_a_pipe_is_refused_even_when_followed(self, tmp_path: Path) -> None:
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        (tmp_path / "link").symlink_to(fifo)
        assert _refusal_of_pipe(tmp_path / "link", follow_links=True).kind == "a named pipe"

    def test_a_folder(self, tmp_path: Path, no_fd_leak: None) -> None:
        with pytest.raises(UnsafeFileError) as caught:
            read_regular(tmp_path, 1000)
        assert caught.value.kind == "a folder"

    @pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
    def test_a_device_that_never_ends(self, device: str, no_fd_leak: None) -> None:
        if not Path(device).exists():
            pytest.skip(f"no {device}")
        with pytest.raises(UnsafeFileError) as caught:
            read_regular(device, 1000, follow_links=True)
        assert caught.value.kind == "a device"

    def test_a_socket(self, tmp_path: Path) -> None:
        path = tmp_path / "s"
        if len(str(path)) > 100:
            pytest.skip("the folder's path is too long for a socket")
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(path))
            with pytest.raises(UnsafeFileError) as caught:
                read_regular(path, 1000)
        assert caught.value.kind == "a socket"

    def test_a_refusal_is_an_os_error(self, tmp_path: Path) -> None:
        """So every caller that locates OS errors handles a refusal already."""
        with pytest.raises(OSError, match="not a regular file"):
            read_regular(tmp_path, 1000)


class TestSizes:
    @pytest.mark.parametrize(("size", "text"), [
        (0, "0 bytes"), (999, "999 bytes"), (1000, "1.0 kB"), (2_500_000, "2.5 MB"),
        (3 * 10**9, "3.0 GB"),
    ])
    def test_size_text(self, size: int, text: str) -> None:
        assert size_text(size) == text

    def test_over_limit_is_exact_when_rounding_would_hide_the_difference(self) -> None:
        assert over_limit(3_000_000, 1_000_000) == "the file is 3.0 MB; the limit is 1.0 MB"
        assert over_limit(1_049_999, 1_000_000) == (
            "the file is 1,049,999 bytes; the limit is 1,000,000 bytes (1.0 MB)")


class TestLstat:
    def test_none_when_nothing_is_there(self, tmp_path: Path) -> None:
        assert lstat_or_none(tmp_path / "absent") is None

    def test_a_dangling_link_is_seen_as_a_link(self, tmp_path: Path) -> None:
        link = tmp_path / "link"
        link.symlink_to(tmp_path / "absent")
        info = lstat_or_none(link)
        assert info is not None
        assert stat.S_ISLNK(info.st_mode)
