"""Every rule of the fair-competition pack cites the article it applies, word for word.

The law text is fixtures/laws/公平竞争审查条例(2024-06-06).md; the standard ids are in
STANDARDS.md. A citation reads 《公平竞争审查条例》第九条（三）：<the item's text>.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analyzers.engine import load_pack
from analyzers.registry import default_pack_path

LAW_FILE = "公平竞争审查条例(2024-06-06).md"
NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
            "十": 10, "十一": 11, "十二": 12}
N = "[一二三四五六七八九十]+"
CITATION_RE = re.compile(rf"^《公平竞争审查条例》第({N})条（({N})）：(.+)$")
ITEM_RE = re.compile(r"^（([一二三四五六七八九十]+)）(.+?)[；。]$")
ARTICLE_RE = re.compile(r"^第([一二三四五六七八九十]+)条\s")


def parse_law(path: Path) -> dict[tuple[str, str], str]:
    """(article numeral, item numeral) -> item text without its closing punctuation."""
    items: dict[tuple[str, str], str] = {}
    article = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if m := ARTICLE_RE.match(line):
            article = m.group(1)
        elif (m := ITEM_RE.match(line)) and article:
            items[(article, m.group(1))] = m.group(2)
    return items


@pytest.fixture(scope="module")
def law(shared_dir: Path) -> dict[tuple[str, str], str]:
    items = parse_law(shared_dir / "fixtures" / "laws" / LAW_FILE)
    # the parser itself must see the standards it checks against
    assert items[("八", "三")].startswith("限定经营、购买或者使用特定经营者提供的商品")
    assert items[("十二", "三")].startswith("为实现节约能源")
    return items


@pytest.fixture(scope="module")
def pack():
    return load_pack(default_pack_path("fair_competition"))


def test_every_citation_quotes_its_article_and_matches_the_standard(pack, law) -> None:
    for rule in pack.rules:
        m = CITATION_RE.match(rule.citation)
        assert m, f"{rule.id}: citation not in the form 《公平竞争审查条例》第X条（Y）：text"
        article, item, quoted = m.groups()
        assert (article, item) in law, f"{rule.id}: 第{article}条（{item}） is not in the law"
        assert quoted == law[(article, item)], f"{rule.id}: quoted text differs from the law"
        assert rule.standard == f"FC-{NUMERALS[article]}-{NUMERALS[item]}", rule.id


def test_exception_items_quote_article_12(pack, law) -> None:
    assert {e.item for e in pack.exceptions} == {f"第十二条（{n}）" for n in "一二三四"}
    for exc in pack.exceptions:
        assert exc.id == "FC-12"
        item = re.fullmatch(r"第十二条（(.)）", exc.item).group(1)
        assert exc.label == law[("十二", item)], exc.item


def test_every_fc_standard_has_rules(pack, shared_dir: Path) -> None:
    standards = (shared_dir / "STANDARDS.md").read_text(encoding="utf-8")
    ids = set(re.findall(r"\| (FC-\d+-\d+) \|", standards))
    assert len(ids) == 19
    covered = {r.standard for r in pack.rules}
    assert ids == covered, f"missing: {sorted(ids - covered)}, unknown: {sorted(covered - ids)}"


def test_a_wrong_citation_is_caught(law) -> None:
    bad = "《公平竞争审查条例》第九条（三）：排斥外地经营者参加本地政府采购"
    article, item, quoted = CITATION_RE.match(bad).groups()
    assert quoted != law[(article, item)]
