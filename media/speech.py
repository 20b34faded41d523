"""Speech recognition by a server the office runs itself, addressed by URL.

The protocol is whisper.cpp's `server` example (`POST /inference`, multipart field `file`
with the audio, `response_format=verbose_json`, answer `{"text", "segments": [{"start",
"end", "text"}]}`); another engine (FunASR) is connected through a front that answers
the same request. Segments become timed TextLines like captions.
"""

from __future__ import annotations

import httpx

from media.errors import SpeechError
from media.lines import TextLine


class SpeechServer:
    def __init__(self, url: str, *, timeout: float = 300, language: str = "zh") -> None:
        if not url.startswith(("http://", "https://")):
            raise SpeechError(f"speech server URL must be http(s)://…, got {url!r}")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.language = language

    def transcribe(self, wav: bytes, *, name: str | None = None,
                   timeout: float | None = None) -> list[TextLine]:
        endpoint = f"{self.url}/inference"
        try:
            resp = httpx.post(
                endpoint,
                files={"file": ("audio.wav", wav, "audio/wav")},
                data={"response_format": "verbose_json", "language": self.language,
                      "temperature": "0.0"},
                timeout=timeout or self.timeout,
            )
            resp.raise_for_status()
            body = resp.json()
        except httpx.HTTPStatusError as exc:
            raise SpeechError(f"{endpoint} answered {exc.response.status_code}", name=name) from exc
        except httpx.HTTPError as exc:
            raise SpeechError(f"{endpoint} unreachable: {exc}", name=name) from exc
        except ValueError as exc:
            raise SpeechError(f"{endpoint} did not answer JSON", name=name) from exc
        segments = body.get("segments") if isinstance(body, dict) else None
        if not isinstance(segments, list):
            raise SpeechError(f"{endpoint}: no `segments` list in the answer "
                              "(is response_format=verbose_json supported?)", name=name)
        lines = []
        for seg in segments:
            try:
                text = str(seg["text"]).strip()
                start, end = float(seg["start"]), float(seg["end"])
            except (KeyError, TypeError, ValueError) as exc:
                raise SpeechError(f"{endpoint}: bad segment {seg!r}", name=name) from exc
            if text:
                lines.append(TextLine(text=text, origin="speech", start=start, end=end))
        return lines
