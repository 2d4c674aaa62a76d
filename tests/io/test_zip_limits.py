"""Zip bombs in .docx transcripts and .xlsx attribute tables (issue 21).

Each hostile file is built here: a real .docx/.xlsx whose zip gets one extra or
replaced entry, compressed by hand (the same 1 MiB deflate segment repeated after
a full flush), so a 2 GiB part costs 2 MB on disk and no time to make. Entries
carry a CRC of 0: the refusal must come before a single byte is decompressed.
The import runs in a child process limited to 1 GiB of address space, where
reading the part would fail with MemoryError after a long time.
"""

from __future__ import annotations

import io
import os
import re
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pytest

MiB = 1 << 20
SRC = str(Path(__import__("qualcode").__file__).resolve().parents[1])


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _repeated(prefix: bytes, chunk: bytes, n: int, suffix: bytes) -> tuple[bytes, int]:
    """Raw deflate of prefix + chunk * n + suffix, built from one chunk's segment."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    seg = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH) == seg
    tail = c.compress(suffix) + c.flush()
    return head + seg * n + tail, len(prefix) + len(chunk) * n + len(suffix)


def _zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of (name, raw deflate data, crc, uncompressed size) entries."""
    out, central = bytearray(), bytearray()
    for name, raw, crc, size in entries:
        nb, off = name.encode(), len(out)
        out += struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(raw),
            size,
            len(nb),
            0,
        )
        out += nb + raw
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(raw), size, len(nb),
            0, 0, 0, 0, 0, off,
        )  # fmt: skip
        central += nb
    n = len(entries)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(central), len(out), 0)
    return bytes(out + central + end)


def _rebuilt(original: bytes, replace: dict[str, tuple[bytes, int]]) -> bytes:
    """The archive with some entries replaced or added (raw deflate, size)."""
    entries = []
    with zipfile.ZipFile(io.BytesIO(original)) as z:
        for info in z.infolist():
            if info.filename in replace:
                continue
            data = z.read(info)
            entries.append((info.filename, _deflate(data), zlib.crc32(data), len(data)))
    for name, (raw, size) in replace.items():
        entries.append((name, raw, 0, size))
    return _zip(entries)


def _docx_bytes() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("I: How long have you served?")
    d.add_paragraph("P1: Twelve years.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    pd.DataFrame({"transcript_id": ["int01"], "site": ["North"]}).to_excel(
        buf, index=False
    )
    return buf.getvalue()


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def bomb_unused_part(tmp_path: Path) -> Path:
    """A ~2 MB .docx holding an unused 2 GiB part of zeros."""
    raw, size = _repeated(b"", bytes(MiB), 2048, b"")
    p = tmp_path / "unused_part.docx"
    p.write_bytes(_rebuilt(_docx_bytes(), {"word/media/blob.bin": (raw, size)}))
    return p


def bomb_document_xml(tmp_path: Path) -> Path:
    """A small .docx whose word/document.xml expands to ~1.2 GB."""
    para = f"<w:p><w:r><w:t>{'harm reduction ' * 60}</w:t></w:r></w:p>".encode()
    chunk = para * (MiB // len(para))
    prefix = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}"><w:body>'
    ).encode()
    raw, size = _repeated(prefix, chunk, 1150, b"</w:body></w:document>")
    p = tmp_path / "document_xml.docx"
    p.write_bytes(_rebuilt(_docx_bytes(), {"word/document.xml": (raw, size)}))
    return p


def bomb_xlsx_sheet(tmp_path: Path) -> Path:
    """An .xlsx attribute table whose sheet XML expands to ~1.2 GB."""
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    chunk = row * (MiB // len(row))
    prefix = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        b'main"><sheetData>'
    )
    raw, size = _repeated(prefix, chunk, 1150, b"</sheetData></worksheet>")
    p = tmp_path / "attributes.xlsx"
    p.write_bytes(_rebuilt(_xlsx_bytes(), {"xl/worksheets/sheet1.xml": (raw, size)}))
    return p


def run_limited(call: str, path: Path, *, limit: int = 1 << 30) -> tuple[str, float]:
    """Run ``call`` on ``path`` in a child with RLIMIT_AS = ``limit``; (output, s)."""
    code = textwrap.dedent(
        f"""
        import sys
        from qualcode.errors import QualcodeError
        import qualcode, qualcode.io.attributes
        try:
            {call}({str(path)!r})
        except QualcodeError as exc:
            print("QUALCODE-ERROR", str(exc)[:300])
        except BaseException as exc:
            print("OTHER", type(exc).__name__, str(exc)[:300])
        else:
            print("READ")
        """
    )

    def limit_memory() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {
        "PYTHONPATH": SRC,
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "PATH": os.environ.get("PATH", ""),
    }
    t0 = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-c", code],
        preexec_fn=limit_memory,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    elapsed = time.perf_counter() - t0
    return r.stdout + r.stderr[-2000:], elapsed


@pytest.mark.slow
@pytest.mark.parametrize(
    "build",
    [bomb_unused_part, bomb_document_xml],
    ids=["unused-2GiB-part", "document-xml-1.2GB"],
)
def test_issue21_docx_zip_bomb_refused_before_reading(tmp_path, build):
    path = build(tmp_path)
    assert path.stat().st_size < 4 * MiB
    out, elapsed = run_limited("qualcode.read_transcript", path)
    assert re.search(r"QUALCODE-ERROR \[QC(231|710)\].*refused", out), out
    assert "MemoryError" not in out, out
    assert path.name in out
    assert elapsed < 20, elapsed  # import of qualcode itself is most of it


@pytest.mark.slow
def test_issue21_xlsx_attributes_zip_bomb_refused_before_reading(tmp_path):
    path = bomb_xlsx_sheet(tmp_path)
    out, elapsed = run_limited("qualcode.io.attributes.read_attributes", path)
    assert re.search(r"QUALCODE-ERROR \[QC(231|710)\].*refused", out), out
    assert "MemoryError" not in out and elapsed < 20, out


@pytest.mark.slow
def test_zip_limits_normal_docx_still_reads_under_the_memory_limit(tmp_path):
    p = tmp_path / "normal.docx"
    p.write_bytes(_docx_bytes())
    out, _ = run_limited("qualcode.read_transcript", p)
    assert "READ" in out, out


def test_zip_limits_many_small_parts_bomb_refused(tmp_path):
    # 600 entries of 1 MiB zeros (each below the per-entry ratio floor): 600 MiB
    # from ~600 KB; the archive as a whole is a bomb
    raw, size = _repeated(b"", bytes(MiB), 1, b"")
    parts = {f"word/media/p{i}.bin": (raw, size) for i in range(600)}
    p = tmp_path / "many.docx"
    p.write_bytes(_rebuilt(_docx_bytes(), parts))
    from qualcode import read_transcript
    from qualcode.errors import ImportFormatError

    with pytest.raises(ImportFormatError, match=r"\[QC231\].*all parts.*zip bomb"):
        read_transcript(p)


def test_zip_limits_unsupported_zip_version_is_import_error(tmp_path):
    # a damaged central directory asking for zip version 6.4: zipfile raises
    # NotImplementedError when opening, which must not escape as QC222
    data = bytearray(_docx_bytes())
    at = data.find(b"PK\x01\x02")
    data[at + 6 : at + 8] = (64).to_bytes(2, "little")
    p = tmp_path / "v64.docx"
    p.write_bytes(bytes(data))
    from qualcode import read_transcript
    from qualcode.errors import ImportFormatError

    with pytest.raises(ImportFormatError, match=r"\[QC206\].*v64\.docx"):
        read_transcript(p)


@pytest.mark.slow
def test_issue21_xlsx_selections_zip_bomb_refused_before_reading(tmp_path):
    path = bomb_xlsx_sheet(tmp_path)
    out, elapsed = run_limited("qualcode.read_selections", path)
    assert re.search(r"QUALCODE-ERROR \[QC(231|710)\].*refused", out), out
    assert "MemoryError" not in out and elapsed < 20, out
