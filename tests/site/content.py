"""The documents the fixture site publishes: policy texts, some with planted breaches.

Everything is derived from the document number `i`, so the site, the tests and the bench
agree on what page i says without sharing state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ISSUERS = ("示例省人民政府办公厅", "示例市发展和改革委员会", "示例市财政局", "示例县人民政府")
PREFIXES = ("示府办发", "示发改", "示财", "示县政发")
TOPICS = ("政府采购", "产业发展", "招商引资", "营商环境", "财政补贴")

CLEAN_PARAGRAPHS = (
    "为深入贯彻落实党中央、国务院关于优化营商环境的决策部署，进一步激发市场主体活力，结合本地实际，制定本办法。",
    "各地区、各部门要坚持公平竞争原则，依法平等对待各类经营主体，保障各类经营主体依法平等使用生产要素。",
    "本办法由市发展和改革委员会负责解释，自印发之日起施行，有效期五年。",
    "各有关单位要加强组织领导，明确责任分工，确保各项措施落到实处。",
    "鼓励企业加大研发投入，支持符合条件的企业申报国家和省级科技计划项目，申报条件面向所有经营主体公开。",
)

# Clauses that breach the fair competition review standards (STANDARDS.md ids in comments).
BREACHES = (
    "在政府采购和招标投标活动中，同等条件下本地企业优先中标。",  # FC-9-3
    "各单位新建项目须使用本市指定的示例建材有限公司生产的产品。",  # FC-8-3
    "外地企业须在本市注册设立具有独立法人资格的子公司，方可参与本地工程项目投标。",  # FC-9-2
    "对年度地方财政贡献超过500万元的企业，按其地方财政贡献的50%给予奖励。",  # FC-10-2
    "对新落户的重点企业，返还其缴纳的土地出让金。",  # FC-10-3
)


@dataclass(frozen=True)
class SiteDocument:
    i: int
    title: str
    doc_number: str
    issuer: str
    published: str  # ISO date
    written: str
    index_no: str
    topic: str
    paragraphs: tuple[str, ...]
    breaches: tuple[str, ...] = field(default=())
    attachments: tuple[str, ...] = field(default=())  # extensions of files attached

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def document(i: int, *, attachments: tuple[str, ...] = ()) -> SiteDocument:
    """Document i; every third one carries a planted breach."""
    issuer = ISSUERS[i % len(ISSUERS)]
    topic = TOPICS[i % len(TOPICS)]
    month = 1 + i % 12
    day = 1 + i % 28
    breaches: tuple[str, ...] = ()
    if i % 3 == 0:
        breaches = (BREACHES[(i // 3) % len(BREACHES)],)
    paragraphs = (
        f"各区县人民政府，市政府各部门：现将《关于促进{topic}高质量发展的若干措施（第{i}号）》印发给你们，请认真贯彻执行。",
        CLEAN_PARAGRAPHS[i % len(CLEAN_PARAGRAPHS)],
        *breaches,
        CLEAN_PARAGRAPHS[(i + 1) % len(CLEAN_PARAGRAPHS)],
        f"第{i}条 各级部门应当在{topic}工作中依法履行职责，并定期公开工作进展。",
        CLEAN_PARAGRAPHS[(i + 2) % len(CLEAN_PARAGRAPHS)],
    )
    return SiteDocument(
        i=i,
        title=f"关于印发促进{topic}高质量发展若干措施的通知（第{i}号）",
        doc_number=f"{PREFIXES[i % len(PREFIXES)]}〔2024〕{i}号",
        issuer=issuer,
        published=f"2024-{month:02d}-{day:02d}",
        written=f"2024-{month:02d}-{max(1, day - 1):02d}",
        index_no=f"11340000MB0000000X/2024-{i:05d}",
        topic=topic,
        paragraphs=paragraphs,
        breaches=breaches,
        attachments=attachments,
    )
