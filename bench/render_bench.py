"""Time the fast renderer against plain docxtpl on the sample template.

Usage: ``python bench/render_bench.py [N] [ROUNDS]`` (default 200 documents, 3 rounds per
approach; the median round counts). Prints ``ms_per_document_fast``, ``ms_per_document_naive``
and their ``ratio``.
"""

from __future__ import annotations

import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.documents.render import PreparedTemplate, make_environment, reference_render
from tests.documents.sample import SAMPLE_PROPS, build_sample_template, sample_context


def per_document_ms(n: int, rounds: int, render: Callable[[int], bytes]) -> float:
    render(0)  # warm-up: imports, caches
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for i in range(n):
            render(i)
            if i % 50 == 49:
                gc.collect()  # docxtpl's lxml trees are cyclic garbage (dependencies.md)
        times.append((time.perf_counter() - start) * 1000 / n)
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    env = make_environment()
    with tempfile.TemporaryDirectory() as tmp:
        path = build_sample_template(Path(tmp) / "bench.docx")
        contexts = [sample_context(n_rows=10, client_name=f"Client {i}") for i in range(n)]
        prepared = PreparedTemplate.load(path, env)
        fast = per_document_ms(n, rounds, lambda i: prepared.render(contexts[i], SAMPLE_PROPS))
        naive = per_document_ms(
            n, rounds, lambda i: reference_render(path, contexts[i], SAMPLE_PROPS, env)
        )
    print(f"documents: {n} x {rounds} rounds (median)")
    print(f"ms_per_document_fast: {fast:.2f}")
    print(f"ms_per_document_naive: {naive:.2f}")
    print(f"ratio: {naive / fast:.1f}")


if __name__ == "__main__":
    main()
