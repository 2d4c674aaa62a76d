"""Importer test helpers: the fixture folder and small generated .docx/.pdf files."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA_IO = Path(__file__).resolve().parents[1] / "data" / "io"


@pytest.fixture()
def data_io() -> Path:
    """tests/data/io: small fictional transcript fixtures."""
    return DATA_IO


def write_docx(path: Path, paragraphs=(), *, tables=()) -> Path:
    """A .docx with these paragraphs (``\\n`` inside one: a line break), then tables."""
    import docx

    d = docx.Document()
    for text in paragraphs:
        p = d.add_paragraph()
        for i, part in enumerate(text.split("\n")):
            run = p.add_run(part)
            if i < len(text.split("\n")) - 1:
                run.add_break()
    for rows in tables:
        table = d.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    d.save(path)
    return path


def write_pdf(path: Path, pages, *, user_password: str | None = None) -> Path:
    """A PDF with one page per item, a list of lines (empty list: blank page)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    if user_password is not None:
        pdf.set_encryption(owner_password="owner", user_password=user_password)
    pdf.output(str(path))
    return path


@pytest.fixture()
def make_docx(tmp_path):
    """Factory: make_docx(name, paragraphs, tables=()) -> path in tmp_path."""

    def make(name="t.docx", paragraphs=(), tables=()):
        return write_docx(tmp_path / name, paragraphs, tables=tables)

    return make


@pytest.fixture()
def make_pdf(tmp_path):
    """Factory: make_pdf(name, pages, user_password=None) -> path in tmp_path."""

    def make(name="t.pdf", pages=(), user_password=None):
        return write_pdf(tmp_path / name, pages, user_password=user_password)

    return make
