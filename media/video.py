"""Video: keyframes by scene change (ffmpeg), de-duplicated by perceptual hash, and the
subtitle tracks a file carries. ffmpeg and ffprobe are Debian's."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import imagehash
from PIL import Image

from media.errors import CorruptMediaError, MediaTimeout, MediaToolError

_PTS = re.compile(r"Parsed_showinfo.*?\bn:\s*(\d+).*?pts_time:([\d.]+)")
# ffmpeg's decode complaints about a damaged or cut-off file.
_DAMAGE = re.compile(
    r"invalid|corrupt|truncat|partial file|error while decoding|moov atom|end of file|"
    r"missing|incomplete", re.IGNORECASE)


@dataclass
class Probe:
    duration: float
    video: bool
    audio: bool
    subtitles: int


@dataclass
class Keyframe:
    time: float
    end: float
    image: Image.Image


@dataclass
class Keyframes:
    frames: list[Keyframe]
    scanned: int  # frames ffmpeg picked at scene changes, before de-duplication
    damage: str | None = None  # first complaint of ffmpeg's decoder, when the file is damaged
    skipped_duplicates: int = field(default=0)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise MediaToolError(f"{name} is not installed (apt-get install ffmpeg)")
    return path


def _run(cmd: list[str], *, timeout: float, name: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=max(timeout, 0.1), check=False)
    except subprocess.TimeoutExpired as exc:
        raise MediaTimeout(f"{Path(cmd[0]).name} took longer than {timeout:.0f}s",
                           name=name) from exc


def _last_line(stderr: bytes) -> str:
    lines = [ln for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1].strip() if lines else "no detail"


def probe(path: Path, *, timeout: float = 30, name: str | None = None) -> Probe:
    """Duration and streams; CorruptMediaError if ffprobe cannot read it as a video."""
    label = name or path.name
    proc = _run([_tool("ffprobe"), "-v", "error", "-show_entries",
                 "format=duration:stream=codec_type", "-of", "json", str(path)],
                timeout=timeout, name=label)
    if proc.returncode != 0:
        detail = _last_line(proc.stderr).replace(f"{path}: ", "")
        raise CorruptMediaError(f"not a readable video: {detail}", name=label)
    info = json.loads(proc.stdout or b"{}")
    kinds = [s.get("codec_type") for s in info.get("streams", [])]
    if "video" not in kinds:
        raise CorruptMediaError("no video stream", name=label)
    try:
        duration = float(info.get("format", {}).get("duration", "nan"))
    except ValueError:
        duration = float("nan")
    if not duration == duration:  # NaN: no container duration, a cut-off file
        raise CorruptMediaError("no duration: the file is truncated or damaged", name=label)
    return Probe(duration, True, "audio" in kinds, kinds.count("subtitle"))


# A caption or price overlay changing on a still background scores 0.03-0.1 in ffmpeg's
# scene metric (a few added characters at the low end), a cut between shots 0.3 and more:
# the threshold sits below the first, and the perceptual hash drops the extra near-repeats.
SCENE_THRESHOLD = 0.02
MAX_FRAMES = 200


def keyframes(path: Path, *, duration: float, threshold: float = SCENE_THRESHOLD,
              max_distance: int = 6, max_frames: int = MAX_FRAMES, timeout: float = 120,
              name: str | None = None) -> Keyframes:
    """The first frame and each frame at a scene change, minus near-duplicates (perceptual
    hash within max_distance bits of one already kept); each frame's end is the next
    kept frame's time (or the video's end)."""
    label = name or path.name
    with tempfile.TemporaryDirectory(prefix="fairwatch-frames-") as tmp:
        proc = _run([_tool("ffmpeg"), "-hide_banner", "-nostdin", "-i", str(path),
                     "-vf", f"select='eq(n\\,0)+gt(scene\\,{threshold})',showinfo",
                     "-fps_mode", "vfr", "-f", "image2", f"{tmp}/k%05d.png"],
                    timeout=timeout, name=label)
        stderr = proc.stderr.decode("utf-8", "replace")
        times = [float(m.group(2)) for m in _PTS.finditer(stderr)]
        files = sorted(Path(tmp).glob("k*.png"))
        damage = next((ln.strip() for ln in stderr.splitlines()
                       if _DAMAGE.search(ln) and "showinfo" not in ln), None)
        if proc.returncode != 0 and not files:
            raise CorruptMediaError(f"ffmpeg could not decode it: {_last_line(proc.stderr)}",
                                    name=label)
        kept: list[tuple[float, Image.Image, imagehash.ImageHash]] = []
        for file, t in zip(files, times, strict=False):
            img = Image.open(file).convert("RGB")
            digest = imagehash.phash(img)
            if any(digest - h <= max_distance for _, _, h in kept):
                continue
            if len(kept) >= max_frames:
                damage = damage or f"more than {max_frames} distinct keyframes; the rest not read"
                break
            kept.append((t, img, digest))
    frames = [
        Keyframe(t, kept[n + 1][0] if n + 1 < len(kept) else duration, img)
        for n, (t, img, _) in enumerate(kept)
    ]
    return Keyframes(frames, len(files), damage, len(files) - len(kept))


def subtitle_tracks(path: Path, count: int, *, timeout: float = 60,
                    name: str | None = None) -> list[str]:
    """Each embedded subtitle track as WebVTT text (ffmpeg converts mov_text, SRT, ASS)."""
    tracks = []
    for n in range(count):
        proc = _run([_tool("ffmpeg"), "-v", "error", "-nostdin", "-i", str(path),
                     "-map", f"0:s:{n}", "-f", "webvtt", "-"], timeout=timeout,
                    name=name or path.name)
        if proc.returncode == 0:
            tracks.append(proc.stdout.decode("utf-8", "replace"))
    return tracks


def audio_wav(path: Path, *, timeout: float = 120, name: str | None = None) -> bytes:
    """The sound track as 16 kHz mono WAV, what whisper.cpp and FunASR servers take."""
    proc = _run([_tool("ffmpeg"), "-v", "error", "-nostdin", "-i", str(path), "-vn", "-ac", "1",
                 "-ar", "16000", "-f", "wav", "-"], timeout=timeout, name=name or path.name)
    if proc.returncode != 0:
        raise CorruptMediaError(f"no decodable audio: {_last_line(proc.stderr)}",
                                name=name or path.name)
    return proc.stdout
