"""Sector detection: the sector decides which ad rules apply, so it is tested on its own."""

from __future__ import annotations

import pytest

from analyzers.ad_law import create_analyzer
from analyzers.errors import RulePackError
from analyzers.sectors import (
    DEFAULT_SECTOR,
    SECTOR_LABELS,
    SECTORS,
    SectorDetector,
    UnknownSectorError,
    resolve_sector,
)


@pytest.fixture(scope="module")
def detector() -> SectorDetector:
    return create_analyzer().sectors


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("XX牌保健食品（国食健注G20190123），每日两粒。", "health_food"),
        ("XX感冒灵颗粒，请按药品说明书或者在药师指导下购买和使用。", "drug"),
        ("家用电子血压计，医疗器械注册证编号见包装。", "medical_device"),
        ("XX口腔医院种植牙项目，专家坐诊。", "medical_service"),
        ("这款面霜和精华搭配使用，肌肤水润。", "cosmetics"),
        ("XX酱香型白酒，53度，粮食酿造。", "alcohol"),
        ("手工挂面，零食大礼包，蜂蜜柚子茶。", "food"),
        ("考研全程班课程，名师授课，学员专属题库。", "education"),
        ("XX理财产品，业绩比较基准年化3.5%。", "finance"),
        ("XX花园楼盘，建面约89㎡三房，售楼处已开放。", "real_estate"),
        ("夏季新款卫衣，纯棉面料，S-XL码可选。", "ordinary"),
    ],
)
def test_each_sector_is_detected_from_text(
    detector: SectorDetector, text: str, sector: str
) -> None:
    guess = detector.detect(text)
    assert guess.sector == sector, guess
    assert guess.source == "text" and guess.cues


def test_every_sector_has_cues_in_the_pack(detector: SectorDetector) -> None:
    assert set(detector.sectors) == set(SECTORS)


def test_health_food_is_not_taken_for_food(detector: SectorDetector) -> None:
    # 保健食品 contains 食品: the more specific sector must win.
    assert detector.detect("XX鱼油软胶囊（保健食品）").sector == "health_food"


def test_claims_do_not_move_an_ad_into_the_medical_sectors(detector: SectorDetector) -> None:
    # "消炎"/"降压药" are claims, not what is sold: a food ad stays food.
    assert detector.detect("苦荞茶，降血压，比降压药还好。").sector == "food"


def test_no_cue_means_ordinary_goods_by_default(detector: SectorDetector) -> None:
    guess = detector.detect("史无前例，全球首款")
    assert (guess.sector, guess.source) == (DEFAULT_SECTOR, "default")
    assert "普通商品" in guess.describe()


def test_an_explicit_hint_wins_over_the_text(detector: SectorDetector) -> None:
    text = "XX酱香型白酒，53度。"
    assert detector.detect(text).sector == "alcohol"
    guess = detector.detect(text, hint="food")
    assert (guess.sector, guess.source) == ("food", "hint")
    assert detector.detect(text, hint="保健食品").sector == "health_food"


def test_product_information_counts_double(detector: SectorDetector) -> None:
    text = "每天一杯，口感顺滑。"  # nothing says what is sold
    assert detector.detect(text).source == "default"
    assert detector.detect(text, product="XX益生菌饮料 500ml").sector == "food"


@pytest.mark.parametrize("value", ["cars", "", "vehicles "])
def test_unknown_hint_names_the_accepted_sectors(detector: SectorDetector, value: str) -> None:
    with pytest.raises(UnknownSectorError, match="unknown sector.*health_food.*保健食品") as info:
        detector.detect("任意文本", hint=value or " ")
    assert isinstance(info.value, ValueError)


def test_resolve_accepts_ids_chinese_names_and_aliases() -> None:
    for sid, label in SECTOR_LABELS.items():
        assert resolve_sector(sid) == sid
        assert resolve_sector(label) == sid
    assert resolve_sector("Medical") == "medical_service"
    assert resolve_sector("保健品") == "health_food"


@pytest.mark.parametrize(
    ("table", "field", "message"),
    [
        ({"cars": {3: ["汽车"]}}, "sectors.cars", "unknown sector"),
        ({"food": {0: ["茶"]}}, "sectors.food.0", "positive integer"),
        ({"food": {3: "茶"}}, "sectors.food.3", "list of regex"),
        ({"food": {3: ["(茶"]}}, "sectors.food.3", "bad regex"),
        ({"food": ["茶"]}, "sectors.food", "mapping"),
    ],
)
def test_bad_sector_tables_name_the_field(table: object, field: str, message: str) -> None:
    with pytest.raises(RulePackError, match=message) as info:
        SectorDetector.from_mapping(table, path="pack.yaml")
    assert info.value.field == field and info.value.path == "pack.yaml"


@pytest.mark.parametrize(
    ("value", "sector"),
    [("Health Food", "health_food"), ("medical-device", "medical_device"),
     ("real estate", "real_estate"), ("医疗美容", "medical_service"), ("白酒", "alcohol"),
     ("保健食品类", "health_food"), ("medical_device_class_ii", "medical_device"),
     ("普通食品（饼干）", "food")],
)
def test_hints_in_other_spellings_are_understood(value: str, sector: str) -> None:
    assert resolve_sector(value) == sector
