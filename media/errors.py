"""Errors of media/.

    MediaError                 base; `reason` is a short stable key for stats and records
    ├── CorruptMediaError      the bytes are not a readable image or video (reason: corrupt)
    ├── MediaTimeout           the time limit for one item or document ran out (reason: timeout)
    ├── MediaToolError         ffmpeg/ffprobe/tesseract missing or failing (reason: tool)
    └── SpeechError            the speech server failed or answered badly (reason: speech)
"""

from __future__ import annotations


class MediaError(Exception):
    reason = "media"

    def __init__(self, message: str, *, name: str | None = None) -> None:
        self.name = name
        super().__init__(f"{name}: {message}" if name else message)


class CorruptMediaError(MediaError):
    reason = "corrupt"


class MediaTimeout(MediaError):
    reason = "timeout"


class MediaToolError(MediaError):
    reason = "tool"


class SpeechError(MediaError):
    reason = "speech"
