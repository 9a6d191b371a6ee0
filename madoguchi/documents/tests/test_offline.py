"""Paper for an outage: every form blank, every event's procedure list, from the catalog."""

import io

import pypdfium2
import pytest
from django.core.management import call_command

from madoguchi.documents.services import _catalog_dir, default_catalog, forms_of


def text_of(path) -> str:
    doc = pypdfium2.PdfDocument(str(path))
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    out = tmp_path_factory.mktemp("offline")
    stdout = io.StringIO()
    call_command("documents", "offline", str(out), stdout=stdout)
    return out, stdout.getvalue()


def test_a_pdf_for_every_event_and_every_form(offline):
    out, summary = offline
    catalog = default_catalog()
    forms = forms_of(_catalog_dir(catalog))
    expected = {f"procedures-{e}.pdf" for e in catalog.events} | {f"form-{f}.pdf" for f in forms}
    assert {p.name for p in out.iterdir()} == expected
    assert f"{len(expected)} PDF files" in summary
    assert all(p.read_bytes().startswith(b"%PDF") for p in out.iterdir())


def test_blank_forms_carry_no_values(offline):
    out, _ = offline
    from madoguchi.documents.services import municipality_of

    text = text_of(out / "form-juminido.pdf")
    assert "住 民 異 動 届" in text and municipality_of(default_catalog())["name"] in text
    assert "レ" not in text  # no kind of notification ticked
    assert "令和" not in text and "世帯主\n" not in text  # no date, no member row


def test_procedure_list_names_every_procedure_the_event_can_trigger(offline):
    out, _ = offline
    catalog = default_catalog()
    text = text_of(out / "procedures-birth.pdf").replace("\n", "")
    triggered = [
        catalog.procedure(pid)
        for pid in catalog.procedures
        if any(t.for_event("birth") for t in catalog.procedure(pid).triggers)
    ]
    assert len(triggered) > 5
    for proc in triggered:
        assert proc.name.replace(" ", "")[:8] in text.replace(" ", ""), proc.name
    assert "出生に伴う手続き" in text
