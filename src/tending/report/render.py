"""A report as a standalone HTML document and as PDF (xhtml2pdf: pure Python, no browser, no service)."""

from __future__ import annotations

import io

from tending.report.framework import ReportData
from tending.templating import templates


def template_name(report: ReportData) -> str:
    return f"reports/{report.kind}_report.html"


def standalone_html(report: ReportData) -> str:
    """The report without the dashboard around it: for the PDF, the CLI and e-mail."""
    template = templates().env.get_template(template_name(report))
    return template.render(report=report, layout="reports/_standalone.html", links="", table_query="")


def to_pdf(report: ReportData) -> bytes:
    from xhtml2pdf import pisa

    out = io.BytesIO()
    result = pisa.CreatePDF(standalone_html(report), dest=out, encoding="utf-8")
    if result.err:
        raise RuntimeError(f"the PDF of {report.title!r} could not be made ({result.err} errors)")
    return out.getvalue()
