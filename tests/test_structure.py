"""The tests mirror the packages: every module of engine/ has a test home (issue 11).

A module ``engine/<pkg>/<mod>.py`` (``__init__`` and ``__main__`` aside) has a home when

* ``tests/<pkg>/test_<mod>.py`` exists (``engine/errors.py``: ``tests/test_errors.py``;
  ``engine/rules/durable/x.py``: ``tests/rules/durable/test_x.py``), or
* a test file in ``tests/<pkg>/`` names it in a module-level tuple
  ``HOME_OF = ("engine.<pkg>.<mod>", ...)`` *and* imports it (``import engine.pkg.mod``,
  ``from engine.pkg import mod``, ``from engine.pkg.mod import name``, or a name defined in it
  that its package re-exports). Ruff's unused-import check then makes sure what is imported is
  used, so a declaration cannot be empty words.

Files are read with ``ast``: nothing is imported to check the layout.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOW = (
    "Give each one a home: write tests/<pkg>/test_<mod>.py, or, when a test file in "
    "tests/<pkg>/ already exercises it, add HOME_OF = (\"engine.<pkg>.<mod>\",) at the top of "
    "that file and import from the module there (see tests/test_structure.py)."
)


def modules(root: Path) -> dict[str, Path]:
    """``engine.pkg.mod`` -> its file, for every module of ``root/engine`` (packages' own
    ``__init__`` and ``__main__`` aside)."""
    found = {}
    for path in sorted((root / "engine").rglob("*.py")):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        parts = path.relative_to(root).with_suffix("").parts
        found[".".join(parts)] = path
    return found


def mirror(root: Path, module: str) -> Path:
    """The test home named after ``module``: ``engine.a.b`` -> ``tests/a/test_b.py``."""
    *package, name = module.split(".")[1:]
    return root.joinpath("tests", *package, f"test_{name}.py")


def top_level_names(path: Path) -> set[str]:
    """The names a module defines at its top level (functions, classes, assignments)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def declared(tree: ast.Module) -> tuple[str, ...] | None:
    """The module-level ``HOME_OF`` tuple of a test file (None: no such assignment).

    Raises:
        ValueError: ``HOME_OF`` is not a tuple of plain strings.
    """
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if not any(isinstance(t, ast.Name) and t.id == "HOME_OF" for t in targets):
            continue
        items = value.elts if isinstance(value, ast.Tuple) else []
        names = [e.value for e in items
                 if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        if not names or len(names) != len(items):
            raise ValueError("must be a tuple of module names, e.g. "
                             'HOME_OF = ("engine.run.pdfs",)')
        return tuple(names)
    return None


def imports_module(tree: ast.Module, module: str, defined: set[str]) -> bool:
    """Whether a test file imports ``module``, or a name ``module`` defines through one of its
    parent packages (a re-export)."""
    parent, _, name = module.rpartition(".")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name == module or a.name.startswith(module + ".") for a in node.names):
                return True
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == module:
                return True
            if node.module == parent and any(a.name == name for a in node.names):
                return True
            if module.startswith(node.module + ".") and any(
                    a.name in defined for a in node.names):
                return True
    return False


def declarations(root: Path, known: dict[str, Path]) -> Iterator[tuple[Path, str, str | None]]:
    """``(test file, module, problem)`` for every module a ``HOME_OF`` names (problem None:
    the declaration holds)."""
    for path in sorted((root / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        try:
            names = declared(tree)
        except ValueError as exc:
            yield path, "HOME_OF", str(exc)
            continue
        for module in names or ():
            if module not in known:
                yield path, module, "no such module in engine/"
            elif path.parent != mirror(root, module).parent:
                folder = mirror(root, module).parent.relative_to(root)
                yield path, module, (f"declared outside {folder}/, the folder mirroring "
                                     "its package")
            elif not imports_module(tree, module, top_level_names(known[module])):
                yield path, module, ("declared but not imported (import the module, or a name "
                                     "it defines, and use it)")
            else:
                yield path, module, None


def homeless(root: Path) -> tuple[list[str], list[str]]:
    """The modules without a test home, and the ``HOME_OF`` declarations that do not hold."""
    known = modules(root)
    homes = {m for m in known if mirror(root, m).is_file()}
    broken = []
    for path, module, problem in declarations(root, known):
        if problem is None:
            homes.add(module)
        else:
            broken.append(f"{path.relative_to(root)}: {module}: {problem}")
    missing = [f"{m} ({known[m].relative_to(root)}): no {mirror(root, m).relative_to(root)}"
               for m in sorted(set(known) - homes)]
    return missing, broken


def test_every_module_has_a_test_home() -> None:
    missing, broken = homeless(ROOT)
    assert not broken, "HOME_OF declarations that do not hold:\n" + "\n".join(broken)
    assert not missing, ("modules without a test home:\n" + "\n".join(missing) + "\n" + HOW)


class TestTheCheckItself:
    """The rule on a small tree of its own: what counts as a home, what does not."""

    @pytest.fixture
    def tree(self, tmp_path: Path) -> Path:
        for name in ("engine/__init__.py", "engine/__main__.py", "engine/errors.py",
                     "engine/pkg/__init__.py", "engine/pkg/named.py", "engine/pkg/declared.py"):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text("def helper() -> None:\n    pass\n", encoding="utf-8")
        (tmp_path / "tests" / "pkg").mkdir(parents=True)
        (tmp_path / "tests" / "test_errors.py").write_text("", encoding="utf-8")
        (tmp_path / "tests" / "pkg" / "test_named.py").write_text("", encoding="utf-8")
        return tmp_path

    def _host(self, tree: Path, text: str, folder: str = "tests/pkg") -> None:
        (tree / folder / "test_other.py").write_text(text, encoding="utf-8")

    def test_a_module_without_a_home_is_listed_with_the_file_to_write(self, tree: Path) -> None:
        missing, broken = homeless(tree)
        assert missing == ["engine.pkg.declared (engine/pkg/declared.py): "
                           "no tests/pkg/test_declared.py"]
        assert broken == []

    @pytest.mark.parametrize("imports", [
        "import engine.pkg.declared",
        "from engine.pkg import declared",
        "from engine.pkg.declared import helper",
        "from engine.pkg import helper",  # re-exported by the package
    ])
    def test_a_declaration_with_an_import_is_a_home(self, tree: Path, imports: str) -> None:
        self._host(tree, f'{imports}\n\nHOME_OF = ("engine.pkg.declared",)\n')
        assert homeless(tree) == ([], [])

    def test_a_declaration_without_an_import_is_not(self, tree: Path) -> None:
        self._host(tree, 'import engine.pkg.named\n\nHOME_OF = ("engine.pkg.declared",)\n')
        missing, broken = homeless(tree)
        assert [m.split()[0] for m in missing] == ["engine.pkg.declared"]
        assert broken == ["tests/pkg/test_other.py: engine.pkg.declared: declared but not "
                          "imported (import the module, or a name it defines, and use it)"]

    @pytest.mark.parametrize(("text", "folder", "problem"), [
        ('HOME_OF = ("engine.pkg.gone",)\n', "tests/pkg",
         "engine.pkg.gone: no such module in engine/"),
        ('HOME_OF = "engine.pkg.declared"\n', "tests/pkg",
         "HOME_OF: must be a tuple of module names"),
        ('from engine.pkg import declared\n\nHOME_OF = ("engine.pkg.declared",)\n', "tests",
         "engine.pkg.declared: declared outside tests/pkg/"),
    ])
    def test_a_wrong_declaration_is_reported(self, tree: Path, text: str, folder: str,
                                             problem: str) -> None:
        self._host(tree, text, folder)
        _, broken = homeless(tree)
        assert len(broken) == 1
        assert problem in broken[0]
