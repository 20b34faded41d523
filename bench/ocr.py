"""Benchmark: OCR engines on images rendered from real illegal ad claims, and video reading.

Renders the illegal claims (label true) of shared/eval/ad_dev.jsonl with three Debian CJK
fonts on clean, noisy and photo-like backgrounds at 24/32/44 px, then in the same run

- reads every image with each engine (rapidocr: PP-OCRv4 ONNX from the wheel; tesseract:
  Debian's chi_sim) and prints character accuracy per font and background, images per
  second (wall time, one thread) and the ratio of the two engines' speeds;
- makes a one-minute video (a new text slide every 5 s, a caption track) and reads it
  with `media.extract_media` (keyframes, de-duplication, OCR, captions), printing seconds
  per video minute against the baseline of ffmpeg merely decoding the same file.

    .venv/bin/python bench/ocr.py [--claims 6] [--engines rapidocr,tesseract]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from media import extract_media, get_engine  # noqa: E402
from media.accuracy import char_accuracy  # noqa: E402
from media.image import load_image  # noqa: E402
from tests.media.render import (  # noqa: E402
    CONDITIONS,
    FONTS,
    illegal_claims,
    make_video,
    render,
)

SIZES = (24, 32, 44)


def images(n_claims: int) -> list:
    claims = illegal_claims()[:n_claims]
    return [
        render(c["text"], font_label=f[0], condition=cond, size=SIZES[i % 3], seed=i)
        for f in FONTS
        for cond in CONDITIONS
        for i, c in enumerate(claims)
    ]


def bench_engine(name: str, renders: list) -> tuple[float, dict[tuple[str, str], float]]:
    engine = get_engine(name)
    engine.read(load_image(renders[0].png), image="warm-up")  # model load is not timed
    per: dict[tuple[str, str], list[float]] = {}
    started = time.perf_counter()
    for r in renders:
        lines = engine.read(load_image(r.png), image="bench")
        acc = char_accuracy(r.text, "".join(ln.text for ln in lines))
        per.setdefault((r.font, r.condition), []).extend([acc * len(r.text), len(r.text)])
    elapsed = time.perf_counter() - started
    table = {k: sum(v[0::2]) / sum(v[1::2]) for k, v in per.items()}
    return len(renders) / elapsed, table


def bench_video(engine: str) -> tuple[float, float, int]:
    texts = [c["text"][:24] for c in illegal_claims()][:12]
    with tempfile.TemporaryDirectory() as tmp:
        cues = [(i * 5 + 0.5, i * 5 + 4.5, t) for i, t in enumerate(texts)]
        path = make_video(Path(tmp) / "minute.mp4", texts, seconds_each=5.0, captions=cues)
        started = time.perf_counter()
        subprocess.run(
            ["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"], check=True, timeout=300
        )
        decode = time.perf_counter() - started
        started = time.perf_counter()
        got = extract_media(
            path.read_bytes(),
            name="minute.mp4",
            media_type="video",
            engine=get_engine(engine),
            time_limit=600,
        )
        read = time.perf_counter() - started
    minutes = 5.0 * len(texts) / 60
    return read / minutes, decode / minutes, got.frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=6)
    parser.add_argument("--engines", default="rapidocr,tesseract")
    args = parser.parse_args()
    renders = images(args.claims)
    engines = args.engines.split(",")
    print(
        f"{len(renders)} images: {args.claims} real claims x {len(FONTS)} fonts x "
        f"{len(CONDITIONS)} backgrounds, sizes {SIZES} px"
    )
    speeds = {}
    for name in engines:
        speed, table = bench_engine(name, renders)
        speeds[name] = speed
        print(f"\n{name}: {speed:.2f} images/s")
        print("  font              " + "  ".join(f"{c:>7}" for c in CONDITIONS))
        for font_label, *_ in FONTS:
            cells = "  ".join(f"{table[(font_label, c)]:7.3f}" for c in CONDITIONS)
            print(f"  {font_label:<16}  {cells}")
        total = sum(table.values()) / len(table)
        print(f"  mean character accuracy {total:.3f}")
    if len(speeds) == 2:
        a, b = engines
        print(f"\nspeed ratio {a}/{b}: {speeds[a] / speeds[b]:.2f}")
    per_minute, decode, frames = bench_video(engines[0])
    print(
        f"\nvideo ({engines[0]}): {per_minute:.1f} s per video minute "
        f"({frames} keyframes after de-duplication); ffmpeg decode alone "
        f"{decode:.2f} s per minute; ratio {per_minute / decode:.1f}x decode time"
    )


if __name__ == "__main__":
    main()
