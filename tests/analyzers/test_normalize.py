"""Normalisation and clause splitting keep offsets into the original text."""

from __future__ import annotations

from analyzers.clauses import MAX_CLAUSE, iter_chunks, split_clauses
from analyzers.normalize import normalize, normalize_term


def test_full_width_and_case_are_folded_one_to_one() -> None:
    n = normalize("ＩＳＯ９００１，（一）Ａ")
    assert n.text == "iso9001,(一)a"
    assert n.to_original(5) == 5


def test_whitespace_inside_chinese_is_dropped_and_mapped_back() -> None:
    text = "本 市 企 业　优先"
    n = normalize(text)
    assert n.text == "本市企业优先"
    s, e = n.span_to_original(2, 6)
    assert text[s:e] == "企 业　优先"


def test_space_between_ascii_words_is_kept() -> None:
    assert normalize("ISO 9001 认证").text == "iso 9001认证"


def test_soft_wrapped_pdf_lines_are_joined_hard_breaks_kept() -> None:
    wrapped = (
        "对在本区新注册设立的企业按其地方财政贡献的百分之五十\n"
        "给予奖励，最高不超过一千万元。\n（二）其他"
    )
    n = normalize(wrapped)
    assert "百分之五十给予奖励" in n.text  # soft wrap: the line continues the sentence
    assert "。\n(二)其他" in n.text  # hard break: sentence end, then a numbered item


def test_terms_normalise_like_text() -> None:
    assert normalize_term("ＥＴＣ 卡") == "etc卡"


def test_clauses_split_on_sentence_ends_items_and_cells() -> None:
    text = "第一条 总则。（一）本市企业优先；（二）外地企业不得参加。\n名称|内容\t备注"
    clauses = list(split_clauses(text))
    assert [c.text for c in clauses] == [
        "第一条总则。", "(一)本市企业优先;", "(二)外地企业不得参加。", "名称", "内容", "备注",
    ]
    for c in clauses:
        assert normalize(text[c.start : c.end]).text == c.text


def test_long_clause_is_cut_at_a_comma() -> None:
    text = "，".join(["各部门应当加强协调配合"] * 100) + "。"
    clauses = list(split_clauses(text))
    assert len(clauses) > 1
    assert all(c.end - c.start <= MAX_CLAUSE for c in clauses)
    assert clauses[0].start == 0 and clauses[-1].end == len(text)


def test_chunks_cover_the_text_and_cut_after_sentence_ends() -> None:
    text = "一二三。" * 50000
    chunks = list(iter_chunks(text, size=1000))
    assert "".join(c for _, c in chunks) == text
    assert all(c.endswith("。") for _, c in chunks)
    assert all(text.startswith(c, off) for off, c in chunks)
