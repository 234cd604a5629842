"""What rendering the fax we transmit costs: a multi-page PDF to a CCITT G4 fax TIFF.

    .venv/bin/python bench/fax_render.py             # 20 pages, fine and normal
    .venv/bin/python bench/fax_render.py --pages 60

Baselines, in the same run: Ghostscript's own ``tiffg4`` device on the same PDF at the
same page size and resolution (the issue's baseline: a bare ``gs`` run writing a file),
and PDFium rasterising the same pages at the same width and nothing else (no resampling
to fax lines, no threshold, no G4). Printed: pages/s of each, the ratios, the TIFF's size
per page and the page-thumbnail time; then, per quality, one tab-separated line
``SUMMARY  figure  ours  baseline  ratio  target  met`` (yes/no) for bench/all.py, the
ratio being our time per page over Ghostscript's (target ≤ 1.5). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")  # needs no SECRET_KEY: runs on a clean clone

import django

django.setup()

from fax import documents as docs  # noqa: E402
from providers.files import PDF, TIFF  # noqa: E402
from sandbox.media import pdf_bytes  # noqa: E402


def sample_pdf(pages: int) -> bytes:
    lines = tuple(f"Line {n}: the quick brown fox jumps over the lazy dog 0123456789" for n in range(40))
    return pdf_bytes("Bench", tuple((f"Page {p}", *lines) for p in range(1, pages + 1)))


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def summary(figure: str, ours: str, baseline: str, ratio: float, target: str, met: bool) -> None:
    """One machine-readable line per figure, collected by bench/all.py."""
    print("\t".join(("SUMMARY", figure, ours, baseline, f"{ratio:.2f}", target, "yes" if met else "no")), flush=True)


def bare_ghostscript(content: bytes, quality: str, lines: int) -> None:
    """Ghostscript's tiffg4 on the PDF at the fax's page size and resolution, and nothing else."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(content)
        subprocess.run(
            ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiffg4",
             f"-r{docs.FAX_HDPI}x{docs.VDPI[quality]}", f"-g{docs.FAX_WIDTH}x{lines}", "-dFIXEDMEDIA",
             "-dPDFFitPage", f"-sOutputFile={Path(folder) / 'out.tiff'}", str(source)],
            check=True, capture_output=True,
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    content = sample_pdf(args.pages)

    baseline = timed(lambda: [p for p in docs.pages_of(content, PDF, width=docs.FAX_WIDTH)])
    print(f"baseline  PDFium raster only   {args.pages / baseline:8.1f} pages/s")
    ghostscript = shutil.which("gs") is not None
    print(f"fax TIFFs rendered by {'Ghostscript (PDFium fallback)' if ghostscript else 'PDFium: gs is not installed'}")
    result: dict[str, bytes] = {}
    for quality in ("fine", "normal"):

        def render(quality: str = quality) -> None:
            result["tiff"], _ = docs.fax_tiff([(content, PDF)], quality=quality)

        seconds = timed(render)
        size = len(result["tiff"]) / args.pages / 1024
        print(
            f"fax TIFF  {quality:6}              {args.pages / seconds:8.1f} pages/s"
            f"  ratio {baseline / seconds:5.2f} of raster only  {size:6.1f} KiB/page"
        )
        if not ghostscript:
            continue
        with Image.open(io.BytesIO(result["tiff"])) as image:
            lines = image.height
        bare = timed(lambda quality=quality, lines=lines: bare_ghostscript(content, quality, lines))
        print(f"bare gs   {quality:6} tiffg4       {args.pages / bare:8.1f} pages/s")
        ratio = seconds / bare
        summary(
            f"fax rendering per page vs Ghostscript tiffg4 ({quality})",
            f"{seconds / args.pages * 1000:.1f} ms/page",
            f"{bare / args.pages * 1000:.1f} ms/page",
            ratio,
            "≤ 1.5×",
            ratio <= 1.5,
        )
    tiff = result["tiff"]
    thumb = timed(lambda: docs.thumbnail(tiff, TIFF, page=args.pages, width=300), repeat=5)
    print(f"thumbnail of page {args.pages} (300 px)  {thumb * 1000:8.1f} ms")
    print(f"PDF source {len(content) / args.pages / 1024:.1f} KiB/page")


if __name__ == "__main__":
    main()
