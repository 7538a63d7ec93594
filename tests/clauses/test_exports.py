"""A clause printed, as a PDF and as a Word document: read back with PDF and Word readers."""

import io

import docx
import pypdf

from tests.clauses.conftest import EXCLUSION_TITLE, WARRANT_TITLE, clause_url
from tocsin.clauses.models import Clause
from tocsin.demo import world


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_pdf_holds_the_clause_in_each_of_its_languages(steward_client, orgs):
    warrant = Clause.objects.get(title=WARRANT_TITLE)
    response = steward_client.get(clause_url(orgs[world.UESF], warrant, "clause_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(body(response))
    assert WARRANT_TITLE in text
    assert "Minneapolis Federation of Educators" in text
    assert "judicial warrant signed by a judge" in text
    assert "orden judicial firmada por un juez" in text
    assert "Español" in text and "Soomaali" in text
    assert "amar maxkamadeed" in text and "hay'adeed" in text


def test_the_pdf_keeps_spanish_accents_and_typographic_quotes(steward_client, orgs):
    exclusion = Clause.objects.get(title=EXCLUSION_TITLE)
    exclusion.text_en = "Staff say “no” — and mean it."
    exclusion.save()
    response = steward_client.get(clause_url(orgs[world.UESF], exclusion, "clause_pdf"))
    text = pdf_text(body(response))
    assert "sin órdenes judiciales" in text and "atención" in text
    assert "“no” — and mean it" in text


def test_the_word_document_holds_the_clause_and_its_facts(steward_client, orgs):
    warrant = Clause.objects.get(title=WARRANT_TITLE)
    response = steward_client.get(clause_url(orgs[world.UESF], warrant, "clause_docx"))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(body(response)))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert paragraphs[0] == WARRANT_TITLE
    assert "Status: in effect" in paragraphs
    assert any("orden judicial firmada por un juez" in text for text in paragraphs)
    assert any("amar maxkamadeed" in text for text in paragraphs)
    assert document.core_properties.title == WARRANT_TITLE


def test_the_exports_speak_the_readers_language(steward_client, orgs, steward):
    steward.language = "es"
    steward.save()
    warrant = Clause.objects.get(title=WARRANT_TITLE)
    response = steward_client.get(clause_url(orgs[world.UESF], warrant, "clause_docx"))
    paragraphs = [p.text for p in docx.Document(io.BytesIO(body(response))).paragraphs]
    assert "Estado: vigente" in paragraphs


def test_the_clause_page_prints_without_its_menus(steward_client, orgs):
    warrant = Clause.objects.get(title=WARRANT_TITLE)
    html = steward_client.get(clause_url(orgs[world.UESF], warrant)).content.decode()
    assert "clauses/clauses.css" in html and "data-print" in html
