"""The documents the console tests look at, crawled-record style, stored through the real
pipeline (store, analyze with the real analyzers, index)."""

from __future__ import annotations

import io
import zlib
from datetime import UTC, datetime

from storage.records import DocumentRecord

HOSTILE_BODY = (
    "第一条 为规范管理，制定本办法。\n"
    '<script>alert("script-ran")</script>\n'
    '<img src="x" onerror="alert(\'onerror-ran\')">\n'
    '<a href="javascript:alert(\'js-url-ran\')">点此查看</a>\n'
    "<svg onload=\"alert('svg-ran')\"></svg>\n"
    "第三条 本地企业在政府采购中优先中标，外地企业须在本地设立分公司方可参加投标。"
)
HOSTILE_TITLE = '关于<script>alert("title-ran")</script>采购管理的通知'

SOURCES = {
    # id: (name, region, issuer, kind)
    "city-a": ("甲市人民政府网", "甲市", "甲市人民政府", "policy"),
    "county-b": ("乙县人民政府网", "乙县", "乙县人民政府", "policy"),
    "ads-x": ("某平台广告", None, None, "ad"),
}


def _png() -> bytes:
    """A valid 2x2 PNG (evidence screenshot stand-in)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    out = io.BytesIO()
    out.write(b"\x89PNG\r\n\x1a\n")
    out.write(chunk(b"IHDR", (2).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"))
    out.write(chunk(b"IDAT", zlib.compress(raw)))
    out.write(chunk(b"IEND", b""))
    return out.getvalue()


def records(site: str = "http://gov.example") -> list[DocumentRecord]:
    def policy(source: str, n: int, title: str, body: str, published: str, number: str,
               issuer: str, seen: datetime) -> DocumentRecord:
        return DocumentRecord(
            source_id=source, url=f"{site}/{source}/{n}.html", kind="policy", title=title,
            body=body, fetched_at=seen,
            metadata={"published": published, "doc_number": number, "issuer": issuer},
        )

    return [
        policy("city-a", 1, "甲市政府采购管理办法",
               "第一条 为规范政府采购，制定本办法。\n"
               "第三条 本地企业在政府采购中优先中标，外地企业须在本地设立分公司方可参加投标。\n"
               "第四条 各单位须使用本市推荐名录内企业生产的建材产品。",
               "2024-03-01", "甲政发〔2024〕1号", "甲市人民政府",
               datetime(2024, 3, 11, 8, tzinfo=UTC)),
        policy("city-a", 2, "甲市促进企业发展若干措施",
               "第五条 对年度纳税额超过500万元的企业，按其地方财政贡献给予奖励。",
               "2024-04-10", "甲政发〔2024〕7号", "甲市发展和改革委员会",
               datetime(2024, 4, 12, 8, tzinfo=UTC)),
        policy("county-b", 1, "乙县建筑材料使用管理通知",
               "第六条 各单位须使用本市推荐名录内企业生产的建材产品。",
               "2024-04-20", "乙政办〔2024〕3号", "乙县人民政府",
               datetime(2024, 5, 20, 8, tzinfo=UTC)),
        policy("county-b", 2, "乙县关于做好春季植树工作的通知",
               "第一条 各乡镇要做好春季植树造林工作，保护生态环境。",
               "2024-05-02", "乙政办〔2024〕5号", "乙县人民政府",
               datetime(2024, 5, 3, 8, tzinfo=UTC)),
        policy("city-a", 3, HOSTILE_TITLE, HOSTILE_BODY, "2024-06-01", "甲政发〔2024〕9号",
               "甲市财政局", datetime(2024, 6, 2, 8, tzinfo=UTC)),
        DocumentRecord(
            source_id="ads-x", url=f"{site}/ads/1", kind="ad", title="全网最好的面霜",
            body="本产品是全网最好的面霜，能治疗湿疹，保证有效。",
            fetched_at=datetime(2024, 6, 5, tzinfo=UTC),
            metadata={"platform": "ecommerce", "sector": "cosmetics", "published": "2024-06-05"},
            html_sha256="ab" * 32, screenshot_png=_png(),
        ),
    ]
