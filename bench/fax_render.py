"""What rendering the fax we transmit costs: a multi-page PDF to a CCITT G4 fax TIFF.

    .venv/bin/python bench/fax_render.py             # 20 pages, fine and normal
    .venv/bin/python bench/fax_render.py --pages 60

Baseline, in the same run: PDFium rasterising the same pages at the same
width and nothing else (no resampling to fax lines, no threshold, no G4).
Printed: pages/s of each, the ratio to the baseline, the TIFF's size per page
and the page-thumbnail time. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telcoportal.settings")

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    content = sample_pdf(args.pages)

    baseline = timed(lambda: [p for p in docs.pages_of(content, PDF, width=docs.FAX_WIDTH)])
    print(f"baseline  PDFium raster only   {args.pages / baseline:8.1f} pages/s")
    result: dict[str, bytes] = {}
    for quality in ("fine", "normal"):

        def render(quality: str = quality) -> None:
            result["tiff"], _ = docs.fax_tiff([(content, PDF)], quality=quality)

        seconds = timed(render)
        size = len(result["tiff"]) / args.pages / 1024
        print(
            f"fax TIFF  {quality:6}              {args.pages / seconds:8.1f} pages/s"
            f"  ratio {baseline / seconds:5.2f} of baseline  {size:6.1f} KiB/page"
        )
    tiff = result["tiff"]
    thumb = timed(lambda: docs.thumbnail(tiff, TIFF, page=args.pages, width=300), repeat=5)
    print(f"thumbnail of page {args.pages} (300 px)  {thumb * 1000:8.1f} ms")
    print(f"PDF source {len(content) / args.pages / 1024:.1f} KiB/page")


if __name__ == "__main__":
    main()
