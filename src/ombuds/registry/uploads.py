"""Attachment checks: size, and type decided by the file's content, never by its name."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

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
    if text is not None and suffix not in TEXT_SUFFIXES:
        # Text named .html or .svg is not a document we keep: scripts ride in those.
        raise ValidationError(
            {
                field: _("Text files are accepted as %(suffixes)s only. Accepted: %(allowed)s.")
                % {"suffixes": ", ".join(sorted(TEXT_SUFFIXES)), "allowed": ALLOWED_DESCRIPTION}
            }
        )
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


EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "text/markdown": "md",
    "text/csv": "csv",
    "application/json": "json",
    "application/yaml": "yaml",
}


@dataclass(frozen=True)
class Checked:
    """An accepted upload: the name its sender gave (shown, never used on disk), the type its
    content shows, its size and SHA-256, and the name it is stored under."""

    original_name: str
    content_type: str
    size: int
    sha256: str
    stored_name: str


def inspect(upload, field: str = "file") -> Checked:
    """Check an upload (type by content, size, name free of hidden characters) and describe it.
    Stored under a name the server picks, with the extension of the type its content shows."""
    from ombuds.core.validation import check_text

    content_type = check_upload(upload, field)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = (upload.name or "file").replace("/", "_").replace("\\", "_")[-150:]
    check_text({field: name})
    stored = f"{secrets.token_hex(16)}.{EXTENSIONS.get(content_type, 'txt')}"
    return Checked(name, content_type, upload.size, digest.hexdigest(), stored)
