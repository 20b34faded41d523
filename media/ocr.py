"""OCR engines behind one interface: image in, TextLines with boxes out.

Two engines that install from a registry with their Chinese models, measured against each
other by bench/ocr.py (README: "Ads in images and video"):

- `rapidocr`: PaddleOCR's PP-OCRv4 detection and recognition models as ONNX, shipped
  inside the rapidocr-onnxruntime wheel; the default.
- `tesseract`: Debian's tesseract-ocr with the tesseract-ocr-chi-sim model, via pytesseract.
"""

from __future__ import annotations

import threading
from typing import Protocol

from PIL import Image

from media.errors import MediaTimeout, MediaToolError
from media.lines import TextLine

OCR_ENGINES = ("rapidocr", "tesseract")
DEFAULT_ENGINE = "rapidocr"


class OcrEngine(Protocol):
    name: str

    def read(self, img: Image.Image, *, image: str, timeout: float | None = None) -> list[TextLine]:
        """The text lines of img, top to bottom, each with its box."""
        ...


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def _join_words(words: list[str]) -> str:
    """Tesseract splits Chinese into one 'word' per character or run: glue CJK back."""
    out = ""
    for word in words:
        if out and not (_is_cjk(out[-1]) or _is_cjk(word[0])):
            out += " "
        out += word
    return out


class TesseractEngine:
    name = "tesseract"

    def __init__(self, lang: str = "chi_sim", psm: int = 6) -> None:
        import pytesseract

        self._tess = pytesseract
        self.lang = lang
        self.config = f"--psm {psm}"
        try:
            langs = pytesseract.get_languages()
        except (pytesseract.TesseractNotFoundError, OSError) as exc:
            raise MediaToolError(
                "tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
            ) from exc
        if lang not in langs:
            raise MediaToolError(f"tesseract has no {lang!r} model (apt-get install "
                                 "tesseract-ocr-chi-sim); it has: " + ", ".join(langs))

    def read(self, img: Image.Image, *, image: str, timeout: float | None = None) -> list[TextLine]:
        try:
            data = self._tess.image_to_data(
                img, lang=self.lang, config=self.config, output_type=self._tess.Output.DICT,
                timeout=timeout or 0,
            )
        except RuntimeError as exc:  # pytesseract's timeout
            raise MediaTimeout(f"tesseract took longer than {timeout}s", name=image) from exc
        except self._tess.TesseractError as exc:
            raise MediaToolError(f"tesseract failed: {exc}", name=image) from exc
        groups: dict[tuple[int, int, int], list[int]] = {}
        for i, word in enumerate(data["text"]):
            if word.strip() and float(data["conf"][i]) >= 0:
                key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
                groups.setdefault(key, []).append(i)
        lines = []
        for idx in groups.values():
            x0 = min(data["left"][i] for i in idx)
            y0 = min(data["top"][i] for i in idx)
            x1 = max(data["left"][i] + data["width"][i] for i in idx)
            y1 = max(data["top"][i] + data["height"][i] for i in idx)
            conf = sum(float(data["conf"][i]) for i in idx) / len(idx) / 100
            text = _join_words([data["text"][i].strip() for i in idx])
            lines.append(TextLine(text=text, origin="ocr", image=image, box=(x0, y0, x1, y1),
                                  confidence=round(conf, 3)))
        return sorted(lines, key=lambda ln: (ln.box[1], ln.box[0]))  # type: ignore[index]


class RapidOcrEngine:
    name = "rapidocr"
    _lock = threading.Lock()  # one ONNX session per process, shared by the worker threads

    _shared = None

    def __init__(self) -> None:
        with self._lock:
            if RapidOcrEngine._shared is None:
                from rapidocr_onnxruntime import RapidOCR

                RapidOcrEngine._shared = RapidOCR()
        self._ocr = RapidOcrEngine._shared

    def read(self, img: Image.Image, *, image: str, timeout: float | None = None) -> list[TextLine]:
        import numpy as np

        # RapidOCR takes OpenCV's BGR order for arrays.
        result, _ = self._ocr(np.asarray(img)[:, :, ::-1])
        lines = []
        for points, text, score in result or []:
            xs = [int(round(p[0])) for p in points]
            ys = [int(round(p[1])) for p in points]
            lines.append(TextLine(text=text.strip(), origin="ocr", image=image,
                                  box=(min(xs), min(ys), max(xs), max(ys)),
                                  confidence=round(float(score), 3)))
        return sorted((ln for ln in lines if ln.text), key=lambda ln: (ln.box[1], ln.box[0]))  # type: ignore[index]


_ENGINES: dict[str, OcrEngine] = {}
_ENGINES_LOCK = threading.Lock()


def get_engine(name: str = DEFAULT_ENGINE) -> OcrEngine:
    """The engine by name (built once per process); MediaToolError if it cannot run here."""
    if name not in OCR_ENGINES:
        raise MediaToolError(f"unknown OCR engine {name!r}: use one of {', '.join(OCR_ENGINES)}")
    with _ENGINES_LOCK:
        if name not in _ENGINES:
            _ENGINES[name] = RapidOcrEngine() if name == "rapidocr" else TesseractEngine()
        return _ENGINES[name]
