"""Checks every uploaded file passes, wherever it is uploaded: a size limit, no empty
file, and a type recognised by the file's first bytes rather than by its name (a renamed
executable must not pass as a PDF)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from tongban.core.errors import ValidationFailed

# (leading bytes, content type, extensions a file with these bytes may carry)
Signature = tuple[bytes, str, tuple[str, ...]]


def upload_read(upload: UploadedFile, limit: int) -> bytes:
    """The upload's bytes, refused when empty or larger than ``limit`` bytes; reads at
    most one byte past the limit, whatever size the client claimed."""
    too_large = _("文件不能超过 %(mb)s MB") % {"mb": limit // (1024 * 1024)}
    if upload.size is not None and upload.size > limit:
        raise ValidationFailed(too_large, field="file")
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationFailed(too_large, field="file")
    if not content:
        raise ValidationFailed(_("上传的文件是空的"), field="file")
    return content


def upload_sniff(
    head: bytes, filename: str, signatures: Sequence[Signature], allowed_label: str
) -> str:
    """The content type the file's first bytes show, refused when unknown or when the
    name's extension does not fit them; ``allowed_label`` lists the accepted kinds for
    the message."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    for magic, content_type, extensions in signatures:
        if head.startswith(magic):
            if extension not in extensions:
                raise ValidationFailed(
                    _("文件内容与扩展名不符（内容为 %(kind)s），请检查后重新上传")
                    % {"kind": extensions[0].upper()},
                    field="file",
                )
            return content_type
    raise ValidationFailed(
        _("不支持的文件类型，请上传 %(kinds)s 文件") % {"kinds": allowed_label}, field="file"
    )
