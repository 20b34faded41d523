"""Text of Word 97-2003 binary documents (.doc) and WPS Writer files (.wps).

WPS Office saves .wps in the same OLE compound format as Word 97, so one reader serves
both. The text is read through the piece table ([MS-DOC] 2.8.35 Clx / PlcPcd): the
WordDocument stream's FIB points at the Clx in the 0Table or 1Table stream; each piece
says where its characters sit in WordDocument and whether they are stored as cp1252
bytes ("compressed") or UTF-16LE. Chinese text is always UTF-16LE pieces.
"""

from __future__ import annotations

import io
import re
import struct

import olefile

from crawlers.errors import AttachmentError

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WIDENT = 0xA5EC
_FLAGS_OFFSET = 0x000A
_F_ENCRYPTED = 0x0100
_F_WHICH_TABLE = 0x0200
_CCP_TEXT_OFFSET = 0x004C  # FibRgLw97.ccpText: characters in the main document
_FC_CLX_OFFSET = 0x01A2  # FibRgFcLcb97.fcClx / lcbClx
_COMPRESSED = 0x40000000
# Field codes: \x13 instruction \x14 shown result \x15. Keep the result only.
_FIELD = re.compile(r"\x13[^\x13\x14\x15]*\x14([^\x13\x14\x15]*)\x15|\x13[^\x13\x14\x15]*\x15")
_SPECIAL = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x07": "\t", "\x01": "",
                          "\x08": "", "\x1e": "-", "\x1f": "", "\xa0": " "})


def read(data: bytes, *, max_bytes: int, file_type: str = "doc") -> str:
    # olefile treats short bytes as a file name: check the magic, open a file object.
    if not data.startswith(_OLE_MAGIC):
        raise AttachmentError(f"{file_type}: not an OLE compound file (Word 97-2003 format)")
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        if not ole.exists("WordDocument"):
            raise AttachmentError(f"{file_type}: no WordDocument stream: not a Word document")
        word = ole.openstream("WordDocument").read()
        if len(word) < _FC_CLX_OFFSET + 8 or struct.unpack_from("<H", word, 0)[0] != _WIDENT:
            raise AttachmentError(f"{file_type}: the Word header (FIB) is missing or damaged")
        flags = struct.unpack_from("<H", word, _FLAGS_OFFSET)[0]
        if flags & _F_ENCRYPTED:
            raise AttachmentError(f"{file_type}: the document is encrypted")
        table_name = "1Table" if flags & _F_WHICH_TABLE else "0Table"
        if not ole.exists(table_name):
            raise AttachmentError(f"{file_type}: the {table_name} stream is missing")
        table = ole.openstream(table_name).read()
    ccp_text = struct.unpack_from("<I", word, _CCP_TEXT_OFFSET)[0]
    fc_clx, lcb_clx = struct.unpack_from("<II", word, _FC_CLX_OFFSET)
    if fc_clx + lcb_clx > len(table) or not lcb_clx:
        raise AttachmentError(f"{file_type}: the piece table points outside the table stream")
    text = _piece_text(word, table[fc_clx : fc_clx + lcb_clx], ccp_text, file_type)
    text = _FIELD.sub(lambda match: match.group(1) or "", text)
    # Each table cell ends with \x07 and each row with one more: rows become lines.
    text = text.replace("\x07\x07", "\x07\n").replace("\x07\n\r", "\x07\n")
    text = text.translate(_SPECIAL)
    return "\n".join(line.rstrip("\t") for line in text.split("\n"))


def _piece_text(word: bytes, clx: bytes, ccp_text: int, file_type: str) -> str:
    pos = 0
    # Skip the Prc entries (property modifiers) that may precede the piece table.
    while pos < len(clx) and clx[pos] == 0x01:
        pos += 3 + struct.unpack_from("<H", clx, pos + 1)[0]
    if pos >= len(clx) or clx[pos] != 0x02:
        raise AttachmentError(f"{file_type}: no piece table in the Clx")
    size = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5 : pos + 5 + size]
    count = (len(plc) - 4) // 12
    if count <= 0:
        raise AttachmentError(f"{file_type}: the piece table is empty")
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    parts: list[str] = []
    for index in range(count):
        start, end = cps[index], min(cps[index + 1], ccp_text)
        if end <= start:
            break
        fc = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * index + 2)[0]
        length = end - start
        if fc & _COMPRESSED:
            offset = (fc & ~_COMPRESSED) // 2
            parts.append(word[offset : offset + length].decode("cp1252", errors="replace"))
        else:
            parts.append(word[fc : fc + 2 * length].decode("utf-16-le", errors="replace"))
    return "".join(parts)
