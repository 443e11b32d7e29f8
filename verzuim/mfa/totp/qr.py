"""The QR code of the setup page, drawn here: the secret never goes to an outside service."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import segno

SCALE = 5  # pixels per module
BORDER = 4  # the standard quiet zone, in modules


@dataclass(frozen=True)
class QrImage:
    src: str  # data:image/svg+xml;base64,... (CSP img-src allows data:)
    size: int  # width and height in CSS pixels


def svg_image(text: str) -> QrImage:
    """The QR code as an SVG image for an ``<img>``.

    Dark modules on a white square with a quiet zone, so it scans on a dark screen too;
    segno's SVG carries no style attribute and no script.
    """
    code = segno.make(text, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(
        buffer, kind="svg", scale=SCALE, border=BORDER, dark="#000", light="#fff", xmldecl=False
    )
    width, _height = code.symbol_size(scale=SCALE, border=BORDER)
    return QrImage(
        src="data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"),
        size=int(width),
    )
