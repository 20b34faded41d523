"""发文字号 parsing on the real numbers of doc_numbers.csv, variants, and running text."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest

from crawlers.extract import DocNumber, find_doc_numbers, parse_doc_number

RATE_FLOOR = 0.995


def test_every_real_number_parses(real_dir: Path) -> None:
    with (real_dir / "doc_numbers.csv").open(encoding="utf-8", newline="") as handle:
        numbers = [row["doc_number"] for row in csv.DictReader(handle) if row["doc_number"].strip()]
    assert len(numbers) > 18_000, "doc_numbers.csv lost rows"
    failures = []
    for raw in numbers:
        try:
            number = parse_doc_number(raw)
        except ValueError as exc:
            failures.append(str(exc))
            continue
        # What was parsed must be what the string says, not just "something".
        flat = unicodedata.normalize("NFKC", raw)
        assert str(number.serial) in flat and number.prefix in flat and number.raw == raw
        assert number.year is None or str(number.year) in flat
    rate = 1 - len(failures) / len(numbers)
    print(f"\ndoc numbers parsed: {len(numbers) - len(failures)}/{len(numbers)} = {rate:.4%}")
    for failure in failures:
        print("  FAIL", failure)
    assert rate >= RATE_FLOOR, f"{len(failures)} failures, first: {failures[:10]}"


@pytest.mark.parametrize(
    ("raw", "prefix", "year", "serial"),
    [
        ("粤府〔2023〕67号", "粤府", 2023, 67),
        ("粤府[2023]67号", "粤府", 2023, 67),
        ("粤府（2023）67号", "粤府", 2023, 67),
        ("粤府(2023)67号", "粤府", 2023, 67),
        ("粤府【2023】67号", "粤府", 2023, 67),
        ("粤府［2023］67号", "粤府", 2023, 67),
        ("粤府〖2023〗67号", "粤府", 2023, 67),
        ("粤府〔２０２３〕６７号", "粤府", 2023, 67),
        (" 粤 府 〔 2023 〕 67 号 ", "粤府", 2023, 67),
        ("粤府〔2023〕第67号", "粤府", 2023, 67),
        ("国发〔二〇一六〕68号", "国发", 2016, 68),
        ("沪府发〔98〕3号", "沪府发", 1998, 3),
        ("国家税务总局公告2015年第41号", "国家税务总局公告", 2015, 41),
        ("交通运输部令2016年第62号", "交通运输部令", 2016, 62),
        ("国务院令第708号", "国务院令", None, 708),
        ("财税字[1999]273号", "财税字", 1999, 273),
    ],
)
def test_variants(raw: str, prefix: str, year: int | None, serial: int) -> None:
    number = parse_doc_number(raw)
    assert (number.prefix, number.year, number.serial) == (prefix, year, serial)
    assert number.raw == raw


def test_canonical_form() -> None:
    assert parse_doc_number("粤府[2023]67号").canonical == "粤府〔2023〕67号"
    assert parse_doc_number("国务院令第708号").canonical == "国务院令第708号"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("关于印发通知", "not a document number"),
        ("〔2023〕67号", "not a document number"),
        ("粤府〔1800〕1号", "year 1800 is out of range"),
        ("2023年5月6日", "not a document number"),
    ],
)
def test_bad_numbers_raise_value_error_naming_the_input(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        parse_doc_number(raw)
    assert repr(raw) in str(info.value)


def test_find_doc_numbers_in_running_text() -> None:
    text = (
        "根据粤府〔2023〕67号和国办发[2019]3号文件精神，按照国家税务总局公告2015年第41号"
        "及国务院令第708号执行；粤府〔2023〕67号同时适用。2023年5月6日印发。"
    )
    found = find_doc_numbers(text)
    assert [n.canonical for n in found] == [
        "粤府〔2023〕67号",
        "国办发〔2019〕3号",
        "国家税务总局公告〔2015〕41号",
        "国务院令第708号",
    ]
    assert all(isinstance(n, DocNumber) for n in found)
    assert find_doc_numbers("没有文号的一段话，2023年第一季度。") == []
