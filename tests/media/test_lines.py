"""Joining lines into one text: wrapped paragraph lines read as one sentence, and a span of
that text maps back to the lines (and so boxes and times) it came from."""

from __future__ import annotations

from media.lines import TextLine, join_lines, locate


def _ocr(text: str, y: int, *, image: str = "a.png", x: int = 10) -> TextLine:
    return TextLine(text=text, origin="ocr", image=image, box=(x, y, x + 30 * len(text), y + 30))


def test_wrapped_lines_join_and_map_back() -> None:
    lines = [_ocr("吃了就能根治", 10), _ocr("糖尿病", 50), _ocr("限时特价", 200),
             TextLine(text="国家级产品", origin="caption", start=1.0, end=2.5)]
    text, spans = join_lines(lines)
    assert text == "吃了就能根治糖尿病\n限时特价\n国家级产品"
    start = text.index("根治糖尿病")
    where = locate(lines, spans, start, start + 5)
    assert [w["box"] for w in where] == [(10, 10, 190, 40), (10, 50, 100, 80)]
    cap = text.index("国家级")
    assert locate(lines, spans, cap, cap + 3) == [
        {"origin": "caption", "start": 1.0, "end": 2.5}]


def test_lines_of_other_images_or_far_apart_do_not_join() -> None:
    text, _ = join_lines([_ocr("第一张", 10), _ocr("第二张", 50, image="b.png"),
                          _ocr("右栏", 90, image="b.png", x=400)])
    assert text == "第一张\n第二张\n右栏"
