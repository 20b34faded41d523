"""Every citation of the ad pack quotes its article exactly (../shared/fixtures/laws/),
and every AD id of STANDARDS.md has a rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analyzers.engine import load_pack
from analyzers.registry import default_pack_path

LAW_FILES = {
    "中华人民共和国广告法": "广告法(2021-04-29).md",
    "互联网广告管理办法": "互联网广告管理办法(2023-02-25).md",
}
# 《law》第N条[第K款][（item）]：quoted text — several separated by "；"
_CITE_RE = re.compile(
    r"^《(?P<law>[^》]+)》(?P<art>第[一二三四五六七八九十百]+条)(?:(?P<para>第[一二三四五六七八九十]+款))?"
    r"(?:（(?P<item>[一二三四五六七八九十]+)）)?：(?P<quote>.+)$"
)
_CN = {c: i for i, c in enumerate("零一二三四五六七八九", 0)}
PACK = load_pack(default_pack_path("ad_law"))


def _articles(path: Path) -> dict[str, list[str]]:
    """Article label (第十六条) -> its lines (paragraphs and items), first line without label."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(第[一二三四五六七八九十百]+条) (.*)$", line)
        if m:
            current = out.setdefault(m.group(1), [])
            current.append(m.group(2))
        elif line.startswith("#"):
            current = None
        elif line.strip() and current is not None:
            current.append(line.strip())
    return out


def _cn_number(text: str) -> int:
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _cn_number(text[1:])
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN[tens] * 10 + (_cn_number(ones) if ones else 0)
    return _CN[text]


def _citations() -> list[tuple[str, str]]:
    cites = [(rule.id, rule.citation) for rule in PACK.rules]
    ext = PACK.extensions
    cites.append(("extensions.live", ext["live"]["citation"]))
    cites.append(("extensions.unlabelled", ext["unlabelled"]["citation"]))
    cites.append(("extensions.unlabelled.news", ext["unlabelled"]["news_citation"]))
    return cites


@pytest.fixture(scope="module")
def laws(shared_dir: Path) -> dict[str, dict[str, list[str]]]:
    folder = shared_dir / "fixtures" / "laws"
    return {name: _articles(folder / fname) for name, fname in LAW_FILES.items()}


@pytest.mark.parametrize(("where", "citation"), _citations(), ids=[c[0] for c in _citations()])
def test_citation_quotes_the_article(
    laws: dict[str, dict[str, list[str]]], where: str, citation: str
) -> None:
    for part in citation.split("；"):
        m = _CITE_RE.match(part)
        assert m, f"{where}: citation part not in the form 《law》第N条：text: {part!r}"
        law = laws.get(m["law"])
        assert law is not None, f"{where}: unknown law {m['law']!r}; known: {sorted(laws)}"
        lines = law.get(m["art"])
        assert lines, f"{where}: {m['law']} has no {m['art']}"
        if m["para"]:
            # 款 are the article's lines that are not items
            paras = [ln for ln in lines if not ln.startswith("（")]
            k = _cn_number(m["para"][1:-1])
            assert k <= len(paras), f"{where}: {m['art']} has no {m['para']}"
        body = "".join(lines)
        if m["item"]:
            assert f"（{m['item']}）" in body, f"{where}: {m['art']} has no item （{m['item']}）"
        for fragment in m["quote"].split("……"):
            fragment = fragment.strip("。；")
            if fragment:
                assert fragment in body, f"{where}: {fragment!r} is not in {m['law']} {m['art']}"
        if m["item"]:
            item_line = next(ln for ln in lines if ln.startswith(f"（{m['item']}）"))
            last = m["quote"].split("……")[-1].strip("。；")
            item_text = item_line[len(m["item"]) + 2 :].strip("。；")
            assert last.endswith(item_text) or last in item_line, (
                f"{where}: the quoted item text is not item （{m['item']}）"
            )


def test_every_ad_standard_has_a_rule(shared_dir: Path) -> None:
    standards_md = (shared_dir / "STANDARDS.md").read_text(encoding="utf-8")
    ids = set(re.findall(r"^\| (AD-[0-9A-Za-z-]+) \|", standards_md, re.MULTILINE))
    assert len(ids) == 19, ids
    covered = {rule.standard for rule in PACK.rules} | {"AD-14", "AD-LIVE"}
    assert ids <= covered, f"no rule for {sorted(ids - covered)}"
    assert {rule.standard for rule in PACK.rules} <= ids, "a rule names an unknown standard"
