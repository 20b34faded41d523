"""What each role may do. Every route names the capability it needs (see auth.py)."""

from __future__ import annotations

ROLE_LABELS = {"admin": "管理员", "reviewer": "审查员", "monitor": "监测员", "viewer": "只读"}

# capability -> roles that have it
CAPABILITIES: dict[str, frozenset[str]] = {
    "read": frozenset({"admin", "reviewer", "monitor", "viewer"}),
    "review": frozenset({"admin", "reviewer"}),
    "export": frozenset({"admin", "reviewer", "monitor"}),
    "operate": frozenset({"admin", "monitor", "reviewer", "viewer"}),
    "admin": frozenset({"admin"}),
}


def allowed(role: str, capability: str) -> bool:
    return role in CAPABILITIES[capability]
