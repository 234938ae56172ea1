"""Documents people can print or keep: HTML rendered to PDF by WeasyPrint, tagged
(PDF/UA-1) so screen readers can follow it."""


def pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported on use: Pango is loaded only when a PDF is made

    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
