"""A report as a standalone HTML document and as PDF (xhtml2pdf: pure Python, no browser, no service)."""

from __future__ import annotations

import io
from pathlib import Path

from tending.report.framework import ReportData
from tending.templating import templates


def template_name(report: ReportData) -> str:
    return f"reports/{report.kind}_report.html"


def _pdf_font() -> str | None:
    """DejaVu Sans as shipped with matplotlib: PDF's built-in Helvetica draws only Latin-1, and customers
    write in every script (and with emoji-like symbols)."""
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return str(path) if path.is_file() else None


def standalone_html(report: ReportData, *, pdf_font: str | None = None) -> str:
    """The report without the dashboard around it: for the PDF, the CLI and e-mail."""
    template = templates().env.get_template(template_name(report))
    return template.render(
        report=report, layout="reports/_standalone.html", links="", table_query="", pdf_font=pdf_font
    )


def to_pdf(report: ReportData) -> bytes:
    """No network and no file but the font: reports hold customers' words, which must never make the
    renderer fetch anything (images are inline data URIs)."""
    from xhtml2pdf import pisa

    font = _pdf_font()
    policy: object | None = None
    try:  # xhtml2pdf releases with resource policies; older ones fetch nothing unasked for here anyway
        from xhtml2pdf.config.resources import ResourceAccessPolicy

        policy = ResourceAccessPolicy(
            allow_remote=False, base_dir=Path(font).parent if font else None, max_render_seconds=120
        )
    except ImportError:
        pass
    out = io.BytesIO()
    result = pisa.CreatePDF(
        standalone_html(report, pdf_font=font),
        dest=out,
        encoding="utf-8",
        **({"resource_policy": policy} if policy is not None else {}),
    )
    if result.err:
        raise RuntimeError(f"the PDF of {report.title!r} could not be made ({result.err} errors)")
    return out.getvalue()
