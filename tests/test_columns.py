"""_columns.frame: schema dtypes hold on pandas 2 and pandas 3 alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qualcode._columns import CODINGS, TIME, frame

ROW = {"coding_id": 1, "transcript_id": "t1", "start": 0, "end": 4, "code": "c"}


@pytest.mark.parametrize(
    "created",
    ["2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC), None],
    ids=["iso-string", "datetime", "missing"],
)
def test_columns_frame_time_column_has_schema_unit(created):
    # pandas 3 infers s/us resolution from the values; the schema says ns
    df = frame([{**ROW, "created": created}], CODINGS)
    assert str(df["created"].dtype) == TIME
