"""The ad-law (广告法) analyzer: the shared rule engine with the ad pack, plus ad context.

The clause rules are data (config/rules/ad_law.yaml, format: analyzers.engine). What the
engine cannot see from one clause is added here, driven by the pack's `extensions:`:

- the sector (analyzers.sectors): rules apply only in their sectors; every finding names
  the sector it assumed;
- unlabelled advertising (AD-14): a whole post with commercial signals and no 广告 label;
- live-stream selling (AD-LIVE): a breach in a live room also engages the streamer's
  responsibility under 互联网广告管理办法 第十九条, reported as its own finding;
- document-wide evidence: a source stated anywhere weakens AD-11, a patent number stated
  anywhere clears AD-12's "no number" rule;
- brand names and registered trademarks (至尊牌, 最好®): the rules do not read them, since
  《广告绝对化用语执法指南》 lets a mark that contains an absolute term name the goods.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from analyzers.clauses import split_clauses
from analyzers.engine import RuleEngine, RulePack, load_pack
from analyzers.errors import AnalyzerError, RulePackError
from analyzers.findings import DocumentAnalysis, Finding, lower_grade
from analyzers.normalize import Normalized, normalize
from analyzers.registry import default_pack_path
from analyzers.sectors import SECTOR_LABELS, SectorDetector, SectorGuess

__all__ = [
    "PACK_NAME",
    "PLATFORMS",
    "AdInputError",
    "AdLawAnalyzer",
    "create_analyzer",
    "resolve_platform",
]

logger = logging.getLogger(__name__)

PACK_NAME = "ad_law"
# Where an ad was collected (a source's `platform`); None when unknown.
PLATFORMS: tuple[str, ...] = ("livestream", "seeding", "advertorial", "ecommerce", "video")
# Other names for the platform kinds, including the sites that typically carry them.
_PLATFORM_ALIASES = {
    "live": "livestream", "live_stream": "livestream", "直播": "livestream",
    "直播带货": "livestream", "直播间": "livestream",
    "seed": "seeding", "种草": "seeding", "笔记": "seeding", "xiaohongshu": "seeding",
    "小红书": "seeding", "weibo": "seeding", "微博": "seeding", "post": "seeding",
    "软文": "advertorial", "article": "advertorial", "news": "advertorial", "wechat": "advertorial",
    "weixin": "advertorial", "公众号": "advertorial", "微信公众号": "advertorial",
    "e_commerce": "ecommerce", "shop": "ecommerce", "电商": "ecommerce", "taobao": "ecommerce",
    "淘宝": "ecommerce", "tmall": "ecommerce", "天猫": "ecommerce", "jd": "ecommerce",
    "京东": "ecommerce", "pinduoduo": "ecommerce", "拼多多": "ecommerce",
    "short_video": "video", "短视频": "video", "视频": "video", "douyin": "video", "抖音": "video",
    "kuaishou": "video", "快手": "video", "bilibili": "video",
}
_PLATFORM_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("livestream", ("live", "直播")),
    ("seeding", ("seed", "note", "xhs", "种草", "笔记", "小红书")),
    ("advertorial", ("advertorial", "article", "news", "wechat", "软文", "公众号", "新闻")),
    ("ecommerce", ("commerce", "shop", "store", "mall", "product", "电商", "商品", "店铺")),
    ("video", ("video", "caption", "视频")),
)
# Passed to the engine instead of a sector when the text names none: rules that only make
# sense in one sector (包过 → education) may then still fire on the claim alone.
UNSPECIFIED = "unspecified"
# The sector a finding implies when the text itself named none.
_IMPLIED_SECTOR = {"AD-18": "health_food", "AD-23": "alcohol", "AD-24": "education",
                   "AD-25": "finance", "AD-26": "real_estate"}
# A source stated anywhere in the ad (数据来源：…, 报告编号 …) weakens an unsourced-data finding.
_SOURCE_RE = re.compile(
    r"数据来源|来源:|报告编号|出处:|检测机构:|引自|摘自|《[^》]{2,40}》(?:显示|数据|报告|统计)"
)
_PATENT_NO_RE = re.compile(r"(?:专利号|zl)\s?:?\s?\d{8,}")


class AdInputError(AnalyzerError, ValueError):
    """An analyze() argument that cannot be used (unknown platform or sector)."""


@dataclass(frozen=True)
class _Evidence:
    """What the whole ad states that a single clause cannot show."""

    source: bool  # a source for data (数据来源、报告编号…)
    patent_number: bool  # a patent number (专利号 ZL…)


@dataclass(frozen=True)
class _Signal:
    kind: str
    start: int  # offsets into the normalised text
    end: int
    text: str


class _UnlabelledCheck:
    """AD-14: commercial signals without a 广告 label, over the whole text."""

    def __init__(self, cfg: Mapping[str, Any], path: str) -> None:
        base = "extensions.unlabelled"

        def rx(value: Any, where: str) -> re.Pattern[str]:
            if isinstance(value, list):
                value = "|".join(f"(?:{v})" for v in value)
            if not isinstance(value, str) or not value:
                raise RulePackError(path, f"{base}.{where}", "expected a regex or a list")
            try:
                return re.compile(value)
            except re.error as exc:
                raise RulePackError(path, f"{base}.{where}", f"bad regex: {exc}") from exc

        try:
            self.citation = str(cfg["citation"])
            self.news_citation = str(cfg["news_citation"])
            self.exempt = frozenset(cfg.get("exempt_platforms") or ())
            self.editorial = frozenset(cfg.get("editorial_platforms") or ())
            self.min_kinds = int(cfg.get("min_kinds", 2))
            self.strong = frozenset(cfg.get("strong_kinds") or ())
            signals = cfg["signals"]
        except (KeyError, TypeError, ValueError) as exc:
            raise RulePackError(path, base, f"missing or bad field: {exc}") from exc
        if not isinstance(signals, Mapping) or not signals:
            raise RulePackError(path, f"{base}.signals", "expected kind -> list of regexes")
        self.signals = {str(k): rx(v, f"signals.{k}") for k, v in signals.items()}
        self.post_form = rx(cfg["post_form"], "post_form")
        self.news_form = rx(cfg["news_form"], "news_form")
        self.signal_negations = tuple(cfg.get("signal_negations") or ())
        self.label = rx(cfg["label"], "label")
        self.label_negations = tuple(cfg.get("label_negations") or ())

    def signals_in(self, norm: str) -> list[_Signal]:
        out: list[_Signal] = []
        for kind, pattern in self.signals.items():
            for m in pattern.finditer(norm):
                before = norm[max(0, m.start() - 4) : m.start()]
                if any(neg in before for neg in self.signal_negations):
                    continue
                out.append(_Signal(kind, m.start(), m.end(), m.group()))
        return sorted(out, key=lambda s: s.start)

    def labelled(self, norm: str) -> bool:
        cleaned = norm
        for neg in self.label_negations:
            cleaned = cleaned.replace(neg, "")
        return self.label.search(cleaned) is not None

    def check(
        self, text: str, norm: Normalized, platform: str | None, sector: str
    ) -> Finding | None:
        if platform in self.exempt:
            return None
        n = norm.text
        if self.labelled(n):
            return None
        signals = self.signals_in(n)
        kinds = {s.kind for s in signals}
        if not kinds:
            return None
        news = self.news_form.search(n) is not None
        # A 合作/推广 marker says the post is paid for: it is a form cue as well as a signal.
        form = news or "cooperation" in kinds or self.post_form.search(n) is not None
        # Only content that looks like something other than an ad (a shared experience, a
        # review, a news story, or any post on an editorial platform) needs the label: a
        # shop's own promotion is recognisable as selling without one.
        if not form and platform not in self.editorial:
            return None
        commercial = kinds - {"cooperation"}
        if not commercial:
            return None
        if not (kinds & self.strong) and len(kinds) < self.min_kinds:
            return None
        first = next((s for s in signals if s.kind in ("link", "coupon", "contact")), signals[0])
        start, end = norm.span_to_original(first.start, first.end)
        for clause in split_clauses(text):
            if clause.start <= start < clause.end:
                start, end = clause.start, clause.end
                break
        cues = "、".join(dict.fromkeys(f"「{s.text}」" for s in signals[:6]))
        citation = self.citation
        what = "以体验分享、测评等形式推销商品并附加购买方式" if form else "含有商业推销信息"
        if news:
            citation = f"{self.news_citation}；{self.citation}"
            what = "以新闻报道形式推销商品"
        return Finding(
            standard="AD-14", rule="ad-14-unlabelled", grade="疑似", start=start, end=end,
            quote=text[start:end], citation=citation,
            explanation=f"{what}，未显著标明“广告”（商业信号：{cues}）",
            sector=sector,
        )


class AdLawAnalyzer:
    """analyze(text, sector=None, platform=None) -> DocumentAnalysis for one ad text."""

    def __init__(self, pack: RulePack) -> None:
        if pack.kind != "ad":
            raise RulePackError(pack.path, "kind", f"expected an ad pack, got kind {pack.kind!r}")
        self.pack = pack
        self.engine = RuleEngine(pack)
        ext = pack.extensions
        for key in ("sectors", "live", "unlabelled"):
            if key not in ext:
                raise RulePackError(pack.path, f"extensions.{key}", "required section is missing")
        self.sectors = SectorDetector.from_mapping(ext["sectors"], path=pack.path)
        live = ext["live"]
        if not isinstance(live, Mapping) or not live.get("cues") or not live.get("citation"):
            raise RulePackError(pack.path, "extensions.live", "needs `citation` and `cues`")
        self.live_citation = str(live["citation"])
        self.live_platforms = frozenset(live.get("platforms") or ("livestream",))
        self.live_cues = tuple(str(c) for c in live["cues"])
        self.unlabelled = _UnlabelledCheck(ext["unlabelled"], pack.path)
        warning = ext.get("quoted_warning") or {}
        try:
            self.warning_cues = tuple(str(c) for c in warning.get("cues", ()))
            self.quoted = re.compile(str(warning.get("quotes", r"[“\"「『].{1,30}?[”\"」』]")))
            self.case_markers = tuple(str(c) for c in warning.get("case_markers", ()))
        except (AttributeError, re.error) as exc:
            raise RulePackError(
                pack.path, "extensions.quoted_warning", f"expected cues and a quotes regex: {exc}"
            ) from exc
        promo = ext.get("promotion") or {}
        try:
            self.promotion = [re.compile(x) for x in promo.get("promotion", ())]
            self.not_ad = [re.compile(x) for x in promo.get("not_ad", ())]
        except (AttributeError, TypeError, re.error) as exc:
            raise RulePackError(
                pack.path, "extensions.promotion", f"expected promotion and not_ad regexes: {exc}"
            ) from exc
        marks = ext.get("trademarks") or []
        if not isinstance(marks, list) or not all(isinstance(m, str) for m in marks):
            raise RulePackError(pack.path, "extensions.trademarks", "expected a list of regexes")
        try:
            self.trademarks = [re.compile(m) for m in marks]
        except re.error as exc:
            raise RulePackError(pack.path, "extensions.trademarks", f"bad regex: {exc}") from exc

    def analyze(
        self, text: str, *, sector: str | None = None, platform: str | None = None,
        product: str | None = None,
    ) -> DocumentAnalysis:
        """Findings for one ad. `sector` (id or Chinese name) overrides detection;
        `platform` is where it was collected; `product` is product-card text, if any."""
        if not isinstance(text, str):
            raise AdInputError(f"analyze() needs str text, got {type(text).__name__}")
        platform = resolve_platform(platform)
        try:
            guess = self.sectors.detect(text, hint=sector, product=product)
        except ValueError as exc:
            raise AdInputError(str(exc)) from exc
        gate = guess.sector if guess.source != "default" else UNSPECIFIED
        logger.debug("ad sector %s (%s, cues %s), platform %s, %d characters",
                     guess.sector, guess.source, ",".join(guess.cues), platform, len(text))
        masked = self._mask_trademarks(text)
        found = self.engine.analyze(masked, sector=gate, platform=platform).findings
        norm = normalize(text)
        evidence = _Evidence(
            source=_SOURCE_RE.search(norm.text) is not None,
            patent_number=_PATENT_NO_RE.search(norm.text) is not None,
        )
        findings = [
            self._contextualise(replace(f, quote=text[f.start : f.end]), evidence, guess)
            for f in found
        ]
        ad14 = self.unlabelled.check(text, norm, platform, guess.sector)
        if ad14 is not None:
            findings.append(_with_sector_note(ad14, guess))
        if self._is_live(text, platform):
            findings.extend(self._live_findings(findings, guess))
        elif platform is None and not self.is_promotion(norm.text):
            findings = [_not_an_ad(f) for f in findings]
        findings.sort(key=lambda f: (f.start, f.standard))
        return DocumentAnalysis(findings)

    # -- context

    def is_promotion(self, norm: str) -> bool:
        """False for a text that reads as news, a review, an explainer or contract terms and
        shows no sign of commercial promotion; True otherwise (an ad is the default)."""
        if not any(rx.search(norm) for rx in self.not_ad):
            return True
        return any(rx.search(norm) for rx in self.promotion)

    def _mask_trademarks(self, text: str) -> str:
        """`text` with brand names and registered marks blanked out, offsets unchanged."""
        spans = [m.span() for rx in self.trademarks for m in rx.finditer(text)]
        if not spans:
            return text
        chars = list(text)
        for s, e in spans:
            chars[s:e] = "□" * (e - s)
        return "".join(chars)

    def _contextualise(self, f: Finding, evidence: _Evidence, guess: SectorGuess) -> Finding:
        if f.standard == "AD-11" and evidence.source:
            f = replace(f, grade=lower_grade(f.grade),
                        explanation=f.explanation + "；文中另有出处说明，须核对出处是否对应该数据")
        if f.standard == "AD-12" and evidence.patent_number:
            f = replace(f, grade="提示", explanation=f.explanation + "；文中另标有专利号，须核对")
        if (
            f.flagging and any(c in f.quote for c in self.warning_cues)
            and self.quoted.search(f.quote)
            and not any(c in f.quote for c in self.case_markers)
        ):
            f = replace(f, grade="提示", exception="引述：条文警示或禁止被引号引出的用语",
                        explanation=f.explanation + "；该句是在警示或禁止所引用语，而非作出该宣传")
        sector_id = guess.sector
        g = guess
        if guess.source == "default" and f.standard in _IMPLIED_SECTOR:
            sector_id = _IMPLIED_SECTOR[f.standard]
            g = SectorGuess(sector_id, "claim")
        return _with_sector_note(replace(f, sector=sector_id), g)

    def _is_live(self, text: str, platform: str | None) -> bool:
        if platform is not None:
            return platform in self.live_platforms
        return any(cue in text for cue in self.live_cues)

    def _live_findings(self, findings: Iterable[Finding], guess: SectorGuess) -> list[Finding]:
        out: dict[tuple[int, int], Finding] = {}
        for f in findings:
            if not f.flagging or f.standard == "AD-14" or (f.start, f.end) in out:
                continue
            out[(f.start, f.end)] = Finding(
                standard="AD-LIVE", rule="ad-live-streamer", grade=f.grade, start=f.start,
                end=f.end, quote=f.quote, citation=self.live_citation,
                explanation=(f"直播营销中的违法广告内容（{f.standard}），直播间运营者、主播依其角色"
                             f"承担广告主、广告发布者或广告代言人的责任；{guess.describe()}"),
                sector=f.sector,
            )
        return list(out.values())


def _not_an_ad(f: Finding) -> Finding:
    if not f.flagging:
        return f
    return replace(f, grade="提示", explanation=(
        f"{f.explanation}；但全文读作新闻、评测、知识介绍或合同条款，且无价格、购买途径、品牌推广、"
        "号召购买或广告标识等商业推广迹象，不按广告判断（《广告法》第二条：直接或者间接地介绍自己所推销"
        "的商品或者服务的商业广告活动，适用本法），仅作提示"))


def _with_sector_note(f: Finding, guess: SectorGuess) -> Finding:
    if guess.source == "claim":
        note = f"行业：{SECTOR_LABELS[guess.sector]}（文本未显示行业，由违规用语推断）"
    else:
        note = guess.describe()
    return replace(f, explanation=f"{f.explanation}；{note}")


def resolve_platform(platform: str | None) -> str | None:
    """The platform kind (one of PLATFORMS) a platform name means; None for none given.

    Raises AdInputError naming the value when it means no known kind.
    """
    if platform is None or platform == "":
        return None
    p = platform.strip().lower().replace("-", "_").replace(" ", "_")
    p = _PLATFORM_ALIASES.get(p, p)
    if p not in PLATFORMS:
        # Compound names (live_room, wechat_article, product_page): the kind they contain.
        p = next((kind for kind, words in _PLATFORM_WORDS if any(w in p for w in words)), p)
    if p not in PLATFORMS:
        raise AdInputError(f"unknown platform {platform!r}: expected one of {', '.join(PLATFORMS)}")
    return p


# What a reviewer checks before upholding a finding the learned model raised on its own.
RESCUE_EXCEPTION = (
    "《广告法》第二条：直接或者间接地介绍自己所推销的商品或者服务的商业广告活动，适用本法"
    "——须核实该文本是否为商业广告，以及所述内容是否真实、有据"
)


def create_analyzer(rules_path: str | Path | None = None, *, learned: bool = True) -> Any:
    """The ad-law analyzer over config/rules/ad_law.yaml (or the pack at `rules_path`); with
    `learned`, wrapped in the learned second opinion of config/models/ad.json."""
    from analyzers.learned import CharModel, default_model_path
    from analyzers.second_opinion import SecondOpinion

    rules = AdLawAnalyzer(load_pack(rules_path or default_pack_path(PACK_NAME)))
    if not learned:
        return rules
    return SecondOpinion(rules, CharModel.load(default_model_path("ad")), rules.pack,
                         exception=RESCUE_EXCEPTION)
