"""Text from images and video: OCR, keyframes, captions, danmaku and speech transcripts.

Bytes or files in, `TextLine`s out, each with where it was seen: the image and the box of
the line, or the time range in the video. `extract_media` is the one entry point the
application uses; it imports nothing of ours.
"""

from media.errors import CorruptMediaError, MediaError, MediaTimeout, SpeechError
from media.extract import MEDIA_TYPES, MediaText, extract_media, media_type_of
from media.lines import TextLine, join_lines
from media.ocr import OCR_ENGINES, OcrEngine, get_engine

__all__ = [
    "MEDIA_TYPES",
    "OCR_ENGINES",
    "CorruptMediaError",
    "MediaError",
    "MediaText",
    "MediaTimeout",
    "OcrEngine",
    "SpeechError",
    "TextLine",
    "extract_media",
    "get_engine",
    "join_lines",
    "media_type_of",
]
