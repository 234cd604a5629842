"""The segment counter: Python and JavaScript on one fixture, against TS 23.038."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from messaging import encoding
from messaging.encoding import costly_characters, replace_lookalikes, segments

HERE = Path(__file__).parent
FIXTURE = json.loads((HERE / "segment_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=[c["name"] for c in FIXTURE["cases"]])
def test_it_counts_each_shared_case_as_the_standard_says(case: dict) -> None:
    result = segments(case["text"], reserve=case["reserve"])
    assert (result.alphabet, result.characters, result.units, result.parts) == (
        case["alphabet"],
        case["characters"],
        case["units"],
        case["parts"],
    )


@pytest.mark.parametrize("case", FIXTURE["lookalikes"], ids=lambda c: c["replaced"])
def test_it_replaces_lookalikes_that_cost_money_for_nothing(case: dict) -> None:
    replaced = replace_lookalikes(case["text"])
    assert replaced == case["replaced"]
    assert segments(replaced).alphabet == case["alphabet"]


@pytest.mark.parametrize("case", FIXTURE["costly"], ids=lambda c: c["text"])
def test_it_names_the_characters_that_force_a_costlier_alphabet(case: dict) -> None:
    assert list(costly_characters(case["text"])) == case["costly"]


def test_the_tables_are_the_standards_tables() -> None:
    tables = encoding.tables()
    # TS 23.038 6.2.1: 128 positions, one of them the escape.
    assert len(tables.basic) == 127
    assert tables.extension == frozenset("\f^{}\\[~]|€")
    # A.2.1 Turkish single shift: the default extension plus eight Turkish letters.
    assert tables.turkish_shift == tables.extension | frozenset("ĞİŞçğış")
    assert "Ç" in tables.basic and "ç" not in tables.basic
    assert tables.limits == {"Default": (160, 153), "TurkishSingleShift": (155, 149), "UCS2": (70, 67)}


def test_a_forced_gsm_alphabet_falls_back_to_ucs2_when_it_cannot_carry_the_text() -> None:
    assert segments("şeker", alphabet=encoding.DEFAULT).alphabet == "UCS2"
    assert not encoding.fits("şeker", encoding.DEFAULT)


def test_the_javascript_counter_agrees_on_the_shared_fixture() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the JavaScript counter is checked by the browser test only")
    result = subprocess.run(
        [node, "--test", str(HERE / "segment_counter.test.js")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
