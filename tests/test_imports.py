"""durable_rules lives behind one adapter: nothing outside engine/rules/durable imports it."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "engine"
ADAPTER = ENGINE / "rules" / "durable"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_only_the_adapter_imports_durable() -> None:
    offenders = {
        str(path.relative_to(ENGINE)): sorted(n for n in _imports(path)
                                              if n.split(".")[0].startswith("durable"))
        for path in ENGINE.rglob("*.py") if ADAPTER not in path.parents}
    assert {k: v for k, v in offenders.items() if v} == {}
    text = "\n".join(p.read_text(encoding="utf-8") for p in ENGINE.rglob("*.py")
                     if ADAPTER not in p.parents)
    assert "durable_rules_engine" not in text
    assert "import durable" not in text


def test_the_adapter_does_import_it() -> None:
    assert any(n.split(".")[0].startswith("durable") for p in ADAPTER.rglob("*.py")
               for n in _imports(p))
