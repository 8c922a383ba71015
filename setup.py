"""Ships rules/ and doc_templates/ inside the package (engine/shipped_rules,
engine/shipped_templates) so that an installed iapme works from any folder.

Everything else is declared in pyproject.toml; this file only adds that copy to ``build_py``.
An editable install (``pip install -e .``) needs no copy: it finds the checkout's folders.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = {"rules": "shipped_rules", "doc_templates": "shipped_templates"}
# The templates' text snapshots (doc_templates/snapshots/) are a review aid of the repository.


class BuildWithShippedFolders(build_py):
    """``build_py`` that also copies the shipped rule base and templates into the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for source, name in SHIPPED.items():
            target = Path(self.build_lib) / "engine" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ROOT / source, target,
                            ignore=shutil.ignore_patterns(".*", "__pycache__", "~$*", "snapshots"))


setup(cmdclass={"build_py": BuildWithShippedFolders})
