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


# -- issue 21: bounded memory ------------------------------------------------------
def _dense_to_stored(
    raw: str, positions: list[int], model: tuple[str, str]
) -> list[int]:
    """The former per-character implementation, as the reference for the streamed one."""
    import numpy as np

    n = len(raw)
    arr = np.frombuffer(raw.encode("utf-32-le"), dtype=np.uint32)
    crlf = np.zeros(n, dtype=bool)
    if n > 1:
        crlf[:-1] = (arr[:-1] == 13) & (arr[1:] == 10)
    raw_to_stored = np.arange(n + 1) - np.concatenate(([0], np.cumsum(crlf)))
    w = {
        "cp": np.ones(n, dtype=np.int64),
        "utf16": np.where(arr > 0xFFFF, 2, 1),
        "utf8": np.select([arr < 0x80, arr < 0x800, arr < 0x10000], [1, 2, 3], 4),
    }[model[0]]
    if model[1] == "lf":
        w = np.where(crlf, 0, w)
    cum = np.concatenate(([0], np.cumsum(w)))
    pos = np.asarray(positions, dtype=np.int64)
    if model[1] == "lf":
        idx = np.searchsorted(cum, pos, side="right") - 1
    else:
        idx = np.searchsorted(cum, pos, side="left")
        exact = (idx < len(cum)) & (cum[np.minimum(idx, len(cum) - 1)] == pos)
        idx = np.where(exact, idx, idx - 1)
    out = raw_to_stored[np.clip(idx, 0, len(cum) - 1)]
    return [int(x) for x in np.where((pos < 0) | (pos > cum[-1]), -1, out)]


def test_qdpx_streamed_offsets_match_the_dense_maps(monkeypatch):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from qualcode.refi import _offsets
    from qualcode.refi._offsets import MODELS, SourceText

    monkeypatch.setattr(_offsets, "CHUNK", 3)  # many chunk boundaries, CRLF across them

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(
        text=st.text(alphabet=st.sampled_from("ab \r\n\r\né€😀"), max_size=25),
        positions=st.lists(st.integers(-3, 110), max_size=12),
    )
    def check(text: str, positions: list[int]) -> None:
        s = SourceText(text)
        for model in MODELS:
            assert s.to_stored(positions, model) == _dense_to_stored(
                text, positions, model
            ), (text, model)

    check()


_CHILD = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from qualcode.errors import QualcodeError
from qualcode.refi.qdpx import read_qdpx
t = time.perf_counter()
try:
    read_qdpx(sys.argv[1], sys.argv[2]).close()
    outcome = "ok"
except QualcodeError as exc:
    outcome = "QualcodeError " + str(exc)[:300]
except MemoryError:
    outcome = "MemoryError"
print(outcome, "|", round(time.perf_counter() - t, 1))
"""


def _read_in_child(path: Path, project: Path) -> tuple[str, float]:
    """read_qdpx in a child process whose address space is limited to 1 GiB."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(project)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outcome, seconds = done.stdout.strip().rsplit("|", 1)
    return outcome.strip(), float(seconds)


def _bomb(path: Path, entries: int, size: int, pattern: bytes) -> Path:
    """A .qdpx of ``entries`` text sources of ``size`` bytes each, one coding each."""
    body = (pattern * (size // len(pattern) + 1))[:size]
    code = "30000000-0000-0000-0000-000000000001"
    sources = "".join(
        f'<TextSource guid="00000000-0000-0000-0000-{i:012d}" name="s{i}" '
        f'plainTextPath="internal://s{i}.txt"><PlainTextSelection '
        f'guid="10000000-0000-0000-0000-{i:012d}" startPosition="0" endPosition="1">'
        f'<Coding guid="20000000-0000-0000-0000-{i:012d}"><CodeRef targetGUID="{code}"/>'
        "</Coding></PlainTextSelection></TextSource>"
        for i in range(entries)
    )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project '
        'xmlns="urn:QDA-XML:project:1.0" name="h" origin="x"><CodeBook><Codes>'
        f'<Code guid="{code}" name="c" isCodable="true"/></Codes></CodeBook>'
        f"<Sources>{sources}</Sources></Project>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("project.qde", qde)
        for i in range(entries):
            z.writestr(f"sources/s{i}.txt", body)
    return path


def test_qdpx_small_bomb_is_refused_within_1gib_and_seconds(tmp_path):
    # the attack of issue 21: 48 entries of 1 MiB (each under the old 1 MiB ratio
    # floor) in a ~55 KiB file took ~6 GB and over a minute
    path = _bomb(tmp_path / "bomb.qdpx", 48, 1024**2, b"a b\n")
    assert path.stat().st_size < 64 * 1024
    outcome, seconds = _read_in_child(path, tmp_path / "p.qcproj")
    assert outcome.startswith("QualcodeError"), outcome
    assert "zip bomb" in outcome
    assert seconds < 20


def test_qdpx_many_small_entries_are_refused_as_a_whole(tmp_path):
    # entries below the ratio floor each, but the archive expands ~400-fold
    path = _bomb(tmp_path / "bomb.qdpx", 200, 60 * 1024, b"a b\n")
    outcome, seconds = _read_in_child(path, tmp_path / "p.qcproj")
    assert outcome.startswith("QualcodeError"), outcome
    assert "expands" in outcome and "as a whole" in outcome


def test_qdpx_dense_text_under_the_ratio_reads_in_bounded_memory(tmp_path):
    # incompressible-looking text (ratio ~ 3) in paragraphs of 4 characters: no
    # ratio check can refuse it, so turns and offsets must stay linear and small
    import random

    rng = random.Random(0)
    words = [
        "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(3))
        for _ in range(4000)
    ]
    text = "\n".join(rng.choice(words) for _ in range(2_000_000)).encode()  # 8 MB
    path = _bomb(tmp_path / "dense.qdpx", 1, len(text), text)
    outcome, seconds = _read_in_child(path, tmp_path / "p.qcproj")
    assert outcome == "ok", outcome
    assert seconds < 20


def test_qdpx_dense_paragraphs_become_one_turn_with_a_report(tmp_path):
    from qualcode.refi._turns import MAX_TURNS

    text = "ab\n" * (MAX_TURNS + 1)
    content = read_qdpx_content(_qdpx(tmp_path, text))
    assert len(content.transcripts[0].turns) == 1
    row = content.report.query("kind == 'turns'").iloc[0]
    assert row["action"] == "repaired" and "one turn" in row["detail"]


# -- issue 22: positions beyond 64 bits ----------------------------------------------
@pytest.mark.parametrize(
    "s,e",
    [(0, 2**63), (2**63, 2**63 + 5), (-(2**63) - 1, 3), (0, 10**40)],
)
def test_qdpx_huge_positions_are_reported_not_overflowing(tmp_path, s, e):
    from qualcode.errors import DataLossWarning

    content = read_qdpx_content(_qdpx(tmp_path, "We divert people.", s, e))
    assert len(content.codings) == 0
    dropped = content.report.query("kind == 'coding' and action == 'dropped'")
    assert "outside the text" in dropped["detail"].iloc[0]
    with pytest.warns(DataLossWarning, match="1 coding"):
        content._report.emit_warnings()


# -- issue 21: a damaged or hostile qualcode.json sidecar ---------------------------
def _own_qdpx(tmp_path: Path, name: str = "own.qdpx") -> Path:
    """A small .qdpx written by qualcode (with its sidecar)."""
    import pandas as pd

    from qualcode.codebook import Code, Codebook
    from qualcode.model import Transcript, TurnDraft
    from qualcode.refi.qdpx import QdpxContent, write_qdpx_content

    t = Transcript.build(
        "int01",
        [
            TurnDraft("What happened?", "Interviewer", "interviewer", 0.0, 2.0),
            TurnDraft("We diverted him.", "P1", "participant", 2.5, 4.0),
        ],
        attributes={"rank": "inspector"},
    )
    start = t.turns[1].start
    codings = pd.DataFrame(
        [
            {
                "transcript_id": "int01",
                "start": start + 3,
                "end": start + 11,
                "code": "divert",
                "coder": "AB",
                "origin": "pattern",
                "memo": None,
                "created": pd.Timestamp("2024-05-01T10:00:00.5Z"),
                "codebook_version": "2",
            }
        ]
    )
    book = Codebook([Code("divert", "Divert")], name="roles", version="2")
    content = QdpxContent("own", None, [t], [book], codings)
    return write_qdpx_content(content, tmp_path / name)


def _with_sidecar(path: Path, sidecar: bytes) -> Path:
    out = path.with_name("hostile-" + path.name)
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(
                item.filename, sidecar if item.filename == "qualcode.json" else data
            )
    return out


def _sidecar_of(path: Path) -> dict:
    import json

    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("qualcode.json"))


def _damaged(kind: str, side: dict) -> bytes:
    import json

    (guid,) = side["transcripts"]
    info = side["transcripts"][guid]
    if kind == "a list":
        return b"[1, 2, 3]"
    if kind == "nested":  # RecursionError in json.loads
        return b'{"transcripts": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    if kind == "transcripts a list":
        side["transcripts"] = [info]
    elif kind == "short turn":  # IndexError in the old reader
        info["turns"][1] = info["turns"][1][:3]
    elif kind == "time noon":  # stored, then widget.export_html crashed
        info["turns"][1][5] = "noon"
    elif kind == "bad role":
        info["turns"][0][2] = "judge"
    elif kind == "turn past the text":
        info["turns"][1][4] = 10**6
    elif kind == "id not text":
        info["id"] = {"x": 1}
    elif kind == "codings not a mapping":
        side["codings"] = "x"
    elif kind == "origin not text":
        (cg,) = side["codings"]
        side["codings"][cg]["origin"] = ["manual"]
    elif kind == "created noon":
        (cg,) = side["codings"]
        side["codings"][cg]["created"] = "noon"
    elif kind == "codebooks a mapping":
        side["codebooks"] = {"a": 1}
    return json.dumps(side).encode()


DAMAGE = [
    "a list",
    "nested",
    "transcripts a list",
    "short turn",
    "time noon",
    "bad role",
    "turn past the text",
    "id not text",
    "codings not a mapping",
    "origin not text",
    "created noon",
    "codebooks a mapping",
]


@pytest.mark.parametrize("kind", DAMAGE)
def test_qdpx_damaged_sidecar_is_ignored_with_a_warning(tmp_path, kind):
    from qualcode.errors import ImportWarning_
    from qualcode.refi.qdpx import read_qdpx

    own = _own_qdpx(tmp_path)
    path = _with_sidecar(own, _damaged(kind, _sidecar_of(own)))
    with pytest.warns(ImportWarning_, match="qualcode.json"):
        project = read_qdpx(path, tmp_path / "p.qcproj")
    with project:
        (t,) = project.iter_transcripts()
        assert t.id == "int01"  # from the REFI source name
        assert all(
            u.time_start is None or isinstance(u.time_start, float) for u in t.turns
        )
        assert all(u.role in (None, "interviewer", "participant") for u in t.turns)
        codings = project.codings()
        assert len(codings) == 1 and codings.loc[0, "text"] == "diverted"


# -- issue 22: one rule for characters XML cannot hold -------------------------------
def _content_with_controls():
    import pandas as pd

    from qualcode.codebook import Code, Codebook
    from qualcode.model import Transcript, TurnDraft
    from qualcode.refi.qdpx import QdpxContent

    t = Transcript.build(
        "int01",
        [TurnDraft("We divert people.", "P1", "participant")],
        attributes={"unit": "Form\x0cfeed", "note\x0b": "Vertical tab"},
    )
    codings = pd.DataFrame(
        [
            {
                "transcript_id": "int01",
                "start": t.turns[0].start,
                "end": t.turns[0].end,
                "code": "divert",
                "coder": "A\x01B",
                "origin": "manual",
                "memo": "pasted \x1b[1mbold\x1b[0m",
                "created": None,
                "codebook_version": None,
            }
        ]
    )
    book = Codebook([Code("divert", "Divert\x0b", definition="Form\x0cfeed.")])
    return QdpxContent("c", None, [t], [book], codings)


def test_qdpx_attribute_with_control_character_is_written(tmp_path):
    # a form feed in an attribute value made lxml raise ValueError
    from qualcode.model import Transcript, TurnDraft
    from qualcode.refi.qdpx import write_qdpx
    from qualcode.store import Project

    t = Transcript.build(
        "int01",
        [TurnDraft("We divert people.", "P1", "participant")],
        attributes={"unit": "Form\x0cfeed"},
    )
    with Project(tmp_path / "p.qcproj") as p:
        p.add_transcripts([t])
        out = write_qdpx(p, tmp_path / "p.qdpx", validate=True)
    with zipfile.ZipFile(out) as z:
        assert "Form\ufffdfeed" in z.read("project.qde").decode("utf-8")


def test_qdpx_control_characters_round_trip_through_the_sidecar(tmp_path):
    from qualcode.refi.qdpx import write_qdpx_content

    out = write_qdpx_content(_content_with_controls(), tmp_path / "c.qdpx")
    back = read_qdpx_content(out)
    (t,) = back.transcripts
    assert dict(t.attributes) == {"unit": "Form\x0cfeed", "note\x0b": "Vertical tab"}
    row = back.codings.iloc[0]
    assert row["coder"] == "A\x01B"  # was "AB"
    assert row["memo"] == "pasted \x1b[1mbold\x1b[0m"  # was stripped
    assert back.codebooks[0]["divert"].label == "Divert\x0b"


def test_qdpx_control_characters_without_sidecar_are_replacement_characters(tmp_path):
    from qualcode.errors import DataLossWarning
    from qualcode.refi.qdpx import write_qdpx_content

    with pytest.warns(DataLossWarning, match="U\\+FFFD"):
        out = write_qdpx_content(
            _content_with_controls(), tmp_path / "c.qdpx", sidecar=False
        )
    back = read_qdpx_content(out)
    row = back.codings.iloc[0]
    assert row["coder"] == "A\ufffdB"
    assert row["memo"] == "pasted \ufffd[1mbold\ufffd[0m"
    assert back.transcripts[0].attributes["unit"] == "Form\ufffdfeed"
    assert next(iter(back.codebooks[0])).label == "Divert\ufffd"


# -- issue 16.3: every file written atomically ---------------------------------------
def test_qdpx_crash_while_writing_keeps_the_previous_file(tmp_path, monkeypatch):
    from qualcode.refi.qdpx import write_qdpx_content

    out = write_qdpx_content(_content_with_controls(), tmp_path / "c.qdpx")
    before = out.read_bytes()
    real = zipfile.ZipFile.writestr

    def crash(self, info, data, *args, **kwargs):
        name = info.filename if hasattr(info, "filename") else info
        if name == "qualcode.json":
            raise KeyboardInterrupt  # Ctrl-C half-way through the archive
        return real(self, info, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", crash)
    with pytest.raises(KeyboardInterrupt):
        write_qdpx_content(_content_with_controls(), out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.qdpx"]


def test_qdc_crash_while_writing_keeps_the_previous_file(tmp_path, monkeypatch):
    from qualcode.codebook import Code, Codebook
    from qualcode.refi import qdc

    out = qdc.write_qdc(Codebook([Code("a", "A")]), tmp_path / "c.qdc")
    before = out.read_bytes()

    def crash(self, data):
        self.open("wb").write(data[:10])  # a partial write, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", crash)
    with pytest.raises(OSError):
        qdc.write_qdc(Codebook([Code("b", "B")]), out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.qdc"]


# -- issue 22: no temporary project left behind --------------------------------------
def test_qdpx_without_project_path_leaves_nothing_behind(tmp_path, monkeypatch):
    import gc
    import tempfile

    from qualcode.refi.qdpx import read_qdpx

    own = _own_qdpx(tmp_path)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with read_qdpx(own) as project:  # closed: deleted
        assert project.transcript_ids() == ["int01"]
        assert project.path.parent.parent == scratch
    read_qdpx(own)  # dropped without closing: deleted when collected
    gc.collect()
    assert list(scratch.iterdir()) == []


def test_qdpx_failed_import_without_project_path_leaves_nothing(tmp_path, monkeypatch):
    import tempfile

    from qualcode.errors import ImportFormatError, StoreError
    from qualcode.refi.qdpx import read_qdpx
    from qualcode.store import Project

    own = _own_qdpx(tmp_path)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    def fail(self, frame):
        raise StoreError("[QC400] injected failure")

    monkeypatch.setattr(Project, "add_codings", fail)
    with pytest.raises(ImportFormatError, match="QC782"):
        read_qdpx(own)
    assert list(scratch.iterdir()) == []


# -- issue 21: one transaction -------------------------------------------------------
def _failing_add_codings(monkeypatch):
    from qualcode.errors import StoreError
    from qualcode.store import Project

    def fail(self, frame):
        raise StoreError("[QC406] add_codings: 1 row(s) injected. Nothing was written.")

    monkeypatch.setattr(Project, "add_codings", fail)


def test_qdpx_failed_import_leaves_an_existing_project_as_it_was(tmp_path, monkeypatch):
    from qualcode.codebook import Code, Codebook
    from qualcode.errors import ImportFormatError
    from qualcode.model import Transcript
    from qualcode.refi.qdpx import read_qdpx
    from qualcode.store import Project

    target = tmp_path / "mine.qcproj"
    with Project(target) as p:
        p.set_codebook(Codebook([Code("mine", "Mine")], name="mine"))
        p.add_transcripts([Transcript("int99", "My own text.")])
        p.add_coding("int99", 0, 2, "mine", "ZZ")
    own = _own_qdpx(tmp_path)
    _failing_add_codings(monkeypatch)
    with pytest.raises(ImportFormatError, match="QC782") as err:
        read_qdpx(own, target)
    assert "Nothing was written" in str(err.value) and "as it was" in str(err.value)
    with Project(target) as p:  # codebooks and transcripts were written before
        assert p.transcript_ids() == ["int99"]
        assert [cb.name for cb in p.current_codebooks()] == ["mine"]
        assert len(p.codings()) == 1


def test_qdpx_failed_import_into_a_new_path_creates_no_project(tmp_path, monkeypatch):
    from qualcode.errors import ImportFormatError
    from qualcode.refi.qdpx import read_qdpx

    own = _own_qdpx(tmp_path)
    _failing_add_codings(monkeypatch)
    with pytest.raises(ImportFormatError, match="no project was created"):
        read_qdpx(own, tmp_path / "new.qcproj")
    assert not (tmp_path / "new.qcproj").exists()


# -- issue 16.1: importing never changes a stored transcript's text silently ---------
def _project_with_int01(path: Path, text: str) -> None:
    from qualcode.codebook import Code, Codebook
    from qualcode.model import Transcript, TurnDraft
    from qualcode.store import Project

    t = Transcript.build("int01", [TurnDraft(text, "P1", "participant")])
    with Project(path) as p:
        p.set_codebook(Codebook([Code("mine", "Mine")], name="mine"))
        p.add_transcripts([t])
        p.add_coding("int01", t.turns[0].start, t.turns[0].end, "mine", "ZZ")


def test_qdpx_import_refuses_to_change_an_existing_transcript_text(tmp_path):
    from qualcode.errors import ImportFormatError
    from qualcode.refi.qdpx import read_qdpx
    from qualcode.store import Project

    target = tmp_path / "mine.qcproj"
    _project_with_int01(target, "Something else entirely.")
    with pytest.raises(ImportFormatError, match=r"QC781.*'int01'.*replace=True"):
        read_qdpx(_own_qdpx(tmp_path), target)
    with Project(target) as p:
        assert "Something else entirely." in p.transcript("int01").text
        assert len(p.codings()) == 1 and len(p.orphans()) == 0


def test_qdpx_import_replace_true_replaces_and_reports(tmp_path):
    from qualcode.refi.qdpx import read_qdpx

    target = tmp_path / "mine.qcproj"
    _project_with_int01(target, "Something else entirely.")
    project, report = read_qdpx(
        _own_qdpx(tmp_path), target, replace=True, return_report=True
    )
    with project:
        assert "We diverted him." in project.transcript("int01").text
        assert len(project.orphans()) == 1  # its quote is gone from the new text
    row = report.query("kind == 'transcript'").iloc[0]
    assert row["action"] == "replaced" and "1 orphaned" in row["detail"]


def test_qdpx_import_keeps_a_transcript_with_the_same_text(tmp_path):
    from qualcode.refi.qdpx import read_qdpx
    from qualcode.store import Project

    own = _own_qdpx(tmp_path)
    target = tmp_path / "mine.qcproj"
    text = read_qdpx_content(own).transcripts[0].text
    with Project(target) as p:  # the same text, other turns and attributes
        from qualcode.model import Transcript, Turn

        p.add_transcripts(
            [
                Transcript(
                    "int01",
                    text,
                    turns=(Turn(0, "X", None, 0, len(text), text),),
                    attributes={"site": "north"},
                )
            ]
        )
    project, report = read_qdpx(own, target, return_report=True)
    with project:
        t = project.transcript("int01")
        assert [u.speaker for u in t.turns] == ["X"]
        assert dict(t.attributes) == {"site": "north"}
        assert project.codings()["text"].tolist() == ["diverted"]
    assert report.query("kind == 'transcript'")["action"].tolist() == ["kept"]


# -- issue 22: qualcode reads back everything it writes, under the default limits -----
def test_qdpx_large_demo_like_export_reads_back_under_default_limits(tmp_path):
    import pandas as pd

    from qualcode.codebook import Codebook
    from qualcode.datasets import demo as demo_data
    from qualcode.model import Transcript
    from qualcode.refi.qdpx import QdpxContent, write_qdpx_content

    corpus = demo_data.demo_corpus()
    codings = demo_data.demo_codings(corpus)
    root = demo_data.demo_corpus_dir().parent.parent
    books = [
        Codebook.load(root / "codebooks" / f"{n}.yaml")
        for n in ("roles", "harms", "culture")
    ]
    transcripts, frames = [], []
    for r in range(12):  # the demo twelve times: ~2 MB archive, ~11 MB expanded
        for t in corpus:
            transcripts.append(
                Transcript(
                    f"{t.id}-{r}", t.text, turns=t.turns, attributes=t.attributes
                )
            )
        frames.append(codings.assign(transcript_id=codings["transcript_id"] + f"-{r}"))
    all_codings = pd.concat(frames, ignore_index=True)
    content = QdpxContent("demo", None, transcripts, books, all_codings)
    out = write_qdpx_content(content, tmp_path / "demo.qdpx")
    assert out.stat().st_size > 1024**2
    back = read_qdpx_content(out)  # default ZipLimits
    assert len(back.transcripts) == len(transcripts)
    assert len(back.codings) == len(all_codings)
    assert sorted(c.id for b in back.codebooks for c in b) == sorted(
        c.id for b in books for c in b
    )


def test_qdpx_export_of_many_transcripts_reads_back(tmp_path):
    # more sources than the old 10,000-entry limit
    import pandas as pd

    from qualcode.model import Transcript
    from qualcode.refi.qdpx import QdpxContent, write_qdpx_content

    transcripts = [
        Transcript(f"t{i:05d}", f"Answer number {i}.") for i in range(10_050)
    ]
    codings = pd.DataFrame(
        {
            "transcript_id": ["t00007"],
            "start": [0],
            "end": [6],
            "code": ["a"],
            "coder": ["AB"],
        }
    )
    out = write_qdpx_content(
        QdpxContent("many", None, transcripts, [], codings), tmp_path / "many.qdpx"
    )
    back = read_qdpx_content(out)
    assert len(back.transcripts) == 10_050 and len(back.codings) == 1


def test_qdpx_corrupt_deflate_stream_is_an_import_error(tmp_path):
    # found by the fuzz: zlib.error escaped SafeZip.read
    from qualcode.errors import ImportFormatError

    raw = _qdpx(tmp_path, "We divert people. " * 40).read_bytes()
    data = bytearray(raw)
    data[raw.index(b"project.qde") + 11 + 40] ^= 0xFF  # inside the deflated data
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(bytes(data))
    with pytest.raises(ImportFormatError, match="QC710|QC206|QC711"):
        read_qdpx_content(bad)


# -- issue 22: a stray Windows-1252 byte does not turn a UTF-8 source into mojibake --
def test_qdpx_stray_cp1252_byte_in_a_utf8_source_is_repaired_alone(tmp_path):
    from qualcode.errors import ImportWarning_
    from qualcode.refi.qdpx import read_qdpx

    data = "Zoë said ".encode() + b"\x93hi\x94" + " to José.".encode()
    qde = QDE.format(origin="SomeTool 1.0", inline="", s=0, e=3).replace(
        'name="int09">', 'name="int09" plainTextPath="internal://a.txt">'
    )
    p = tmp_path / "t.qdpx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("project.qde", qde)
        z.writestr("sources/a.txt", data)
    with pytest.warns(ImportWarning_, match="2 byte"):
        project = read_qdpx(p, tmp_path / "p.qcproj")
    with project:
        assert project.transcript("int09").text == "Zoë said “hi” to José."
        assert project.codings()["text"].tolist() == ["Zoë"]


def test_qdpx_cli_import_refuses_then_replaces_with_replace_flag(tmp_path, capsys):
    """Issue 16.1 on the command line: refused with the flag named, --replace works."""
    from qualcode.cli import main
    from qualcode.store import Project

    target = tmp_path / "mine.qcproj"
    _project_with_int01(target, "Something else entirely.")
    own = _own_qdpx(tmp_path)
    assert main(["import", str(own), "-p", str(target)]) != 0
    err = capsys.readouterr().err
    assert "QC781" in err and "--replace" in err
    with Project(target) as p:
        assert "Something else entirely." in p.transcript("int01").text
    assert main(["import", str(own), "-p", str(target), "--replace"]) == 0
    with Project(target) as p:
        assert "We diverted him." in p.transcript("int01").text
        assert len(p.orphans()) == 1
