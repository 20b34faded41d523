"""Alert messages in Chinese, built from outbox rows: one finding, one document, a digest,
an operator alert. Channels format a `Message` for their wire and fit it to their size limit
with `fit`, which cuts at a line and ends with a link to the full content.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["Message", "build_message", "fit", "mark_cues", "sample_message"]

_CUES = re.compile(r"（命中线索：(.+?)）")
_CUE = re.compile(r"「([^」]+)」")
OPERATOR_KINDS = {
    "crawl_failed": "采集失败",
    "source_failing": "来源连续采集失败",
    "source_quiet": "来源停止产出新内容",
    "layout_changed": "页面结构疑似改版",
    "source_config_error": "来源配置错误",
    "run_missed": "错过计划运行",
    "run_timed_out": "采集超时被终止",
    "leader_lost": "调度服务失去主节点租约",
    "channel_failed": "告警通道持续失败",
}


@dataclass
class Message:
    """One message to send; `key` identifies it across retries (Idempotency-Key)."""

    key: str
    route: str
    kind: str  # finding | document | digest | operator | test
    title: str
    markdown: str
    text: str
    link: str | None
    findings: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    operator: list[dict[str, Any]] = field(default_factory=list)
    created_at: datetime | None = None


def cues_of(explanation: str | None) -> list[str]:
    """The cue words the rule engine names in its explanation (（命中线索：「…」、「…」）)."""
    found = _CUES.search(explanation or "")
    return _CUE.findall(found.group(1)) if found else []


def mark_cues(quote: str, cues: list[str], left: str = "【", right: str = "】") -> str:
    """quote with each cue word wrapped in left/right, longest cue first, never nested."""
    if not cues:
        return quote
    pattern = re.compile("|".join(re.escape(c) for c in sorted(set(cues), key=len, reverse=True)))
    return pattern.sub(lambda m: f"{left}{m.group(0)}{right}", quote)


def build_message(
    key: str, route: str, kind: str, rows: list[Any], *, digest: bool, console_url: str = ""
) -> Message:
    """The message of a group of outbox rows (finding rows, or operator rows)."""
    payloads = [r.payload for r in rows]
    if kind == "operator":
        return _operator_message(key, route, payloads)
    if digest:
        return _digest_message(key, route, payloads, console_url)
    if len(payloads) == 1:
        return _finding_message(key, route, payloads[0], "finding")
    return _document_message(key, route, payloads)


def _head(item: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [
        ("来源", item.get("source_name") or item.get("source_id") or ""),
        ("发布机关", item.get("issuer") or "（未识别）"),
        ("文号", item.get("doc_number") or "（无）"),
    ]
    if item.get("published"):
        rows.append(("发布日期", item["published"]))
    if item.get("platform"):
        rows.append(("平台", item["platform"]))
    return rows


def _finding_lines(item: dict[str, Any], n: int | None = None) -> tuple[list[str], list[str]]:
    """(markdown lines, plain lines) of one finding."""
    cues = cues_of(item.get("explanation"))
    prefix = f"{n}. " if n is not None else ""
    article = (item.get("citation") or "").split("：", 1)[0]
    md = [
        f"{prefix}**【{item['grade']}】{item['standard']}** {article}",
        f"> {mark_cues(item['quote'], cues, '**', '**')}",
        f"理由：{item.get('explanation') or ''}",
    ]
    plain = [
        f"{prefix}【{item['grade']}】{item['standard']} {article}",
        f"条文：「{mark_cues(item['quote'], cues)}」",
        f"理由：{item.get('explanation') or ''}",
    ]
    if item.get("exception"):
        md.append(f"可能适用的例外：{item['exception']}")
        plain.append(f"可能适用的例外：{item['exception']}")
    return md, plain


def _finding_message(key: str, route: str, item: dict[str, Any], kind: str) -> Message:
    title = f"【{item['grade']}】{item['standard']}：{item.get('title') or item['url']}"
    md = [f"### {title}", ""]
    plain = [title, ""]
    for label, value in _head(item):
        md.append(f"- {label}：{value}")
        plain.append(f"{label}：{value}")
    md.append(f"- 审查依据：{item.get('citation') or ''}")
    plain.append(f"审查依据：{item.get('citation') or ''}")
    body_md, body_plain = _finding_lines(item)
    md += ["", *body_md]
    plain += ["", *body_plain]
    further = int(item.get("further_findings") or 0)
    if further:
        md.append(f"\n本文件另有 {further} 条疑似问题。")
        plain.append(f"本文件另有 {further} 条疑似问题。")
    md.append(f"\n[查看文件]({item['link']})")
    plain.append(f"查看：{item['link']}")
    return Message(
        key, route, kind, title, "\n".join(md), "\n".join(plain), item["link"], findings=[item]
    )


def _document_message(key: str, route: str, items: list[dict[str, Any]]) -> Message:
    first = items[0]
    strongest = min(items, key=lambda i: ("明显违反", "疑似", "提示").index(i["grade"]))
    title = (
        f"【{strongest['grade']}】{first.get('title') or first['url']}："
        f"{len(items)} 条疑似问题"
    )
    md = [f"### {title}", ""] + [f"- {label}：{value}" for label, value in _head(first)]
    plain = [title, ""] + [f"{label}：{value}" for label, value in _head(first)]
    for n, item in enumerate(items, 1):
        item_md, item_plain = _finding_lines(item, n)
        md += ["", *item_md]
        plain += ["", *item_plain]
    md.append(f"\n[查看文件]({first['link']})")
    plain.append(f"查看：{first['link']}")
    return Message(
        key, route, "document", title, "\n".join(md), "\n".join(plain), first["link"],
        findings=items,
    )


def digest_groups(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts = Counter((i.get("source_id") or "", i["standard"]) for i in items)
    names = {i.get("source_id") or "": i.get("source_name") or i.get("source_id") for i in items}
    return [
        {"source_id": source, "source_name": names[source], "standard": standard, "count": n}
        for (source, standard), n in sorted(counts.items())
    ]


def _digest_message(
    key: str, route: str, items: list[dict[str, Any]], console_url: str
) -> Message:
    groups = digest_groups(items)
    documents = len({i["doc_id"] for i in items})
    title = f"fairwatch 汇总：{len(items)} 条疑似问题，涉及 {documents} 份文件"
    link = f"{console_url.rstrip('/')}/documents?flagged=1" if console_url else None
    md = [f"### {title}", ""]
    plain = [title, ""]
    by_source: dict[str, list[dict[str, Any]]] = {}
    for group in groups:
        by_source.setdefault(group["source_id"], []).append(group)
    for rows in by_source.values():
        total = sum(r["count"] for r in rows)
        md.append(f"**{rows[0]['source_name']}**（{total} 条）")
        plain.append(f"{rows[0]['source_name']}（{total} 条）")
        for r in rows:
            md.append(f"- {r['standard']}：{r['count']} 条")
            plain.append(f"  {r['standard']}：{r['count']} 条")
    md += ["", "**明细**"]
    plain += ["", "明细"]
    for n, item in enumerate(items, 1):
        md.append(
            f"{n}. 【{item['grade']}】{item['standard']} "
            f"[{item.get('title') or item['url']}]({item['link']})"
        )
        plain.append(
            f"{n}. 【{item['grade']}】{item['standard']} {item.get('title') or ''} {item['link']}"
        )
    if link:
        md.append(f"\n[在控制台查看]({link})")
        plain.append(f"控制台：{link}")
    return Message(
        key, route, "digest", title, "\n".join(md), "\n".join(plain), link,
        findings=items, groups=groups,
    )


def _operator_message(key: str, route: str, items: list[dict[str, Any]]) -> Message:
    first = items[0]
    label = OPERATOR_KINDS.get(first["kind"], first["kind"])
    title = f"fairwatch 运维告警：{label}" + (
        f"（{first['source_id']}）" if first.get("source_id") else ""
    )
    md, plain = [f"### {title}", ""], [title, ""]
    for item in items:
        md.append(f"- {item['message']}")
        plain.append(item["message"])
        for name, value in (item.get("details") or {}).items():
            md.append(f"  - {name}：{value}")
            plain.append(f"  {name}：{value}")
    return Message(
        key, route, "operator", title, "\n".join(md), "\n".join(plain), None, operator=items
    )


def sample_message(key: str, route: str) -> Message:
    """What `fairwatch alerts test ROUTE` sends: a made-up finding, marked as a test."""
    item = {
        "finding_id": None, "doc_id": None, "version_id": None, "version": 1,
        "source_id": "test", "source_name": "测试来源", "region": None, "kind": "policy",
        "platform": None, "url": "https://example.gov.cn/test.html",
        "link": "https://example.gov.cn/test.html", "title": "【测试消息】关于告警通道的测试通知",
        "issuer": "测试机关", "doc_number": "测试〔2026〕1号", "published": None,
        "standard": "FC-8-3", "rule": "test", "grade": "疑似", "field": "body",
        "quote": "全市新建小区的智能门锁统一由某某科技有限公司供货安装。",
        # The citation of rule fc-8-3-designated in config/rules/fair_competition.yaml.
        "citation": "《公平竞争审查条例》第八条（三）：限定经营、购买或者使用特定经营者提供的"
        "商品或者服务（以下统称商品）",
        "explanation": "这是一条测试消息，说明告警通道可以送达（命中线索：「统一由」、「供货」）",
        "exception": None, "further_findings": 0,
    }
    message = _finding_message(key, route, item, "test")
    return message


def fit(text: str, max_bytes: int, link: str | None) -> str:
    """text cut at a line so that it and the notice fit in max_bytes of UTF-8."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    notice = "\n……（内容过长，已截断" + (f"，完整内容：{link}）" if link else "）")
    budget = max_bytes - len(notice.encode("utf-8"))
    cut = data[: max(budget, 0)].decode("utf-8", errors="ignore")
    if "\n" in cut:
        cut = cut.rsplit("\n", 1)[0]
    return cut + notice
