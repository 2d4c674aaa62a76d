"""``llm_suggest`` and ``llm_code``: a model codes units, every answer is verified.

One call per unit (a turn or a sentence) with its neighbours as context. Each
answer is parsed and verified (:mod:`qualcode.llm._verify`): only codings whose
code is allowed and whose quote is re-anchored to exact offsets of the stored
text become suggestions. Every call (answered, rejected or failed) is recorded in
the call store as soon as it finishes; a call already in the store with the same
key (model, parameters, prompt) is not sent again.
"""

from __future__ import annotations

import json
import os
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import pandas as pd

from qualcode._columns import LLM_SUGGESTIONS, frame
from qualcode._inputs import as_codebook, as_transcripts, is_project
from qualcode._validation import (
    check_choice,
    check_known,
    check_number,
    check_type,
    invalid,
    require_columns,
)
from qualcode.codebook import Codebook
from qualcode.errors import Errors, InvalidInputError, LLMWarning
from qualcode.llm._cache import CallStore, cache_key, is_call_store, now_utc
from qualcode.llm._client import LLMCoder, Reply
from qualcode.llm._prompt import (
    MAX_CODINGS,
    PROMPT_VERSION,
    build_messages,
    build_system,
    prompt_text,
    response_schema,
)
from qualcode.llm._units import Unit, default_roles, units_with_context
from qualcode.llm._verify import AnswerError, Verdict, parse_answer, verify
from qualcode.store import Project

__all__ = ["llm_code", "llm_suggest"]

_UNITS = ("turn", "sentence")


@dataclass(slots=True)
class _Run:
    """What one run needs for every unit."""

    llm: LLMCoder
    store: CallStore
    codes: list[str]
    system: str
    schema: dict[str, Any]
    parameters: dict[str, Any]
    unit: str
    caller: str
    quotes: str = "free"
    max_codings: int = MAX_CODINGS
    nlp: Any = None
    server: dict[str, Any] | None = None

    def schema_for(self, u: Unit) -> tuple[dict[str, Any], dict[str, Any]]:
        """The answer schema and request parameters of one unit."""
        if self.quotes != "sentences":
            return self.schema, self.parameters
        schema = response_schema(
            self.codes, quotes=_sentences(u, self), max_codings=self.max_codings
        )
        return schema, self.llm.parameters(schema)


def _sentences(u: Unit, run: _Run) -> list[str]:
    """The unit's sentences (exact slices of its text), for ``quotes="sentences"``."""
    if run.unit == "sentence" or run.nlp is None:
        return [u.text]
    doc = run.nlp(u.text)
    out: list[str] = []
    for sent in doc.sents:
        piece = u.text[sent.start_char : sent.end_char].strip()
        if piece and piece not in out:
            out.append(piece)
    return out or [u.text]


def _resolve_store(
    cache: object, project: Any, llm: LLMCoder, caller: str
) -> CallStore:
    if cache is None:
        if project is not None and is_call_store(project):
            return project  # type: ignore[no-any-return]
        return llm.cache
    if isinstance(cache, (str, os.PathLike)):
        return Project(os.fspath(cache))  # type: ignore[return-value]
    if is_call_store(cache):
        return cache  # type: ignore[return-value]
    raise InvalidInputError(
        Errors.QC548.format(caller=caller, got=type(cache).__name__)
    )


def _code_list(codes: object, codebook: Codebook, caller: str) -> list[str]:
    known = codebook.ids
    if codes is None:
        chosen = list(known)
    else:
        chosen = [codes] if isinstance(codes, str) else list(codes)  # type: ignore[call-overload]
        check_known(chosen, known, what="code", caller=caller, where=" in the codebook")
        chosen = list(dict.fromkeys(chosen))
    if not chosen:
        raise InvalidInputError(Errors.QC104.format(caller=caller, param="codes"))
    return chosen


def _examples(
    examples: object, codes: Sequence[str], caller: str
) -> list[tuple[str, str]]:
    if examples is None:
        return []
    require_columns(examples, ["code", "text"], caller=caller, param="examples")
    assert isinstance(examples, pd.DataFrame)  # for mypy: require_columns checked it
    allowed = set(codes)
    out = []
    for code, text in zip(examples["code"], examples["text"], strict=True):
        if (
            isinstance(code, str)
            and code in allowed
            and isinstance(text, str)
            and text.strip()
        ):
            out.append((code, text))
    return out


def _select_transcripts(
    obj: object, project: Any, transcripts: object, caller: str
) -> Iterable[Any]:
    if transcripts is None:
        ts, _ = as_transcripts(obj, caller=caller, what="project_or_corpus")
        return ts
    wanted = [transcripts] if isinstance(transcripts, str) else list(transcripts)  # type: ignore[call-overload]
    if project is not None:
        check_known(wanted, project.transcript_ids(), what="transcript", caller=caller)
        return project.iter_transcripts(list(dict.fromkeys(wanted)))
    ts, _ = as_transcripts(obj, caller=caller, what="project_or_corpus")
    by_id = {t.id: t for t in ts}
    check_known(wanted, list(by_id), what="transcript", caller=caller)
    keep = set(wanted)
    return [t for i, t in by_id.items() if i in keep]


def _verdicts(proposals: Sequence[Any], u: Unit, run: _Run) -> list[Verdict]:
    context = "\n".join(c.text for c in (*u.before, *u.after))
    return verify(
        proposals,
        unit_text=u.text,
        unit_start=u.start,
        allowed=run.codes,
        context_text=context,
        prompt_text=run.system,
        speaker=u.shown.speaker,
    )


def _record(
    u: Unit,
    key: str,
    prompt: str,
    reply: Reply,
    verdicts: list[Verdict],
    run: _Run,
    parameters: Mapping[str, Any],
) -> dict[str, Any]:
    server = run.server or {}
    accepted = sum(v.accepted for v in verdicts)
    return {
        "key": key,
        "created": now_utc(),
        "status": "ok" if reply.ok else "failed",
        "error": reply.error,
        "transcript_id": u.transcript_id,
        "unit": run.unit,
        "turn": u.turn,
        "start": u.start,
        "end": u.end,
        "endpoint": run.llm.endpoint,
        "model": run.llm.model,
        "model_reported": reply.model_reported,
        "server_model": server.get("server_model"),
        "model_digest": reply.fingerprint or server.get("model_digest"),
        "prompt_version": PROMPT_VERSION,
        "parameters": json.dumps(parameters, sort_keys=True, ensure_ascii=False),
        "prompt": prompt,
        "answer": reply.content,
        "finish_reason": reply.finish_reason,
        "attempts": reply.attempts,
        "latency": reply.latency,
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "n_proposed": len(verdicts),
        "n_accepted": accepted,
        "n_rejected": len(verdicts) - accepted,
        "verification": json.dumps([v.to_dict() for v in verdicts], ensure_ascii=False)
        if reply.ok
        else None,
    }


def _rows(
    u: Unit, verdicts: list[Verdict], call_id: int, run: _Run, text: str
) -> list[dict[str, Any]]:
    tagger = f"{run.llm.coder}:{PROMPT_VERSION}"
    out = []
    for v in verdicts:
        if not v.accepted or v.start is None or v.end is None:
            continue
        quote = text[v.start : v.end]
        out.append(
            {
                "transcript_id": u.transcript_id,
                "start": v.start,
                "end": v.end,
                "code": v.code,
                "score": float("nan"),
                "evidence": f"quote verified ({v.reason})",
                "tagger": tagger,
                "unit": run.unit,
                "turn": u.turn,
                "text": quote,
                "quote": quote,
                "rationale": v.rationale,
                "llm_call": call_id,
            }
        )
    return out


def llm_suggest(
    project_or_corpus: Any,
    codebook: Any = None,
    *,
    llm: LLMCoder,
    unit: str = "turn",
    codes: str | Iterable[str] | None = None,
    transcripts: str | Iterable[str] | None = None,
    context: int = 1,
    examples: pd.DataFrame | None = None,
    roles: Iterable[str | None] | None = None,
    include_interviewer: bool = False,
    cache: Any = None,
    quotes: str = "free",
    max_codings: int = MAX_CODINGS,
    nlp: Any = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Ask a model to code each unit; return only the verified codings.

    Each unit (a participant's turn, or a sentence) is sent with ``context``
    neighbouring units either side, the codebook's labels, definitions,
    include/exclude rules and examples, and a JSON schema whose ``code`` is an
    enum of the allowed codes. Each proposed coding is verified: the code must be
    allowed and the quote must occur in the unit (exactly, or after normalising
    white space and quote marks), re-anchored to exact offsets of the stored
    text. Rejected proposals and failed calls are kept, with their reasons, in
    the audit trail (``project.llm_calls()`` or ``llm.cache.llm_calls()``).

    Parameters
    ----------
    project_or_corpus : Project, Corpus or iterable of Transcript
    codebook : Codebook, path or list of them, optional
        Default: the project's codebook.
    llm : LLMCoder
        The model server.
    unit : {"turn", "sentence"}, default "turn"
        The units of :func:`qualcode.suggest`.
    codes : str or iterable of str, optional
        Codes the model may apply (default: every code of the codebook). A few
        codes give shorter prompts and better answers from small models.
    transcripts : str or iterable of str, optional
        Transcript ids to code (default: all).
    context : int, default 1
        Neighbouring units shown before and after the unit (any speaker).
    examples : DataFrame, optional
        Coded passages shown as examples (columns ``code`` and ``text``), e.g.
        ``project.codings(coder="AB").groupby("code").head(2)``. Keep them out
        of any held-out set you evaluate on.
    roles : iterable of str or None, optional
        Turn roles to code (default: participants and unknown roles).
    include_interviewer : bool, default False
        Also code interviewer turns.
    quotes : {"free", "sentences"}, default "free"
        ``"free"``: the model may quote any words (verified afterwards).
        ``"sentences"``: the schema lists the unit's sentences as the only
        allowed quotes, so a server that enforces the schema can only quote the
        unit verbatim (best for small models; quotes are whole sentences).
    max_codings : int, default 4
        At most this many codings per unit (in the schema and the prompt).
    cache : Project, path or call store, optional
        Where calls are kept and looked up. Default: the project itself, or for
        a corpus the coder's in-memory store ``llm.cache`` (kept only while the
        ``LLMCoder`` lives; pass a project path to keep it on disk).
    nlp : spaCy Language, optional
        Pipeline for sentence units (offline default when None).
    progress : bool, default True
        Show a tqdm progress bar over units.

    Returns
    -------
    pandas.DataFrame
        Schema ``_columns.LLM_SUGGESTIONS``: the columns of :func:`qualcode.suggest`
        (``transcript_id, start, end, code, score, evidence, tagger, unit, turn,
        text``) then ``quote, rationale, llm_call``. ``[start, end)`` is the
        verified quote (``text`` and ``quote`` are both
        ``transcript.text[start:end]``); ``score`` is NaN (a model gives no
        calibrated score); ``tagger`` is ``"llm:<model>:<prompt version>"``;
        ``llm_call`` is the call's id in the audit trail. ``df.attrs["llm"]``
        counts units, cached calls, new calls, failed calls, accepted and
        rejected proposals.

    Warns
    -----
    LLMWarning
        When some units got no usable answer after the retries (each is a
        failed call in the audit trail; running again retries only those).

    Raises
    ------
    InvalidInputError
        Unknown codes or transcripts, a bad option.
    LLMError
        The server cannot be reached or does not serve the model (raised before
        any unit is sent).

    See Also
    --------
    llm_code : write the verified codings as the model's codings.
    qualcode.review : accept or reject the suggestions as a person.
    qualcode.evaluate : precision, recall and F1 against a coder.

    Examples
    --------
    >>> import qualcode as qc
    >>> from qualcode.model import Transcript, TurnDraft
    >>> cb = qc.Codebook.from_dict({"codes": [{"id": "pursue", "label": "Pursue"}]})
    >>> t = Transcript.build(
    ...     "t1", [TurnDraft("We arrest dealers.", "P1", "participant")]
    ... )
    >>> llm = qc.LLMCoder("http://127.0.0.1:8080/v1", "smollm2")
    >>> qc.llm_suggest([t], cb, llm=llm, codes=["persue"])
    Traceback (most recent call last):
    ...
    qualcode.errors.InvalidInputError: [QC109] llm_suggest: unknown code 'persue'
    in the codebook (did you mean 'pursue'?). Known: 1.
    >>> s = qc.llm_suggest([t], cb, llm=llm)  # doctest: +SKIP
    >>> (s["quote"] == s["text"]).all()  # doctest: +SKIP
    True
    """
    caller = "llm_suggest"
    frame_, _run, _ = _suggest(
        project_or_corpus,
        codebook,
        llm=llm,
        unit=unit,
        codes=codes,
        transcripts=transcripts,
        context=context,
        examples=examples,
        roles=roles,
        include_interviewer=include_interviewer,
        cache=cache,
        nlp=nlp,
        progress=progress,
        caller=caller,
        quotes=quotes,
        max_codings=max_codings,
    )
    return frame_


def _suggest(
    project_or_corpus: Any,
    codebook: Any,
    *,
    llm: LLMCoder,
    unit: str,
    codes: Any,
    transcripts: Any,
    context: int,
    examples: Any,
    roles: Any,
    include_interviewer: bool,
    cache: Any,
    nlp: Any,
    progress: bool,
    caller: str,
    quotes: str = "free",
    max_codings: int = MAX_CODINGS,
) -> tuple[pd.DataFrame, _Run, Any]:
    if not isinstance(llm, LLMCoder):
        raise invalid("llm", caller, "a qualcode.LLMCoder", type(llm).__name__)
    check_choice(unit, list(_UNITS), param="unit", caller=caller)
    check_number(context, param="context", caller=caller, integer=True, low=0, high=50)
    check_type(include_interviewer, bool, param="include_interviewer", caller=caller)
    check_type(progress, bool, param="progress", caller=caller)
    check_choice(quotes, ["free", "sentences"], param="quotes", caller=caller)
    check_number(
        max_codings, param="max_codings", caller=caller, integer=True, low=1, high=20
    )
    project = project_or_corpus if is_project(project_or_corpus) else None
    if project is None:
        as_transcripts(project_or_corpus, caller=caller, what="project_or_corpus")
    cb = as_codebook(codebook, caller=caller, allow_none=project is not None)
    if cb is None:
        cb = project.codebook  # type: ignore[union-attr]
        if cb is None:
            raise InvalidInputError(
                Errors.QC547.format(
                    caller=caller,
                    detail="the project has no codebook; pass codebook= or set one "
                    "with project.set_codebook(...)",
                )
            )
    code_list = _code_list(codes, cb, caller)
    shown_examples = _examples(examples, code_list, caller)
    store = _resolve_store(cache, project, llm, caller)
    trs = _select_transcripts(project_or_corpus, project, transcripts, caller)
    run_nlp = nlp
    if unit == "sentence" and nlp is None:
        from qualcode._nlp import load_nlp

        run_nlp = load_nlp(lemmatize=False)
    texts: dict[str, str] = {}

    def remember(ts: Iterable[Any]) -> Iterable[Any]:
        for t in ts:
            texts[t.id] = t.text
            yield t

    schema = response_schema(code_list, max_codings=max_codings)
    if quotes == "sentences" and run_nlp is None:
        from qualcode._nlp import load_nlp

        run_nlp = load_nlp(lemmatize=False)
    run = _Run(
        llm=llm,
        store=store,
        codes=code_list,
        system=build_system(cb, code_list, shown_examples, max_codings=max_codings),
        schema=schema,
        parameters=llm.parameters(schema),
        unit=unit,
        caller=caller,
        quotes=quotes,
        max_codings=max_codings,
        nlp=run_nlp,
    )
    work = list(
        units_with_context(
            remember(trs),
            unit,
            roles=default_roles(roles, include_interviewer),
            context=context,
            nlp=run_nlp,
        )
    )
    results, stats = _execute(work, run, progress)
    rows: list[dict[str, Any]] = []
    for i, u in enumerate(work):
        got = results.get(i)
        if got is not None:
            rows.extend(_rows(u, got[1], got[0], run, texts[u.transcript_id]))
    out = frame(rows, LLM_SUGGESTIONS)
    out.attrs["llm"] = stats
    return out, run, store


def _execute(
    work: list[Unit], run: _Run, progress: bool
) -> tuple[dict[int, tuple[int, list[Verdict]]], dict[str, int]]:
    """Look each unit up in the store; send the rest concurrently; record each."""
    results: dict[int, tuple[int, list[Verdict]]] = {}
    failures: Counter[str] = Counter()
    stats = {"units": len(work), "cached": 0, "sent": 0, "failed": 0}
    bar = _progress(len(work), progress, run.llm.model)
    llm = run.llm
    window = max(2, 2 * llm.max_concurrency)
    pending: dict[Future[Reply], tuple[int, str, str, dict[str, Any]]] = {}
    twins: dict[str, list[int]] = {}  # key -> later units waiting on that call

    def finish(done: Iterable[Future[Reply]]) -> None:
        for fut in done:
            i, key, prompt, params = pending.pop(fut)
            reply = fut.result()
            u = work[i]
            verdicts = _verdicts(reply.proposals or [], u, run) if reply.ok else []
            call_id = run.store.record_llm_call(
                _record(u, key, prompt, reply, verdicts, run, params)
            )
            stats["sent"] += 1
            # units with the very same prompt (same text and context) share it
            for j in [i, *twins.pop(key, [])]:
                if reply.ok:
                    same = (
                        verdicts
                        if j == i
                        else _verdicts(reply.proposals or [], work[j], run)
                    )
                    results[j] = (call_id, same)
                else:
                    stats["failed"] += 1
                    failures[reply.error or "unknown"] += 1
                if j != i:
                    stats["cached"] += 1
                if bar is not None:
                    bar.update(1)

    pool = ThreadPoolExecutor(
        max_workers=llm.max_concurrency, thread_name_prefix="qc-llm"
    )
    try:
        for i, u in enumerate(work):
            messages = build_messages(run.system, u.shown, u.before, u.after)
            prompt = prompt_text(messages)
            schema, params = run.schema_for(u)
            key = cache_key(llm.model, params, prompt)
            hit = run.store.find_llm_call(key)
            if hit is not None:
                results[i] = (int(hit["call_id"]), _cached_verdicts(hit, u, run))
                stats["cached"] += 1
                if bar is not None:
                    bar.update(1)
                continue
            if key in twins:
                twins[key].append(i)
                continue
            if run.server is None:
                run.server = llm.check_server(caller=run.caller)
            twins[key] = []
            fut = pool.submit(llm.chat, messages, schema)
            pending[fut] = (i, key, prompt, params)
            if len(pending) >= window:
                done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                finish(done)
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            finish(done)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        if bar is not None:
            bar.close()
    if failures:
        reasons = ", ".join(f"{r}: {n}" for r, n in failures.most_common(5))
        warnings.warn(
            Errors.QC546.format(
                caller=run.caller, n=stats["failed"], total=len(work), reasons=reasons
            ),
            LLMWarning,
            stacklevel=4,
        )
    accepted = sum(v.accepted for _, vs in results.values() for v in vs)
    stats["accepted"] = accepted
    stats["rejected"] = sum(len(vs) for _, vs in results.values()) - accepted
    return results, stats


def _cached_verdicts(hit: Mapping[str, Any], u: Unit, run: _Run) -> list[Verdict]:
    try:
        proposals = parse_answer(hit.get("answer"))
    except AnswerError:
        return []
    return _verdicts(proposals, u, run)


def _progress(total: int, show: bool, model: str) -> Any:
    if not show or total == 0:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=f"llm:{model}", unit="unit")


def llm_code(
    project: Any,
    codebook: Any = None,
    *,
    llm: LLMCoder,
    coder: str | None = None,
    unit: str = "turn",
    codes: str | Iterable[str] | None = None,
    transcripts: str | Iterable[str] | None = None,
    context: int = 1,
    examples: pd.DataFrame | None = None,
    roles: Iterable[str | None] | None = None,
    include_interviewer: bool = False,
    quotes: str = "free",
    max_codings: int = MAX_CODINGS,
    nlp: Any = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Code a project with a model: verified codings of the coder ``llm:<model>``.

    Runs :func:`llm_suggest` on the project (every call recorded in the
    project's audit trail as it finishes), then writes all verified codings in
    ONE transaction (:meth:`qualcode.Project.add_codings`): a run that fails or
    is interrupted writes no coding, and running it again sends only the calls
    that did not finish. Each coding's ``origin`` is
    ``"llm:<model> prompt=<version> call=<id>"``, so it can be traced to its call
    in ``project.llm_calls()``. The model's codings then appear in
    :func:`qualcode.agreement_table`, :func:`qualcode.disagreements` and
    :func:`qualcode.evaluate` beside people's.

    Parameters
    ----------
    project : Project
    codebook : Codebook, path or list of them, optional
        Default: the project's codebook. Its codes must be in the project's
        codebooks (:meth:`~qualcode.Project.set_codebook`).
    llm : LLMCoder
    coder : str, optional
        Coder name of the codings (default ``"llm:<model>"``).
    unit, codes, transcripts, context, examples, roles
        As in :func:`llm_suggest`.
    include_interviewer, quotes, max_codings, nlp, progress
        As in :func:`llm_suggest`.

    Returns
    -------
    pandas.DataFrame
        The suggestions of :func:`llm_suggest` with a ``coding_id`` column (the
        stored coding of each row; identical codings share one id).

    Examples
    --------
    >>> import qualcode as qc
    >>> llm = qc.LLMCoder("http://127.0.0.1:8080/v1", "smollm2")
    >>> qc.llm_code([], llm=llm)
    Traceback (most recent call last):
    ...
    qualcode.errors.InvalidInputError: [QC101] The 'project' parameter of llm_code
    must be a qualcode.Project. Got 'list' instead.
    >>> done = qc.llm_code(project, llm=llm, codes=["pursue"])  # doctest: +SKIP
    >>> qc.agreement_table(project, coders=["AB", llm.coder])  # doctest: +SKIP
    """
    caller = "llm_code"
    if not (is_project(project) and hasattr(project, "add_codings")):
        raise invalid("project", caller, "a qualcode.Project", type(project).__name__)
    if coder is None:
        name = llm.coder if isinstance(llm, LLMCoder) else ""
    else:
        check_type(coder, str, param="coder", caller=caller)
        name = coder.strip()
        if not name:
            raise InvalidInputError(Errors.QC104.format(caller=caller, param="coder"))
    if codebook is not None and isinstance(llm, LLMCoder):
        cb = as_codebook(codebook, caller=caller)
        stored = project.codebook
        wanted: list[str] = []
        if codes is None and cb is not None:
            wanted = cb.ids
        elif codes is not None:
            wanted = [codes] if isinstance(codes, str) else list(codes)
        check_known(
            wanted,
            [] if stored is None else stored.ids,
            what="code",
            caller=caller,
            where=" in the project's codebooks (add it with project.set_codebook)",
        )
    suggestions, run, _ = _suggest(
        project,
        codebook,
        llm=llm,
        unit=unit,
        codes=codes,
        transcripts=transcripts,
        context=context,
        examples=examples,
        roles=roles,
        include_interviewer=include_interviewer,
        cache=None,
        nlp=nlp,
        progress=progress,
        caller=caller,
        quotes=quotes,
        max_codings=max_codings,
    )
    out = suggestions.copy()
    if len(out):
        rows = pd.DataFrame(
            {
                "transcript_id": out["transcript_id"],
                "start": out["start"],
                "end": out["end"],
                "code": out["code"],
                "coder": name,
                "origin": [
                    f"{llm.coder} prompt={PROMPT_VERSION} call={c}"
                    for c in out["llm_call"]
                ],
                "memo": out["rationale"],
            }
        )
        ids = project.add_codings(rows)
    else:
        ids = []
    out["coding_id"] = pd.array(ids, dtype="Int64")
    out.attrs["llm"] = dict(
        suggestions.attrs.get("llm", {}), coder=name, codings=len(set(ids))
    )
    return out
