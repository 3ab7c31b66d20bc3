"""Hostile zip archives built byte by byte (shared by the tests and ``bench/bench_hostile.py``).

Each archive is a valid zip patched afterwards: the central directory lies, a member claims encryption or
method 99 (AES), a CRC is wrong. Offsets are from APPNOTE.TXT (local header / central directory header).
"""

from __future__ import annotations

import io
import struct
import zipfile

__all__ = ["HOSTILE_ZIPS", "bomb_docx", "build_zip", "entity_docx", "patch_central", "patch_local"]

_LOCAL, _CENTRAL = b"PK\x03\x04", b"PK\x01\x02"
# field -> (offset in the local header, offset in the central header, struct format)
_FIELDS = {"flags": (6, 8, "<H"), "method": (8, 10, "<H"), "crc": (14, 16, "<I"), "size": (22, 24, "<I")}


def build_zip(members: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _patch(data: bytes, signature: bytes, which: int, field: str, value: int) -> bytes:
    out = bytearray(data)
    pos = out.find(signature)
    offsets = _FIELDS[field]
    fmt = offsets[2]
    assert isinstance(fmt, str)
    struct.pack_into(fmt, out, pos + int(offsets[which]), value)
    return bytes(out)


def patch_local(data: bytes, field: str, value: int) -> bytes:
    return _patch(data, _LOCAL, 0, field, value)


def patch_central(data: bytes, field: str, value: int) -> bytes:
    return _patch(data, _CENTRAL, 1, field, value)


def _both(data: bytes, field: str, value: int) -> bytes:
    return patch_central(patch_local(data, field, value), field, value)


_BODY = {"corpus/a.jsonl": b'{"id": "x", "date": "2024-07-01", "title": "t", "body": "b", "source": "s"}\n' * 2000}


def _lying() -> bytes:
    return patch_central(build_zip(_BODY), "size", 100)  # declares 100 bytes, inflates to ~150 KB


def _crc() -> bytes:
    return _both(build_zip(_BODY), "crc", 0x12345678)


def _encrypted() -> bytes:
    return _both(build_zip(_BODY), "flags", 0x1)


def _method99() -> bytes:
    return _both(build_zip(_BODY), "method", 99)


HOSTILE_ZIPS = {
    "lying_directory": _lying,
    "encrypted_member": _encrypted,
    "method_99": _method99,
    "crc_error": _crc,
    "name_360_bytes": lambda: build_zip({"corpus/" + "名" * 120 + ".jsonl": b"{}\n"}),
    "nested_2100": lambda: build_zip({"d/" * 2100 + "x.jsonl": b"{}\n"}),
    "zip_slip": lambda: build_zip({"../../etc/evil.jsonl": b"{}\n"}),
    "markdown_name": lambda: build_zip({"![x](http://evil.example/beacon.png)[点我](http://phish.example)/../a.jsonl":
                                        b"{}\n"}),
    "not_a_zip": lambda: b"PK\x03\x04 this is no archive",
}


def _docx(document_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .docx (content types, relationships, document) around ``document_xml``."""
    types = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             b'<Default Extension="xml" ContentType="application/xml"/>'
             b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             b'wordprocessingml.document.main+xml"/></Types>')
    rels = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'officeDocument" Target="word/document.xml"/></Relationships>')
    return build_zip({"[Content_Types].xml": types, "_rels/.rels": rels, "word/document.xml": document_xml,
                      **(extra or {})})


_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def entity_docx() -> bytes:
    """Billion laughs in word/document.xml."""
    lol = b"".join(b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">' % ((i,) + (i - 1,) * 10)
                   for i in range(1, 10))
    xml = (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "lol">' + lol + b']>'
           b'<w:document ' + _W + b'><w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>')
    return _docx(xml)


def bomb_docx(inflated_mb: int = 80) -> bytes:
    """document.xml of ``inflated_mb`` MB of one repeated paragraph (compresses ~1000:1)."""
    para = b"<w:p><w:r><w:t>" + b"A" * 1000 + b"</w:t></w:r></w:p>"
    xml = (b'<?xml version="1.0"?><w:document ' + _W + b"><w:body>" + para * (inflated_mb * 1024)
           + b"</w:body></w:document>")
    return _docx(xml)
