"""Reading a fax page back with real OCR (Debian's tesseract-ocr, Turkish data from tesseract-ocr-tur)."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata

import pytest
from PIL import Image


def tesseract_languages() -> set[str]:
    if shutil.which("tesseract") is None:
        return set()
    listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    return {line.strip() for line in (listed.stdout + listed.stderr).splitlines()[1:] if line.strip()}


def require_tesseract() -> str:
    """The languages to read with ("tur+eng" when the Turkish data is there); skips the test without tesseract."""
    languages = tesseract_languages()
    if "eng" not in languages:
        pytest.skip("tesseract-ocr is not installed (apt-get install tesseract-ocr tesseract-ocr-tur; .ci/run does)")
    return "tur+eng" if "tur" in languages else "eng"


def page_text(tiff: bytes, *, page: int = 1, languages: str = "eng") -> str:
    """The text of one page of a fax TIFF, read at its own resolution made square (as a fax machine prints it)."""
    with Image.open(io.BytesIO(tiff)) as image:
        image.seek(page - 1)
        xdpi, ydpi = (float(v) for v in image.info["dpi"])
        picture = image.convert("L").resize((image.width, round(image.height * xdpi / ydpi)))
    out = io.BytesIO()
    picture.save(out, format="PNG", dpi=(xdpi, xdpi))
    read = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", languages, "--psm", "4"],
        input=out.getvalue(),
        capture_output=True,
        timeout=120,
        check=True,
    )
    return unicodedata.normalize("NFC", read.stdout.decode("utf-8"))
