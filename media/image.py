"""Reading image bytes safely: a broken or hostile file is an error that names why."""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

from media.errors import CorruptMediaError

# Past this many pixels an "image" is treated as hostile (decompression bomb).
MAX_PIXELS = 40_000_000


def load_image(data: bytes, *, name: str | None = None) -> Image.Image:
    """The decoded RGB image; CorruptMediaError if it is not a complete, sane image."""
    if not data:
        raise CorruptMediaError("empty file", name=name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()  # checks structure without decoding all pixels
            img = Image.open(io.BytesIO(data))
            if img.width * img.height > MAX_PIXELS:
                raise CorruptMediaError(
                    f"image too large ({img.width}x{img.height} pixels, limit {MAX_PIXELS})",
                    name=name,
                )
            img.load()
    except CorruptMediaError:
        raise
    except UnidentifiedImageError as exc:
        raise CorruptMediaError("not an image PIL can read", name=name) from exc
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as exc:
        raise CorruptMediaError(f"broken image: {exc}", name=name) from exc
    return img.convert("RGB")
