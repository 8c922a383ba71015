"""Tests of engine.common.zipio: bounded reads of archives someone else made."""

from __future__ import annotations

import pytest

from engine.common.zipio import ZipLimits, ZipRefusedError, build_zip, read_zip


class TestReadZip:
    def test_entries_total_and_count(self) -> None:
        data = build_zip([(f"p{n}.xml", b"<a/>" * 100) for n in range(5)])
        assert len(read_zip(data, ZipLimits())) == 5
        with pytest.raises(ZipRefusedError, match="5 entries; the limit is 4"):
            read_zip(data, ZipLimits(entries=4))
        with pytest.raises(ZipRefusedError, match="more than 1,000 bytes in all"):
            read_zip(data, ZipLimits(total_bytes=1000))
        with pytest.raises(ZipRefusedError, match="damaged"):
            read_zip(data[:-30], ZipLimits())
