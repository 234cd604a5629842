"""The ``verify`` function of docs/api.md ("Verifying a signature"), as a receiver would paste it."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@cache
def documented_verify() -> Callable[[str, str, bytes], bool]:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("### Verifying a signature", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None, "docs/api.md lost its verification snippet"
    namespace: dict[str, object] = {}
    exec(compile(code.group(1), str(DOCS), "exec"), namespace)
    return namespace["verify"]  # type: ignore[return-value]
