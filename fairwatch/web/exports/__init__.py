"""Files the console hands out: search results (.xlsx), the review form and the monitoring
report (.docx). Each builder takes plain values and returns the file's bytes."""

from __future__ import annotations

from fastapi.responses import Response

MEDIA_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(data: bytes, filename: str) -> Response:
    """The file as an attachment, its media type from its suffix (.docx or .xlsx)."""
    media_type = MEDIA_TYPES[filename[filename.rindex("."):]]
    return Response(
        data, media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
