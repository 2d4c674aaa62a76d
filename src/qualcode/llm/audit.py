"""The audit trail as tables for a methods appendix.

:func:`audit_tables` turns ``project.llm_calls()`` (or ``llm.cache.llm_calls()``)
into a few tidy tables that :func:`qualcode.export_tables` writes as one
workbook: what was run (model, server, digest, prompt version, parameters), the
prompts used, every call, and every proposed coding with its verification
outcome. Transcript text (the unit shown in each prompt and the quotes) is left
out unless ``include_text=True``, so the workbook can be shared with reviewers.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pandas as pd

from qualcode._validation import check_type, require_columns

__all__ = ["audit_tables"]

_CELL = 30_000  # below Excel's 32,767 characters per cell


def _sha(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _messages(prompt: object) -> tuple[str | None, str | None]:
    """``(system, user)`` of a stored prompt (JSON list of chat messages)."""
    try:
        msgs = json.loads(prompt) if isinstance(prompt, str) else []
    except ValueError:
        return None, None
    system = next((m.get("content") for m in msgs if m.get("role") == "system"), None)
    user = next((m.get("content") for m in msgs if m.get("role") == "user"), None)
    return system, user


def _sampling(parameters: object) -> dict[str, Any]:
    try:
        p = json.loads(parameters) if isinstance(parameters, str) else {}
    except ValueError:
        p = {}
    fmt = p.get("response_format") or {}
    return {
        "temperature": p.get("temperature"),
        "seed": p.get("seed"),
        "max_tokens": p.get("max_tokens"),
        "response_format": fmt.get("type") if isinstance(fmt, dict) else None,
    }


def audit_tables(
    calls: pd.DataFrame, *, include_text: bool = False
) -> dict[str, pd.DataFrame]:
    """Tables for a methods appendix from an LLM audit trail.

    Parameters
    ----------
    calls : DataFrame
        ``project.llm_calls()`` or ``llm.cache.llm_calls()``.
    include_text : bool, default False
        Also include the unit text of each prompt and the quoted words (both
        transcript text). System prompts (the codebook and any coded examples
        you passed) are always included: they are the instrument.

    Returns
    -------
    dict of DataFrame
        ``"runs"``: one row per model, server model, digest, prompt version and
        sampling parameters (calls, failed, proposed, accepted, rejected, mean
        latency, tokens, first and last call). ``"prompts"``: one row per
        system prompt (``prompt_id`` = first 16 hex digits of its SHA-256; long
        prompts are split over ``part`` rows). ``"calls"``: one row per call
        without the prompt text. ``"proposals"``: one row per proposed coding
        (``accepted``, ``reason``, offsets). ``"rejections"``: counts by reason.

    Examples
    --------
    >>> import qualcode as qc
    >>> from qualcode.llm import MemoryCallStore
    >>> store = MemoryCallStore()
    >>> _ = store.record_llm_call(
    ...     {
    ...         "key": "k",
    ...         "status": "ok",
    ...         "model": "m",
    ...         "prompt": '[{"role": "system", "content": "S"}]',
    ...         "verification": '[{"code": "a", "quote": "x", "accepted": false, '
    ...         '"reason": "quote not found in the unit", "start": null, '
    ...         '"end": null}]',
    ...     }
    ... )
    >>> t = audit_tables(store.llm_calls())
    >>> sorted(t)
    ['calls', 'prompts', 'proposals', 'rejections', 'runs']
    >>> t["rejections"].to_dict("records")
    [{'reason': 'quote not found in the unit', 'count': 1}]
    """
    caller = "audit_tables"
    require_columns(
        calls,
        ["call_id", "status", "model", "prompt", "parameters", "verification"],
        caller=caller,
        param="calls",
    )
    check_type(include_text, bool, param="include_text", caller=caller)
    df = calls.copy()
    split = [_messages(p) for p in df["prompt"]]
    df["prompt_id"] = [_sha(s) for s, _ in split]
    samp = pd.DataFrame([_sampling(p) for p in df["parameters"]], index=df.index)
    df = pd.concat([df, samp], axis=1)
    return {
        "runs": _runs(df),
        "prompts": _prompts(df, [s for s, _ in split]),
        "calls": _calls(df, [u for _, u in split], include_text),
        "proposals": (props := _proposals(df, include_text)),
        "rejections": _rejections(props),
    }


_RUN_KEYS = [
    "model",
    "server_model",
    "model_digest",
    "prompt_version",
    "temperature",
    "seed",
    "max_tokens",
    "response_format",
]


def _runs(df: pd.DataFrame) -> pd.DataFrame:
    keys = [k for k in _RUN_KEYS if k in df.columns]
    g = df.assign(
        failed=(df["status"] != "ok").astype(int),
        **{k: df[k].astype("string").fillna("") for k in keys},
    ).groupby(keys, dropna=False, sort=False)
    out = g.agg(
        calls=("call_id", "size"),
        failed=("failed", "sum"),
        proposed=("n_proposed", "sum"),
        accepted=("n_accepted", "sum"),
        rejected=("n_rejected", "sum"),
        latency_mean=("latency", "mean"),
        prompt_tokens=("prompt_tokens", "sum"),
        completion_tokens=("completion_tokens", "sum"),
        first=("created", "min"),
        last=("created", "max"),
    ).reset_index()
    return out


def _prompts(df: pd.DataFrame, systems: list[str | None]) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for pid, version, system in zip(
        df["prompt_id"],
        df.get("prompt_version", [None] * len(df)),
        systems,
        strict=True,
    ):
        if pid is None:
            continue
        if pid in seen:
            seen[pid] += 1
            continue
        seen[pid] = 1
        text = system or ""
        for part, i in enumerate(range(0, max(len(text), 1), _CELL)):
            rows.append(
                {
                    "prompt_id": pid,
                    "prompt_version": version,
                    "part": part + 1,
                    "system_prompt": text[i : i + _CELL],
                }
            )
    out = pd.DataFrame(
        rows, columns=["prompt_id", "prompt_version", "part", "system_prompt"]
    )
    out.insert(2, "calls", out["prompt_id"].map(seen).astype("Int64"))
    return out


_CALL_COLUMNS = [
    "call_id",
    "created",
    "status",
    "error",
    "transcript_id",
    "unit",
    "turn",
    "start",
    "end",
    "model",
    "prompt_version",
    "prompt_id",
    "attempts",
    "latency",
    "prompt_tokens",
    "completion_tokens",
    "finish_reason",
    "n_proposed",
    "n_accepted",
    "n_rejected",
]


def _calls(
    df: pd.DataFrame, users: list[str | None], include_text: bool
) -> pd.DataFrame:
    out = df[[c for c in _CALL_COLUMNS if c in df.columns]].copy()
    if include_text:
        out["passage_prompt"] = [
            u[:_CELL] if isinstance(u, str) else None for u in users
        ]
    return out.reset_index(drop=True)


def _proposals(df: pd.DataFrame, include_text: bool) -> pd.DataFrame:
    rows = []
    for call_id, tid, turn, ver in zip(
        df["call_id"],
        df.get("transcript_id", [None] * len(df)),
        df.get("turn", [None] * len(df)),
        df["verification"],
        strict=True,
    ):
        try:
            items = json.loads(ver) if isinstance(ver, str) else []
        except ValueError:
            items = []
        for i, v in enumerate(items):
            row = {
                "call_id": call_id,
                "proposal": i + 1,
                "transcript_id": tid,
                "turn": turn,
                "code": v.get("code"),
                "accepted": bool(v.get("accepted")),
                "reason": v.get("reason"),
                "start": v.get("start"),
                "end": v.get("end"),
            }
            if include_text:
                row["quote"] = v.get("quote")
            rows.append(row)
    cols = [
        "call_id",
        "proposal",
        "transcript_id",
        "turn",
        "code",
        "accepted",
        "reason",
        "start",
        "end",
    ] + (["quote"] if include_text else [])
    out = pd.DataFrame(rows, columns=cols)
    for c in ("start", "end", "turn"):
        out[c] = pd.array(out[c].tolist(), dtype="Int64")
    return out


def _rejections(props: pd.DataFrame) -> pd.DataFrame:
    rej = props[~props["accepted"].astype(bool)]
    out = rej.groupby("reason").size().rename("count").reset_index()
    return out.sort_values(["count", "reason"], ascending=[False, True]).reset_index(
        drop=True
    )
