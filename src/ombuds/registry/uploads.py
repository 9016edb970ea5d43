"""Attachment checks: size, and type decided by the file's content, never by its name."""

from __future__ import annotations

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Binary types recognised by their signature.
BINARY_TYPES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (.docx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (.xlsx)",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
}
TEXT_SUFFIXES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".json": "application/json",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
}
ALLOWED_DESCRIPTION = (
    "PDF, PNG, JPEG, Word, Excel, OpenDocument, or UTF-8 text (txt, md, csv, json, yaml)"
)


def _read_all(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def check_upload(upload, field: str = "file") -> str:
    """Return the content type the content shows; refuse what is too big or not allowed."""
    limit = settings.OMBUDS_MAX_UPLOAD_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {
                field: _("The file is %(size).1f MB; the limit is %(limit)d MB.")
                % {"size": (upload.size or 0) / 1e6, "limit": limit // (1024 * 1024)}
            }
        )
    if upload.size == 0:
        raise ValidationError({field: _("The file is empty.")})
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in BINARY_TYPES:
            return kind.mime
        raise ValidationError(
            {
                field: _("Files of type %(type)s are not accepted. Accepted: %(allowed)s.")
                % {"type": kind.mime, "allowed": ALLOWED_DESCRIPTION}
            }
        )
    # No binary signature: accept only clean UTF-8 text with a text suffix.
    name = (upload.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    data = _read_all(upload)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise ValidationError(
            {
                field: _(
                    "The file's content is not a recognised document type. Accepted: %(allowed)s."
                )
                % {"allowed": ALLOWED_DESCRIPTION}
            }
        )
    return TEXT_SUFFIXES.get(suffix, "text/plain")
