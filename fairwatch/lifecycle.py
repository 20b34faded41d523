"""Whether a document says it is repealed (废止) or no longer in force (失效).

Only a document's statement about itself counts: a validity field (有效性/时效性: 失效,
废止), a title tag such as 【已废止】, or a notice such as 本文件已废止 / 该通知已失效.
A body that repeals another text (《某办法》同时废止, 原文件予以废止) is in force and says
nothing about itself, so those are not matched.
"""

from __future__ import annotations

import re
from typing import Any

VALIDITY = re.compile(r"^\s*(已?失效|已?废止|无效|已被废止|已宣布失效)\s*$")
TITLE_TAG = re.compile(r"[【\[（(]\s*(已?废止|已?失效)\s*[】\]）)]")
SELF_NOTICE = re.compile(
    r"(本|该|此)(文件|文|件|通知|办法|规定|意见|决定|政策|措施|细则)?"
    r"(已|现已|已经|已被)(宣布)?(废止|失效)"
)


def repeal_evidence(title: str, body: str, metadata: dict[str, Any]) -> str | None:
    """The words that say the document is repealed or void, or None."""
    validity = metadata.get("validity")
    if isinstance(validity, str) and VALIDITY.match(validity):
        return f"有效性: {validity.strip()}"
    match = TITLE_TAG.search(title or "")
    if match:
        return f"title: {match.group(0)}"
    match = SELF_NOTICE.search(body[:2000] if body else "")
    if match:
        return f"text: {match.group(0)}"
    return None
