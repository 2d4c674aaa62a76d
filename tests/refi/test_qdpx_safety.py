"""REFI-QDA .qdpx: fixes for hostile, damaged and conflicting files (issues 15, 16, 21, 22).

Each test builds its case itself and failed before the fix it names.
"""

# ruff: noqa: E501  (XML fixtures keep one element per line)

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from qualcode.refi.qdpx import read_qdpx_content

QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="{origin}">
 <Users><User guid="11111111-1111-1111-1111-111111111111" name="ana"/></Users>
 <CodeBook><Codes><Code guid="22222222-2222-2222-2222-222222222222" name="Harm" isCodable="true"/>
 </Codes></CodeBook>
 <Sources><TextSource guid="33333333-3333-3333-3333-333333333333" name="int09">{inline}
  <PlainTextSelection guid="44444444-4444-4444-4444-444444444444" startPosition="{s}" endPosition="{e}">
   <Coding guid="55555555-5555-5555-5555-555555555555" creatingUser="11111111-1111-1111-1111-111111111111">
    <CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/></Coding>
  </PlainTextSelection></TextSource>
 </Sources>
</Project>"""


def _qdpx(
    tmp_path: Path,
    text: str,
    s: int | str = 0,
    e: int | str = 1,
    *,
    origin: str = "SomeTool 1.0",
    files: dict[str, bytes] | None = None,
    name: str = "t.qdpx",
) -> Path:
    """A one-source .qdpx with its text inline and one coding [s, e)."""
    qde = QDE.format(
        origin=origin,
        inline=f"<PlainTextContent>{text}</PlainTextContent>",
        s=s,
        e=e,
    )
    p = tmp_path / name
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde)
        for k, v in (files or {}).items():
            z.writestr(k, v)
    return p


# -- issue 15: one owner for role detection ---------------------------------------
@pytest.mark.parametrize(
    "asker,answerer", [("IV", "P1"), ("Question", "Answer"), ("Int", "Officer")]
)
def test_qdpx_speaker_roles_follow_the_transcript_readers(tmp_path, asker, answerer):
    text = (
        f"{asker}: What happened?\n{answerer}: We arrested him.\n"
        f"{asker}: And then?\n{answerer}: He was released."
    )
    content = read_qdpx_content(_qdpx(tmp_path, text))
    roles = [(u.speaker, u.role) for u in content.transcripts[0].turns]
    assert roles == [
        (asker, "interviewer"),
        (answerer, "participant"),
        (asker, "interviewer"),
        (answerer, "participant"),
    ]
