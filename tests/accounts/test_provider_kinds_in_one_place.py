"""No per-kind table outside the provider specs (issue 12): the app sources name no provider kind.

A kind's name belongs in its spec (``accounts/provider_specs/``), its client
(``providers/``) and its emulator (``sandbox/``, not an app); everything else asks
the spec: ``PASIFIK.kind``, ``spec.can(Capability.FAX)``, ``client_for(account, PASIFIK)``.
"""

from __future__ import annotations

import re
from pathlib import Path

from accounts.provider_registry import all_specs
from tests.sources import ROOT, source_files

KINDS = "|".join(re.escape(spec.kind) for spec in all_specs())
KIND_NAMED = re.compile(rf"""["']({KINDS})["']""")


def _where_kinds_are_named(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if KIND_NAMED.search(line):
                found.append(f"{path.relative_to(ROOT).as_posix()}:{number}: {line.strip()}")
    return found


def _is_a_spec_client_or_migration(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    return relative.startswith(("accounts/provider_specs/", "providers/")) or "/migrations/" in relative


def test_no_app_source_outside_the_specs_and_clients_names_a_provider_kind() -> None:
    sources = [
        p for p in source_files(".py", ".html", ".js", extra=("templates",)) if not _is_a_spec_client_or_migration(p)
    ]
    assert len(sources) > 100  # the walk reads the apps
    assert _where_kinds_are_named(sources) == []


def test_the_specs_are_where_the_kinds_are_named() -> None:
    specs = sorted((ROOT / "accounts" / "provider_specs").glob("*.py"))
    assert len(_where_kinds_are_named(specs)) >= len(all_specs())
