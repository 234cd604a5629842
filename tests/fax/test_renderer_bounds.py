"""The renderer refuses documents that would exhaust a worker, before rendering them:
the bomb files are run in a child process whose address space is capped, and must be
refused with a clear message there, never end in MemoryError."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from fax import documents as docs
from providers.files import JPEG, PDF, PNG, TIFF
from tests.fax.bombs import many_frame_tiff, stretched_png, tall_png
from tests.fax.factories import png_bytes, two_page_pdf

ACCEPTED = [PDF, TIFF, PNG, JPEG]
ROOT = Path(__file__).resolve().parents[2]
HEADROOM_MB = 600  # what the child may allocate above what it uses once its imports are done

CHILD = r"""
import json, resource, sys
import django
django.setup()
from fax import documents as docs
from tests.fax import bombs
from tests.fax.factories import two_page_pdf

with open("/proc/self/status") as status:
    used_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
limit = (used_kb + int(sys.argv[1]) * 1024) * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

def attempt(step):
    try:
        step()
    except docs.DocumentError as exc:
        return "refused: " + str(exc)
    except MemoryError:
        return "MemoryError"
    return "done"

accepted = ["application/pdf", "image/tiff", "image/png", "image/jpeg"]
results = {}
for name, content, media_type in (
    ("png", bombs.stretched_png(), "image/png"),
    ("tiff", bombs.many_frame_tiff(), "image/tiff"),
    ("tall", bombs.tall_png(), "image/png"),
    ("pdf", two_page_pdf(), "application/pdf"),
):
    results[name] = {
        "inspect": attempt(lambda: docs.inspect(content, accepted=accepted)),
        "fax": attempt(lambda: docs.fax_tiff([(content, media_type)], quality="fine")),
        "thumbnail": attempt(lambda: docs.thumbnail(content, media_type, page=1)),
    }
print(json.dumps(results))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmSize from /proc")
def test_bomb_documents_are_refused_under_a_memory_limit_and_a_real_one_still_renders() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(HEADROOM_MB)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])

    # The stretched dot is taken at a clamped resolution: one bounded page (1728 × 6912), not 172,800,000 lines.
    assert results["png"] == {"inspect": "done", "fax": "done", "thumbnail": "done"}
    for step in ("inspect", "fax", "thumbnail"):
        assert results["tall"][step].startswith("refused: Page 1 is too long to fax"), (step, results)
    for step in ("inspect", "fax"):
        assert results["tiff"][step] == "refused: The document has more than 200 pages.", (step, results)
    assert results["pdf"] == {"inspect": "done", "fax": "done", "thumbnail": "done"}


def _tiff(frames: int) -> bytes:
    out = io.BytesIO()
    first, *rest = [Image.new("L", (200, 250), 255) for _ in range(frames)]
    first.save(out, format="TIFF", save_all=True, append_images=rest)
    return out.getvalue()


def test_images_have_the_same_page_limit_as_pdfs() -> None:
    assert docs.inspect(_tiff(docs.MAX_PAGES), accepted=ACCEPTED).pages == docs.MAX_PAGES
    with pytest.raises(docs.DocumentError, match="more than 200 pages"):
        docs.inspect(_tiff(docs.MAX_PAGES + 1), accepted=ACCEPTED)


def test_the_dpi_ratio_is_clamped_not_trusted() -> None:
    [dot] = docs.pages_of(stretched_png(), PNG, width=docs.FAX_WIDTH)
    assert dot.size == (docs.FAX_WIDTH, docs.FAX_WIDTH * docs.MAX_DPI_RATIO)

    out = io.BytesIO()
    Image.new("L", (400, 100), 255).save(out, format="PNG", dpi=(1000, 1))
    [page] = docs.pages_of(out.getvalue(), PNG, width=docs.FAX_WIDTH)
    assert page.size == (docs.FAX_WIDTH, round(100 * docs.FAX_WIDTH / 400 * docs.MAX_DPI_RATIO))


def test_the_whole_document_is_bounded_not_only_each_page(monkeypatch) -> None:
    monkeypatch.setattr(docs, "MAX_TOTAL_LINES", 3000)
    content = two_page_pdf()  # two A4 pages: about 2,300 lines each
    with pytest.raises(docs.DocumentError, match="too long to fax"):
        docs.fax_tiff([(content, PDF)], quality="fine")
    with pytest.raises(docs.DocumentError, match="too long to fax"):
        docs.inspect(content, accepted=ACCEPTED)


def test_the_fax_tiff_is_written_page_by_page_and_reads_back_whole() -> None:
    content, pages = docs.fax_tiff([(two_page_pdf(), PDF), (png_bytes(), PNG)], quality="normal")
    assert pages == 3
    with Image.open(io.BytesIO(content)) as tiff:
        assert tiff.n_frames == 3
        for index in range(3):
            tiff.seek(index)
            assert tiff.mode == "1" and tiff.width == docs.FAX_WIDTH
            assert tiff.info["compression"] == "group4"


def test_a_bomb_upload_is_a_clear_error_on_the_compose_form(alice_client, team_a, sandbox_account) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.fax.test_pages import compose

    telphin = sandbox_account(team_a, "telphin")
    response = compose(alice_client, telphin, files=[SimpleUploadedFile("scan.tif", many_frame_tiff(), "image/tiff")])
    assert response.status_code == 200
    assert "more than 200 pages" in " ".join(response.context["form"].errors["files"])
    response = compose(alice_client, telphin, files=[SimpleUploadedFile("strip.png", tall_png(), "image/png")])
    assert "Page 1 is too long to fax" in " ".join(response.context["form"].errors["files"])


def test_a_bomb_that_reaches_the_worker_is_a_render_error_not_a_crash(team_a) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from fax.models import FaxDraft
    from fax.services import drafts
    from tests.factories import ProviderAccountFactory

    account = ProviderAccountFactory(team=team_a, kind="telphin", options={"fax_numbers": ["74957654321"]})
    content = tall_png()
    path = default_storage.save("fax/drafts/strip.png", ContentFile(content))
    draft = FaxDraft.objects.create(
        team=team_a,
        account=account,
        our_number="74957654321",
        recipients=["902125550199"],
        files=[{"path": path, "filename": "strip.png", "media_type": PNG, "size": len(content), "pages": 1}],
    )

    assert drafts.draft_render(draft_id=draft.pk) == "failed"
    draft.refresh_from_db()
    assert "too long to fax" in draft.render_error_text


CAPPED = r"""
import django
django.setup()
from fax.documents import memory_cap

with memory_cap(100):
    try:
        block = bytearray(400 * 1024 * 1024)
        print("allocated under the cap")
    except MemoryError:
        print("refused under the cap")
block = bytearray(400 * 1024 * 1024)
print("allocated after")
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmSize from /proc")
def test_a_render_in_a_worker_runs_under_a_memory_cap_that_is_lifted_afterwards() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CAPPED], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-2:] == ["refused under the cap", "allocated after"]


def test_workers_replace_children_that_grew_and_renders_have_a_budget() -> None:
    from django.conf import settings

    assert 0 < settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD <= 1_048_576
    assert 0 < settings.FAX_RENDER_MEMORY_MB <= 2048
    assert settings.CELERY_TASK_TIME_LIMIT
