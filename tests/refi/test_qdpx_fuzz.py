"""A bounded fuzz of read_qdpx: random and mutated archives, XML and sidecars.

Whatever the file, read_qdpx either imports it or raises a QualcodeError; no other
exception (and no warning other than a QualcodeWarning) may escape (issues 21, 22).
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode.codebook import Code, Codebook
from qualcode.errors import QualcodeError
from qualcode.model import Transcript, TurnDraft
from qualcode.refi.qdpx import QdpxContent, read_qdpx, write_qdpx_content

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> dict[str, bytes]:
    """The entries of a small qualcode export (with sidecar, memo, attributes)."""
    t = Transcript.build(
        "int01",
        [
            TurnDraft("What happened?", "Interviewer", "interviewer", 0.0, 2.0),
            TurnDraft("We diverted him. Café.\nThen 😀 home.", "P1", "participant"),
        ],
        attributes={"rank": "inspector", "years": 12, "frontline": True},
    )
    s = t.turns[1].start
    codings = pd.DataFrame(
        {
            "transcript_id": ["int01", "int01"],
            "start": [s, s + 3],
            "end": [s + 11, s + 16],
            "code": ["divert", "harm"],
            "coder": ["AB", "CD"],
            "memo": ["why", None],
        }
    )
    books = [Codebook([Code("divert", "Divert"), Code("harm", "Harm")], name="r")]
    path = tmp_path_factory.mktemp("fuzz") / "base.qdpx"
    write_qdpx_content(QdpxContent("base", None, [t], books, codings), path)
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, pos, chunk in edits:
        if not out:
            out.extend(chunk)
            continue
        i = pos % len(out)
        if kind == 0:  # overwrite
            out[i : i + len(chunk)] = chunk
        elif kind == 1:  # insert
            out[i:i] = chunk
        else:  # delete
            del out[i : i + len(chunk) + 1]
    return bytes(out)


EDITS = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.integers(0, 1 << 20),
        st.binary(min_size=1, max_size=6)
        | st.sampled_from(
            [b'"', b"<", b">", b"/>", b"-1", b"99999999999999999999", b"\x00", b"&"]
        ),
    ),
    min_size=1,
    max_size=6,
)


def _read(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.qdpx"
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            project = read_qdpx(path)
        except QualcodeError:
            return
    with project:
        project.codings()
        list(project.iter_transcripts())


@FUZZ
@given(data=st.binary(max_size=2000))
def test_fuzz_random_bytes(tmp_path, data):
    _read(tmp_path, data)


@FUZZ
@given(edits=EDITS)
def test_fuzz_mutated_archive_bytes(tmp_path, base, edits):
    _read(tmp_path, _mutate(_zip(base), edits))


@FUZZ
@given(edits=EDITS)
def test_fuzz_mutated_project_xml(tmp_path, base, edits):
    _read(tmp_path, _zip({**base, "project.qde": _mutate(base["project.qde"], edits)}))


@FUZZ
@given(edits=EDITS)
def test_fuzz_mutated_sidecar(tmp_path, base, edits):
    _read(
        tmp_path, _zip({**base, "qualcode.json": _mutate(base["qualcode.json"], edits)})
    )


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@FUZZ
@given(path=st.lists(st.integers(0, 8), min_size=1, max_size=5), value=JSON)
def test_fuzz_sidecar_values(tmp_path, base, path, value):
    side = json.loads(base["qualcode.json"])
    node = side
    for step in path[:-1]:  # walk to a random place, then replace what is there
        if isinstance(node, dict) and node:
            node = node[sorted(node)[step % len(node)]]
        elif isinstance(node, list) and node:
            node = node[step % len(node)]
    if isinstance(node, dict) and node:
        node[sorted(node)[path[-1] % len(node)]] = value
    elif isinstance(node, list) and node:
        node[path[-1] % len(node)] = value
    _read(tmp_path, _zip({**base, "qualcode.json": json.dumps(side).encode()}))


ATTR = st.sampled_from(
    [
        "startPosition",
        "endPosition",
        "guid",
        "targetGUID",
        "name",
        "creatingUser",
        "creationDateTime",
        "plainTextPath",
        "origin",
        "isCodable",
        "color",
    ]
)
VALUE = st.sampled_from(
    [
        "",
        "-1",
        "0",
        "18446744073709551616",
        "1e5",
        "abc",
        "{",
        "internal://x.txt",
        "../../etc/passwd",
        "2024-13-45T99:99:99",
        "\u00e9\U0001f600",
        " 7 ",
    ]
) | st.text(max_size=6)


@FUZZ
@given(changes=st.lists(st.tuples(st.integers(0, 10_000), ATTR, VALUE), max_size=6))
def test_fuzz_xml_attribute_values(tmp_path, base, changes):
    from lxml import etree

    root = etree.fromstring(base["project.qde"])
    elements = list(root.iter())
    for k, attr, value in changes:
        el = elements[k % len(elements)]
        try:
            el.set(attr, value)
        except ValueError:  # XML cannot hold it: lxml refuses, as a writer would
            continue
    qde = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    _read(tmp_path, _zip({**base, "project.qde": qde}))
