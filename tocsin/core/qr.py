"""QR codes of a URL (segno): inline in a page, or as a file to print."""

import io

import segno


def make_qr(url: str) -> segno.QRCode:
    # Error level M survives a crease or a bit of tape; no micro codes, phones read them badly.
    return segno.make(url, error="m", micro=False)


def svg_inline(url: str, title: str) -> str:
    """Return the code as an <svg> element sized by CSS (viewBox, no width or height)."""
    return make_qr(url).svg_inline(
        scale=1, border=2, omitsize=True, title=title, svgclass="qr", lineclass="qr-line"
    )


def svg_file(url: str) -> bytes:
    buffer = io.BytesIO()
    make_qr(url).save(buffer, kind="svg", scale=10, border=4, xmldecl=True)
    return buffer.getvalue()


def png_file(url: str) -> bytes:
    buffer = io.BytesIO()
    make_qr(url).save(buffer, kind="png", scale=12, border=4)
    return buffer.getvalue()
