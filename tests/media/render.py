"""Images and videos with printed Chinese ad claims, made here from real published ad texts.

The claims are the illegal ones (label true) of shared/eval/ad_dev.jsonl, each with its
source page. They are drawn with the CJK fonts Debian ships (fonts-noto-cjk,
fonts-wqy-microhei) at several sizes, on clean, noisy and photo-like backgrounds, and as a
live-room screenshot; bench/ocr.py uses the same images.
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

SHARED = Path(__file__).resolve().parents[3] / "shared"
AD_DEV = SHARED / "eval" / "ad_dev.jsonl"

# (label, file, face name wanted inside a .ttc collection)
FONTS = (
    ("noto-sans", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("noto-serif-bold", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
     "Noto Serif CJK SC"),
    ("wqy-microhei", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "WenQuanYi Micro Hei"),
)
CONDITIONS = ("clear", "noisy", "photo")


def illegal_claims() -> list[dict]:
    """Rows of the dev set that are real illegal ad texts: id, text, standard, source."""
    rows = [json.loads(line) for line in AD_DEV.read_text(encoding="utf-8").splitlines() if line]
    return [r for r in rows if r.get("label") is True]


def font(label: str, size: int) -> ImageFont.FreeTypeFont:
    for name, path, face in FONTS:
        if name == label:
            for index in range(10):
                f = ImageFont.truetype(path, size, index=index)
                if f.getname()[0] == face:
                    return f
            raise LookupError(f"{face} not in {path}")
    raise LookupError(label)


def wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width) or [text]


@dataclass
class Rendered:
    png: bytes
    lines: list[str]  # the text as drawn, one entry per printed line
    font: str
    condition: str
    size: int

    @property
    def text(self) -> str:
        return "".join(self.lines)


def _background(w: int, h: int, condition: str, rng: random.Random) -> Image.Image:
    if condition == "clear":
        return Image.new("RGB", (w, h), "white")
    img = Image.new("RGB", (w, h), (rng.randint(200, 255), rng.randint(200, 240), 200))
    draw = ImageDraw.Draw(img)
    if condition == "photo":  # a product-photo-like gradient with blobs
        for y in range(h):
            shade = int(160 + 80 * y / h)
            draw.line([(0, y), (w, y)], fill=(shade, int(shade * 0.9), int(shade * 0.7)))
        for _ in range(12):
            x, y, r = rng.randint(0, w), rng.randint(0, h), rng.randint(20, 90)
            tone = rng.randint(150, 230)
            draw.ellipse([x - r, y - r, x + r, y + r], fill=(tone, tone - 20, tone - 40))
        return img.filter(ImageFilter.GaussianBlur(3))
    for _ in range(w * h // 60):  # speckle noise and stray strokes
        x, y = rng.randrange(w), rng.randrange(h)
        tone = rng.randint(120, 255)
        draw.point((x, y), fill=(tone, tone, tone))
    for _ in range(8):
        draw.line([(rng.randrange(w), rng.randrange(h)), (rng.randrange(w), rng.randrange(h))],
                  fill=(rng.randint(150, 220),) * 3, width=1)
    return img


def render(text: str, *, font_label: str = "noto-sans", size: int = 32,
           condition: str = "clear", width_chars: int = 16, seed: int = 0,
           fmt: str = "PNG") -> Rendered:
    """text printed on an image, wrapped at width_chars per line."""
    rng = random.Random(seed)
    f = font(font_label, size)
    lines = wrap(text, width_chars)
    pad, gap = size, size // 2
    w = pad * 2 + max(int(f.getlength(line)) for line in lines)
    h = pad * 2 + len(lines) * (size + gap)
    img = _background(w, h, condition, rng)
    draw = ImageDraw.Draw(img)
    ink = (20, 20, 20) if condition == "clear" else (160, 10, 10)
    for n, line in enumerate(lines):
        draw.text((pad, pad + n * (size + gap)), line, font=f, fill=ink)
    if condition == "noisy":
        img = img.filter(ImageFilter.GaussianBlur(0.6))
    buf = io.BytesIO()
    img.save(buf, fmt, quality=80) if fmt == "JPEG" else img.save(buf, fmt)
    return Rendered(buf.getvalue(), lines, font_label, condition, size)


def live_room_screenshot(claim: str, danmaku: list[str], *, seed: int = 0) -> Rendered:
    """A phone-sized screenshot of a live room: dark video area, a product card with the
    claim, danmaku in the corner; `lines` holds only the claim (what must be read)."""
    rng = random.Random(seed)
    w, h = 540, 960
    img = Image.new("RGB", (w, h), (30, 30, 40))
    draw = ImageDraw.Draw(img)
    for _ in range(30):
        x, y, r = rng.randint(0, w), rng.randint(0, h // 2), rng.randint(10, 60)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(rng.randint(40, 90),) * 3)
    small, big = font("noto-sans", 20), font("noto-sans", 30)
    for n, line in enumerate(danmaku):
        draw.text((16, 520 + n * 30), line, font=small, fill=(230, 230, 230))
    lines = wrap(claim, 15)
    top = 720
    draw.rounded_rectangle([12, top - 16, w - 12, top + len(lines) * 42 + 10], 14, fill="white")
    for n, line in enumerate(lines):
        draw.text((28, top + n * 42), line, font=big, fill=(200, 0, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return Rendered(buf.getvalue(), lines, "noto-sans", "screenshot", 30)


def make_video(path: Path, slides: list[str], *, seconds_each: float = 2.0,
               captions: list[tuple[float, float, str]] | None = None,
               fmt: str = "mp4") -> Path:
    """A video of one slide per text (each shown seconds_each), by ffmpeg from PNG frames,
    with the captions as a soft subtitle track (mov_text in MP4, WebVTT in WebM)."""
    work = path.parent / f"{path.stem}-frames"
    work.mkdir(exist_ok=True)
    for n, text in enumerate(slides):
        frame = render(text, size=40, width_chars=12, seed=n)
        img = Image.open(io.BytesIO(frame.png)).convert("RGB")
        canvas = Image.new("RGB", (640, 360), "white")
        img.thumbnail((620, 340))
        canvas.paste(img, ((640 - img.width) // 2, (360 - img.height) // 2))
        canvas.save(work / f"f{n:03d}.png")
    cmd = ["ffmpeg", "-v", "error", "-y", "-framerate", f"1/{seconds_each}",
           "-i", str(work / "f%03d.png")]
    if captions:
        vtt = work / "captions.vtt"
        vtt.write_text(to_vtt(captions), encoding="utf-8")
        cmd += ["-i", str(vtt)]
    codec = ["-c:v", "libx264", "-pix_fmt", "yuv420p"] if fmt == "mp4" else ["-c:v", "libvpx-vp9",
                                                                             "-b:v", "200k"]
    cmd += ["-map", "0:v"] + (["-map", "1:s"] if captions else [])
    cmd += codec + ["-r", "10"]
    if captions:
        cmd += ["-c:s", "mov_text" if fmt == "mp4" else "webvtt"]
    # The last slide stays on screen for its full time too.
    cmd += ["-t", str(seconds_each * len(slides)), str(path)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return path


def _stamp(t: float) -> str:
    ms = round(t * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def to_vtt(cues: list[tuple[float, float, str]]) -> str:
    body = "\n".join(f"{_stamp(a)} --> {_stamp(b)}\n{text}\n" for a, b, text in cues)
    return "WEBVTT\n\n" + body


def to_srt(cues: list[tuple[float, float, str]]) -> str:
    return "\n".join(
        f"{n}\n{_stamp(a).replace('.', ',')} --> {_stamp(b).replace('.', ',')}\n{text}\n"
        for n, (a, b, text) in enumerate(cues, 1)
    )
