"""Documents built to exhaust a renderer: made here, a few hundred bytes each."""

from __future__ import annotations

import io

from PIL import Image


def stretched_png() -> bytes:
    """One pixel claiming 100000×1 dpi: 1728 × 172,800,000 pixels if taken at its word."""
    out = io.BytesIO()
    Image.new("L", (1, 1), 0).save(out, format="PNG", dpi=(100000, 1))
    return out.getvalue()


def many_frame_tiff(frames: int = 3000) -> bytes:
    """Thousands of 8×8 frames: each one a full fax page once rendered."""
    out = io.BytesIO()
    first, *rest = [Image.new("1", (8, 8), i % 2) for i in range(frames)]
    first.save(out, format="TIFF", compression="group4", save_all=True, append_images=rest)
    return out.getvalue()


def tall_png(height: int = 40_000) -> bytes:
    """A narrow strip: few input pixels, but far too many fax lines."""
    out = io.BytesIO()
    Image.new("L", (10, height), 255).save(out, format="PNG", optimize=True)
    return out.getvalue()
