"""A clause as a PDF (fpdf2) and as a Word document (python-docx), in the reader's language.

The PDF uses fpdf2's built-in Helvetica in the Windows-1252 encoding: it holds every letter of
English, Spanish (á, ñ, ¿, ¡) and Somali's Latin alphabet, and the typographic quotes and
dashes, so no font file is bundled or looked for on the machine. A character outside it (in
a quotation in another script) prints as "?" rather than failing the export (decision 0030).
"""

import io
from dataclasses import dataclass

import docx
from django.utils import formats
from django.utils.translation import gettext as _
from fpdf import FPDF

from .models import Clause, language_name

PDF_ENCODING = "cp1252"


@dataclass(frozen=True)
class Line:
    label: str
    value: str


def facts(clause: Clause) -> list[Line]:
    """Return what a printed clause says about itself, labelled in the active language."""
    lines = [
        Line(_("Organization"), clause.organization.name),
        Line(_("Sector"), str(clause.get_sector_display())),
        Line(_("Status"), str(clause.get_status_display())),
    ]
    if clause.source_contract:
        lines.append(Line(_("Source contract"), clause.source_contract))
    for field, label in (
        ("demanded_on", _("Demanded on")),
        ("won_on", _("Won on")),
        ("in_effect_from", _("In effect from")),
        ("in_effect_until", _("In effect until")),
    ):
        if value := getattr(clause, field):
            lines.append(Line(label, formats.date_format(value, "DATE_FORMAT")))
    if clause.tags:
        lines.append(Line(_("Tags"), ", ".join(clause.tag_list())))
    if clause.origin_code:
        lines.append(
            Line(
                _("Adapted from"),
                f"{clause.origin_title} ({clause.origin_organization})",
            )
        )
    return lines


def texts(clause: Clause) -> list[tuple[str, str]]:
    """Return the clause's texts, each with the name of its language."""
    return [(language_name(code), text) for code, text in clause.texts().items()]


def _pdf_text(text: str) -> str:
    return text.encode(PDF_ENCODING, "replace").decode(PDF_ENCODING)


def as_pdf(clause: Clause) -> bytes:
    pdf = FPDF(format="letter")
    pdf.core_fonts_encoding = PDF_ENCODING
    pdf.set_title(_pdf_text(clause.title))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, _pdf_text(clause.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for line in facts(clause):
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(0, 5, _pdf_text(f"{line.label}: "), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 5, _pdf_text(line.value), new_x="LMARGIN", new_y="NEXT")
    for language, text in texts(clause):
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, _pdf_text(language), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, _pdf_text(text), new_x="LMARGIN", new_y="NEXT")
    if clause.how_won:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, _pdf_text(_("How it was won")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, _pdf_text(clause.how_won), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def as_docx(clause: Clause) -> bytes:
    document = docx.Document()
    document.core_properties.title = clause.title
    document.add_heading(clause.title, level=1)
    for line in facts(clause):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{line.label}: ").bold = True
        paragraph.add_run(line.value)
    for language, text in texts(clause):
        document.add_heading(language, level=2)
        for part in text.split("\n\n"):
            document.add_paragraph(part.strip())
    if clause.how_won:
        document.add_heading(_("How it was won"), level=2)
        document.add_paragraph(clause.how_won)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
