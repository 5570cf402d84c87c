"""Files staff share in the office — document attachments (附件) and files shared in a
group (文件共享): office formats besides PDF and images, each recognised by its first
bytes and served with the type its (checked) extension names."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from tongban.core.uploads import Signature, upload_read, upload_sniff

FILE_MAX_BYTES = 20 * 1024 * 1024

# Types a member may share, recognised by their first bytes (as case materials are), and
# the extensions each may carry. Office formats (docx, xlsx ...) are zip or OLE files.
SIGNATURES: tuple[Signature, ...] = (
    (b"%PDF-", "application/pdf", ("pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", ("png",)),
    (b"\xff\xd8\xff", "image/jpeg", ("jpg", "jpeg")),
    (b"PK\x03\x04", "application/zip", ("ofd", "docx", "xlsx", "pptx", "wps", "et", "zip")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage", ("doc", "xls", "ppt")),
)
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "ofd": "application/ofd",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "zip": "application/zip",
}


def file_content_type(name: str) -> str:
    """The content type a shared file is served with, by its (checked) extension."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return CONTENT_TYPES.get(extension, "application/octet-stream")


def office_file_read(upload: UploadedFile) -> tuple[str, bytes]:
    """The upload's bare file name (no client path) and its checked bytes."""
    name = (upload.name or "file").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "file"
    content = upload_read(upload, FILE_MAX_BYTES)
    upload_sniff(
        content[:16], name, SIGNATURES, _("PDF、OFD、Word、Excel、PowerPoint、JPG、PNG 或 ZIP")
    )
    return name, content
