"""Tests of engine.documents.render: same text as docxtpl, deterministic bytes, sandbox, errors;
and of the zip and package XML it writes (engine.documents.zipwriter)."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from lxml import etree

from engine.documents.render import (
    DocProperties,
    Image,
    PreparedTemplate,
    document_images,
    document_text,
    make_environment,
    reference_render,
)
from engine.documents.zipwriter import (
    append_to_zip,
    build_zip,
    content_types_xml,
    core_xml,
    media_target,
    renumber_shapes,
    scaled_size,
)
from engine.errors import TemplateError
from tests.documents.sample import SAMPLE_PROPS, build_sample_template, sample_context, sample_png

HOME_OF = ("engine.documents.zipwriter",)


@pytest.fixture
def env() -> Any:
    return make_environment()


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return build_sample_template(tmp_path / "rapport.docx")


@pytest.fixture
def prepared(template: Path, env: Any) -> PreparedTemplate:
    return PreparedTemplate.load(template, env)


def _template_with(tmp_path: Path, *paragraphs: str, header: str = "") -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    path = tmp_path / "custom.docx"
    document.save(str(path))
    return path


CONTEXTS: dict[str, dict[str, Any]] = {
    "plain": {},
    "markup characters": {"client_name": "Dupont & Fils <SARL>", "notice": 'a < b > c & "d"'},
    "jinja syntax as values": {
        "summary": "{{ 7*7 }}",
        "notice": "{%p if x %}",
        "items": ["{% endfor %}", "}}", "{#", "{_{ x }_}"],
    },
    "newlines and tabs": {"summary": "ligne 1\nligne 2\n\nligne 4", "notice": "a\tb"},
    "accents and typography": {
        "client_name": "Société Générale — Œuvre « test » l’été",
        "items": ["ÀÉÎÕÜ çñ ß €", "emoji 🙂"],
    },
    "empty loops, condition false": {"show_notice": False, "items": [], "rows": []},
    "many rows": {"rows": [{"name": f"n{i}", "tier": "haut", "date": "x"} for i in range(40)]},
}


class TestSameTextAsDocxtpl:
    @pytest.mark.parametrize("overrides", CONTEXTS.values(), ids=CONTEXTS.keys())
    def test_text_and_images_match_reference(
        self, template: Path, prepared: PreparedTemplate, env: Any, overrides: dict[str, Any]
    ) -> None:
        """The fast path reads back exactly like docxtpl's own rendering."""
        context = sample_context(**overrides)
        fast = prepared.render(context, SAMPLE_PROPS)
        naive = reference_render(template, context, SAMPLE_PROPS, env)
        assert document_text(fast) == document_text(naive)
        assert document_images(fast) == document_images(naive) == 1

    def test_values_stay_literal(self, prepared: PreparedTemplate) -> None:
        """Markup and Jinja syntax inside values are printed, never interpreted or lost."""
        context = sample_context(**CONTEXTS["markup characters"], summary="{{ 7*7 }}")
        text = document_text(prepared.render(context, SAMPLE_PROPS))
        assert "Rapport pour Dupont & Fils <SARL>" in text
        assert "{{ 7*7 }}" in text
        assert "49" not in text
        assert 'Avis : a < b > c & "d"' in text

    def test_layout_of_the_text(self, prepared: PreparedTemplate) -> None:
        """Header first, then body paragraphs and table rows in order, footer last."""
        lines = document_text(prepared.render(sample_context(), SAMPLE_PROPS)).split("\n")
        assert lines[0] == "Boulangerie Lefèvre — rapport confidentiel"
        assert lines[1:4] == [
            "Rapport pour Boulangerie Lefèvre",
            "Client : Boulangerie Lefèvre",
            "Trois cas d'usage évalués.",
        ]
        assert "Cas | Niveau | Date" in lines
        assert "Cas n°3 | limité | 2 août 2026" in lines
        assert lines[-1] == "Généré le 26 novembre 2026 par iapme"
        assert not any("{{" in line or "{%" in line or "None" in line for line in lines)

    def test_newline_becomes_line_break(self, prepared: PreparedTemplate) -> None:
        data = prepared.render(sample_context(summary="un\ndeux"), SAMPLE_PROPS)
        body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
        assert 'un</w:t><w:br/><w:t xml:space="preserve">deux' in body


class TestImages:
    def test_one_image_part_for_a_repeated_image(self, tmp_path: Path, env: Any) -> None:
        path = _template_with(tmp_path, "{{ chart }}", "{{ chart }}", "{{ other }}")
        png = sample_png()
        context = {"chart": Image(png, 50), "other": Image(sample_png(20, 20), 30)}
        data = PreparedTemplate.load(path, env).render(context, SAMPLE_PROPS)
        media = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if "media/" in n]
        assert media == ["word/media/iapme1.png", "word/media/iapme2.png"]
        assert document_images(data) == 3
        shapes = docx.Document(io.BytesIO(data)).inline_shapes
        assert [s.width.mm for s in shapes] == pytest.approx([50, 50, 30], abs=0.01)

    def test_image_in_a_header(self, tmp_path: Path, env: Any) -> None:
        """A header image gets a relationship of the header part, as with docxtpl."""
        path = _template_with(tmp_path, "corps", header="{{ logo }}")
        context = {"logo": Image(sample_png(), 25)}
        fast = PreparedTemplate.load(path, env).render(context, SAMPLE_PROPS)
        naive = reference_render(path, context, SAMPLE_PROPS, env)
        assert document_images(fast) == document_images(naive) == 1
        assert "word/_rels/header1.xml.rels" in zipfile.ZipFile(io.BytesIO(fast)).namelist()
        assert document_text(fast) == document_text(naive)

    def test_images_inside_lists_and_dicts(self, tmp_path: Path, env: Any) -> None:
        path = _template_with(tmp_path, "{%p for uc in cases %}", "{{ uc.chart }}", "{%p endfor %}")
        cases = [{"chart": Image(sample_png(10 + i, 10), 40)} for i in range(3)]
        data = PreparedTemplate.load(path, env).render({"cases": cases}, SAMPLE_PROPS)
        assert document_images(data) == 3

    def test_repeated_static_picture_gets_unique_shape_ids(self, tmp_path: Path, env: Any) -> None:
        """A ``{%p for %}`` copying a paragraph with a picture renumbers the copies' ids."""
        document = docx.Document()
        document.add_paragraph("{%p for i in range(3) %}")
        document.add_paragraph().add_run().add_picture(io.BytesIO(sample_png()))
        document.add_paragraph("{%p endfor %}")
        path = tmp_path / "static.docx"
        document.save(str(path))
        data = PreparedTemplate.load(path, env).render({"chart": ""}, SAMPLE_PROPS)
        body = docx.Document(io.BytesIO(data)).element.body
        ids = [e.get("id") for e in body.xpath(".//wp:docPr")]
        assert ids == ["1001", "1002", "1003"]

    def test_image_rejects_non_png(self) -> None:
        with pytest.raises(ValueError, match="PNG"):
            Image(b"GIF89a...", 10)


class TestDeterminism:
    def test_same_bytes_twice(self, prepared: PreparedTemplate) -> None:
        first = prepared.render(sample_context(), SAMPLE_PROPS)
        second = prepared.render(sample_context(), SAMPLE_PROPS)
        assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()

    def test_same_bytes_across_loads(self, template: Path) -> None:
        """Two loads (as in two worker processes) give the same bytes."""
        one = PreparedTemplate.load(template, make_environment())
        two = PreparedTemplate.load(template, make_environment())
        context = sample_context()
        assert one.render(context, SAMPLE_PROPS) == two.render(context, SAMPLE_PROPS)

    def test_fixed_zip_metadata(self, prepared: PreparedTemplate) -> None:
        infos = zipfile.ZipFile(io.BytesIO(prepared.render(sample_context(), SAMPLE_PROPS)))
        assert {i.date_time for i in infos.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        for info in infos.infolist():  # PNG media are stored: already deflated
            stored = info.filename.endswith(".png")
            assert info.compress_type == (zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
        assert infos.namelist()[0] == "[Content_Types].xml"

    def test_core_properties_come_from_doc_properties(self, prepared: PreparedTemplate) -> None:
        """Set after rendering: no double escaping, no clock."""
        props = DocProperties(
            "Müller & Söhne <SA>", "Sujet", "Cabinet X", datetime.date(2026, 3, 1)
        )
        core = docx.Document(io.BytesIO(prepared.render(sample_context(), props))).core_properties
        assert core.title == "Müller & Söhne <SA>"
        assert (core.subject, core.author, core.last_modified_by) == (
            "Sujet",
            "Cabinet X",
            "Cabinet X",
        )
        expected = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
        assert core.created == core.modified == expected

    def test_different_context_different_bytes(self, prepared: PreparedTemplate) -> None:
        first = prepared.render(sample_context(), SAMPLE_PROPS)
        assert prepared.render(sample_context(client_name="Autre"), SAMPLE_PROPS) != first


class TestSandboxAndErrors:
    def test_sandbox_blocks_python_internals(self, tmp_path: Path, env: Any) -> None:
        path = _template_with(tmp_path, "{{ ''.__class__.__mro__ }}")
        prepared = PreparedTemplate.load(path, env)
        with pytest.raises(TemplateError, match="not allowed") as info:
            prepared.render({}, SAMPLE_PROPS)
        assert info.value.issues[0].location.file == str(path)

    def test_missing_variable_names_template_variable_and_paragraph(
        self, tmp_path: Path, env: Any
    ) -> None:
        path = _template_with(tmp_path, "Bonjour {{ client_nme }} !")
        with pytest.raises(TemplateError) as info:
            PreparedTemplate.load(path, env).render({"client_name": "X"}, SAMPLE_PROPS)
        text = str(info.value)
        assert str(path) in text
        assert "'client_nme' is undefined" in text
        assert "Did you mean 'client_name'?" in text
        assert "Bonjour {{ client_nme }} !" in text

    def test_syntax_error_at_load_names_part_and_paragraph(self, tmp_path: Path, env: Any) -> None:
        path = _template_with(tmp_path, "Intro", "Total : {{ montant | }}", "Fin")
        with pytest.raises(TemplateError) as info:
            PreparedTemplate.load(path, env)
        issue = info.value.issues[0]
        assert (issue.location.file, issue.location.key_path) == (str(path), "body")
        assert "Total : {{ montant | }}" in issue.message

    def test_syntax_error_in_header(self, tmp_path: Path, env: Any) -> None:
        path = _template_with(tmp_path, "corps", header="{% if %}")
        with pytest.raises(TemplateError) as info:
            PreparedTemplate.load(path, env)
        assert info.value.issues[0].location.key_path == "header1"

    @pytest.mark.parametrize("tag", ["{%tc for c in cols %}", "{{p subdoc }}", "{{r rich }}"])
    def test_unsupported_docxtpl_features_are_refused(
        self, tmp_path: Path, env: Any, tag: str
    ) -> None:
        path = _template_with(tmp_path, tag)
        with pytest.raises(TemplateError, match="not supported") as info:
            PreparedTemplate.load(path, env)
        assert info.value.issues[0].location.file == str(path)

    def test_control_character_in_a_value(self, prepared: PreparedTemplate) -> None:
        with pytest.raises(TemplateError, match="not valid XML"):
            prepared.render(sample_context(client_name="a\x00b"), SAMPLE_PROPS)

    def test_not_a_docx(self, tmp_path: Path, env: Any) -> None:
        path = tmp_path / "faux.docx"
        path.write_text("pas un zip")
        with pytest.raises(TemplateError, match=r"not a Word \.docx file"):
            PreparedTemplate.load(path, env)

    def test_environment_is_strict_and_escaping(self) -> None:
        env = make_environment()
        assert env.autoescape is True
        assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_image_outside_a_render_is_an_internal_error() -> None:
    """An Image draws itself through the render in progress; there is none here."""
    from engine.errors import InternalError

    image = Image(sample_png(), 20)
    with pytest.raises(InternalError):
        image.__html__()


class TestZipWriter:
    """engine.documents.zipwriter: the pieces render puts together, one by one."""

    def test_appending_keeps_the_base_and_the_order(self) -> None:
        base = build_zip([("[Content_Types].xml", b"<Types/>"), ("word/styles.xml", b"<s/>")])
        copy = bytes(base)
        png = sample_png()
        whole = append_to_zip(base, [("word/document.xml", b"<d/>"),
                                     ("word/media/image1.png", png)])
        assert base == copy
        assert whole == append_to_zip(base, [("word/document.xml", b"<d/>"),
                                             ("word/media/image1.png", png)])
        with zipfile.ZipFile(io.BytesIO(whole)) as archive:
            assert archive.namelist() == ["[Content_Types].xml", "word/styles.xml",
                                          "word/document.xml", "word/media/image1.png"]
            kinds = {i.filename: i.compress_type for i in archive.infolist()}
            assert archive.read("word/media/image1.png") == png
        assert kinds["word/media/image1.png"] == zipfile.ZIP_STORED  # already deflated
        assert kinds["word/document.xml"] == zipfile.ZIP_DEFLATED

    def test_shapes_copied_by_a_loop_get_fresh_ids(self) -> None:
        shape = '<wp:docPr id="1001" name="Image 1"/><w:bookmarkStart w:id="1001"/>'
        xml, after = renumber_shapes(shape * 3, 5)
        assert after == 8
        assert [int(x) for x in re.findall(r'<wp:docPr id="(\d+)"', xml)] == [5, 6, 7]
        assert xml.count('w:id="1001"') == 3  # only the drawings' ids

    def test_core_properties_are_escaped_and_xml_safe(self) -> None:
        core = core_xml("Dupont & Fils <SARL>\x01", "Sujet", "Cabinet", "",
                        datetime.date(2026, 3, 1))
        root = etree.fromstring(core)
        texts = {etree.QName(e).localname: e.text for e in root}
        assert texts["title"] == "Dupont & Fils <SARL>"
        assert texts["created"] == texts["modified"] == "2026-03-01T00:00:00Z"
        assert "keywords" not in texts
        assert core == core_xml("Dupont & Fils <SARL>\x01", "Sujet", "Cabinet", "",
                                datetime.date(2026, 3, 1))

    def test_content_types_gain_png_once_and_the_core_part(self) -> None:
        ns = "http://schemas.openxmlformats.org/package/2006/content-types"
        source = f'<Types xmlns="{ns}"><Default Extension="xml" ContentType="a/b"/></Types>'
        once = content_types_xml(source.encode(), "docProps/core.xml")
        twice = content_types_xml(once, None)
        root = etree.fromstring(twice)
        assert [d.get("Extension") for d in root.iter(f"{{{ns}}}Default")] == ["png", "xml"]
        assert [o.get("PartName") for o in root.iter(f"{{{ns}}}Override")] == [
            "/docProps/core.xml"]

    def test_image_size_and_target(self) -> None:
        assert scaled_size(sample_png(40, 20), 50.0) == (1_800_000, 900_000)  # 50 mm, 2:1
        assert media_target("word/header1.xml", "word/media/image1.png") == "media/image1.png"
        assert media_target("customXml/item1.xml", "word/media/i.png") == "../word/media/i.png"
