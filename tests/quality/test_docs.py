"""docs/data-quality.md explains every check and names every site group."""

from __future__ import annotations

import re
from pathlib import Path

from qof_cancer.quality import CHECKS, REJECT_CHECKS
from qof_cancer.quality.sites import SITES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "data-quality.md").read_text()


def test_every_check_has_a_section_with_why_and_fix():
    sections = dict(re.findall(r"^### (\w+)\n(.*?)(?=^### |^## )", DOC, flags=re.M | re.S))
    for info in CHECKS:
        assert info.name in sections, info.name
        assert "**Why it costs.**" in sections[info.name] and "**Fix.**" in sections[info.name], info.name
    for info in REJECT_CHECKS:
        assert f"`{info.name}`" in DOC


def test_every_site_group_is_listed():
    groups = DOC.split("## Cancer site groups", 1)[1].split("The rules,", 1)[0]
    for site in SITES:
        assert re.search(rf"\b{site}\b", groups), site
