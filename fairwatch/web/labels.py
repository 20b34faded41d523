"""The Chinese words the console shows for stored values."""

from __future__ import annotations

from analyzers.sectors import SECTOR_LABELS

__all__ = ["ACTIONS", "GRADE_CLASS", "KIND_LABELS", "SECTOR_LABELS", "STATUS_LABELS"]

STATUS_LABELS = {
    "open": "待审查",
    "confirmed": "确认违规",
    "false_alarm": "误报",
    "rectified": "已整改",
    "needs_review": "需复核",
}
# Reviewer actions in the order the document page offers them.
ACTIONS = ("confirmed", "false_alarm", "rectified", "needs_review")
GRADE_CLASS = {"明显违反": "g-clear", "疑似": "g-suspect", "提示": "g-hint"}
KIND_LABELS = {"policy": "政策措施", "ad": "广告"}
