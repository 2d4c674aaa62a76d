"""The prompt template (versioned) and the JSON schema the answer must follow.

A prompt is two chat messages:

- ``system``: the task, the codes (id, label, definition, when to apply, when not
  to, the codebook's examples), optional coded examples from the project, and the
  rules for the answer. It is the same for every unit of a run, so servers that
  cache a prompt prefix (llama.cpp) process it once.
- ``user``: the unit to code, its speaker, and ``context`` neighbouring units
  before and after it (marked as context, not to be quoted).

The answer is a JSON object ``{"codings": [{"code", "quote", "rationale"}]}``
whose ``code`` is constrained to an enum of the allowed code ids. Change
:data:`PROMPT_VERSION` whenever the wording or the schema changes: it is part of
every cached call's key and of every coding's origin.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qualcode.codebook import Codebook

__all__ = [
    "MAX_CODINGS",
    "PROMPT_VERSION",
    "ContextUnit",
    "build_messages",
    "build_system",
    "response_schema",
]

#: Version of the prompt template and answer schema (part of every cache key).
PROMPT_VERSION = "qc-llm-1"
#: At most this many codings per unit in one answer (bounded in the schema).
MAX_CODINGS = 4
_MAX_QUOTE = 400
_MAX_RATIONALE = 200

_TASK = (
    "You are a qualitative researcher. You apply a codebook to one passage of a "
    "research interview transcript, exactly as a careful human coder would."
)
_RULES = (
    "Rules:\n"
    "1. Use only the code ids listed above.\n"
    "2. Apply a code only if the PASSAGE itself shows it; the context is there to "
    "help you understand the passage, not to be coded.\n"
    '3. "quote" must be copied word for word from the PASSAGE (a sentence or a '
    "phrase of it), never from the codebook, the examples or the context.\n"
    '4. "rationale" says in one short sentence why the code applies.\n'
    "5. Give at most {max_codings} codings. If no code applies, answer "
    '{{"codings": []}}.\n'
    "Answer with JSON only."
)


@dataclass(frozen=True, slots=True)
class ContextUnit:
    """One unit shown in a prompt: its speaker label and text."""

    speaker: str
    text: str


def _label(speaker: str | None, role: str | None) -> str:
    if speaker and role and role.lower() != str(speaker).lower():
        return f"{speaker} ({role})"
    return str(speaker or role or "speaker")


def speaker_label(speaker: str | None, role: str | None) -> str:
    """How a unit's speaker is named in the prompt.

    Examples
    --------
    >>> speaker_label("P1", "participant"), speaker_label(None, None)
    ('P1 (participant)', 'speaker')
    """
    return _label(speaker, role)


def _code_block(codebook: Codebook, codes: Sequence[str]) -> str:
    lines = []
    for cid in codes:
        code = codebook[cid]
        head = f"- {code.id}: {code.label}"
        if code.definition:
            head += f". {' '.join(code.definition.split())}"
        lines.append(head)
        if code.include:
            lines.append("  Apply when: " + "; ".join(code.include))
        if code.exclude:
            lines.append("  Do not apply when: " + "; ".join(code.exclude))
        if code.examples:
            lines.append(
                "  Codebook examples: " + " | ".join(f'"{e}"' for e in code.examples)
            )
    return "\n".join(lines)


def build_system(
    codebook: Codebook,
    codes: Sequence[str],
    examples: Sequence[tuple[str, str]] = (),
    *,
    max_codings: int = MAX_CODINGS,
) -> str:
    """The system message: task, codes, coded examples, rules.

    Examples
    --------
    >>> cb = Codebook.from_dict(
    ...     {"codes": [{"id": "pursue", "label": "Pursue", "definition": "Arrests."}]}
    ... )
    >>> print(build_system(cb, ["pursue"]).splitlines()[3])
    - pursue: Pursue. Arrests.
    """
    parts = [_TASK, "Codes (id: label. definition):\n" + _code_block(codebook, codes)]
    if examples:
        shown = "\n".join(
            f'- {code}: "{" ".join(text.split())}"' for code, text in examples
        )
        parts.append("Passages a researcher coded in this project:\n" + shown)
    parts.append(_RULES.format(max_codings=max_codings))
    return "\n\n".join(parts)


def build_user(
    unit: ContextUnit,
    before: Sequence[ContextUnit] = (),
    after: Sequence[ContextUnit] = (),
) -> str:
    """The user message: context before, the PASSAGE, context after.

    Examples
    --------
    >>> print(build_user(ContextUnit("P1", "We arrest dealers.")))
    PASSAGE (P1):
    We arrest dealers.
    """
    parts = []
    if before:
        parts.append(
            "Context before (do not code):\n"
            + "\n".join(f"[{u.speaker}] {u.text}" for u in before)
        )
    parts.append(f"PASSAGE ({unit.speaker}):\n{unit.text}")
    if after:
        parts.append(
            "Context after (do not code):\n"
            + "\n".join(f"[{u.speaker}] {u.text}" for u in after)
        )
    return "\n\n".join(parts)


def build_messages(
    system: str,
    unit: ContextUnit,
    before: Sequence[ContextUnit] = (),
    after: Sequence[ContextUnit] = (),
) -> list[dict[str, str]]:
    """The chat messages of one unit's prompt.

    Examples
    --------
    >>> [m["role"] for m in build_messages("S", ContextUnit("P1", "Hi."))]
    ['system', 'user']
    """
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": build_user(unit, before, after)},
    ]


def response_schema(
    codes: Sequence[str],
    *,
    quotes: Sequence[str] | None = None,
    max_codings: int = MAX_CODINGS,
) -> dict[str, Any]:
    """The JSON schema of an answer: codings whose ``code`` is one of ``codes``.

    With ``quotes`` (the unit's sentences), ``quote`` must be one of them: a
    server that enforces the schema can then only quote the unit verbatim.

    Examples
    --------
    >>> s = response_schema(["pursue", "protect"])
    >>> s["properties"]["codings"]["items"]["properties"]["code"]["enum"]
    ['pursue', 'protect']
    """
    quote: dict[str, Any] = {"type": "string", "maxLength": _MAX_QUOTE}
    if quotes is not None:
        quote = {"type": "string", "enum": list(quotes)}
    return {
        "type": "object",
        "properties": {
            "codings": {
                "type": "array",
                "maxItems": max_codings,
                "items": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string", "enum": list(codes)},
                        "quote": quote,
                        "rationale": {"type": "string", "maxLength": _MAX_RATIONALE},
                    },
                    "required": ["code", "quote", "rationale"],
                },
            }
        },
        "required": ["codings"],
    }


def prompt_text(messages: Sequence[Mapping[str, str]]) -> str:
    """The filled prompt as stored in the audit trail (canonical JSON).

    Examples
    --------
    >>> prompt_text([{"role": "user", "content": "Hi."}])
    '[{"content": "Hi.", "role": "user"}]'
    """
    return json.dumps(list(messages), ensure_ascii=False, sort_keys=True)
