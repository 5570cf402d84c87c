"""The font every Tongban PDF draws its (Chinese) text with.

By default this is reportlab's built-in CID font ``STSong-Light``: it needs no font file
on disk, the PDF stays small, and mainstream readers (browsers, Preview, poppler, Acrobat
with its Asian font pack) supply or substitute the Adobe-GB1 glyphs. Operators who want
the font embedded (archival PDF, readers without Asian fonts) set ``TONGBAN_PDF_FONT`` to
a TrueType ``.ttf`` / ``.ttc`` file; it is then registered with ``TTFont`` and embedded
as a subset. Fonts are registered once per process and per path, under a lock, because
gunicorn threads may render concurrently.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)

CID_FONT_NAME = "STSong-Light"

_font_lock = threading.Lock()
_registered_fonts: dict[str, str] = {}  # configured path ("" = CID default) -> font name


def _register_ttf(path: str) -> str | None:
    """Register (embed) a TrueType font file; ``None`` if it cannot be loaded."""
    name = "TongbanTTF-" + hashlib.sha256(path.encode()).hexdigest()[:12]
    try:
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    except Exception:
        logger.exception("TONGBAN_PDF_FONT %s could not be loaded; using %s", path, CID_FONT_NAME)
        return None
    return name


def _register_cid() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT_NAME))
    return CID_FONT_NAME


def pdf_font_name() -> str:
    """Name of the registered font to draw with (configured TTF, else STSong-Light)."""
    configured = str(getattr(settings, "TONGBAN_PDF_FONT", "") or "")
    key = configured if configured and Path(configured).is_file() else ""
    cached = _registered_fonts.get(key)
    if cached is not None:
        return cached
    with _font_lock:
        cached = _registered_fonts.get(key)
        if cached is None:
            cached = (_register_ttf(key) if key else None) or _registered_fonts.get("")
            if cached is None:
                cached = _register_cid()
                _registered_fonts[""] = cached
            _registered_fonts[key] = cached
        return cached
