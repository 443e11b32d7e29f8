"""Which files may be attached to a case: checked by extension *and* by content.

The browser's content type is never trusted. Pure over bytes and names; the first bytes of
the file decide ("magic numbers"), and office documents (ZIP containers) are opened just far
enough to see what they contain.
"""

from __future__ import annotations

import io
import zipfile
from typing import IO, Any

#: The largest document we accept.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

#: extension → kind of content it must hold
EXTENSIONS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".odt": "odt",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
}
#: kind → the content type we serve it with (never the uploader's)
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def extension_of(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _zip_kind(data: IO[Any]) -> str | None:
    try:
        with zipfile.ZipFile(data) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == _ODT_MIMETYPE:
                return "odt"
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError):
        return None
    return None


def sniff(data: IO[Any] | None) -> str | None:
    """The kind of content in ``data`` (one of ``CONTENT_TYPES``), or ``None``."""
    if data is None:
        return None
    data.seek(0)
    head = data.read(16)
    data.seek(0)
    kind: str | None = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
    data.seek(0)
    return kind


def check(name: str, data: IO[Any] | None) -> str | None:
    """The kind if ``name``'s extension is allowed and the content matches it, else ``None``."""
    expected = EXTENSIONS.get(extension_of(name))
    if expected is None:
        return None
    return expected if sniff(data) == expected else None


def sniff_bytes(content: bytes) -> str | None:
    return sniff(io.BytesIO(content))
