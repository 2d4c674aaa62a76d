"""The HTTP client of an OpenAI-compatible chat-completions server (stdlib only).

llama.cpp's server, Ollama, vLLM and LM Studio all serve ``POST /v1/chat/completions``
and ``GET /v1/models``. qualcode talks to them with :mod:`urllib.request`: no vendor
SDK, no proxy (``ProxyHandler({})``) and no redirects (a redirect could lead to a
host the endpoint check never saw).

Transient failures (time-outs, refused connections, HTTP 408/425/429/5xx, a body
that is not JSON, an empty answer, an answer that is not JSON or not the schema's
shape) are retried ``max_retries`` times with a doubling pause; then the call is
returned as failed with a short reason, never raised, so one bad unit cannot stop
a corpus. Problems that retrying cannot fix (the server unreachable before a run,
authentication, a model the server does not have) raise :class:`LLMError` before
any unit is sent.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from qualcode._validation import check_choice, check_number, check_type, invalid
from qualcode.errors import Errors, InvalidInputError, LLMError
from qualcode.llm._cache import MemoryCallStore
from qualcode.llm._endpoint import check_endpoint, connect_checked
from qualcode.llm._verify import AnswerError, Proposal, parse_answer

__all__ = ["LLMCoder", "Reply"]

_RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
_MAX_BODY = 16 * 1024 * 1024  # a chat answer larger than this is not an answer


def _build_opener(local: bool) -> Any:
    """An opener with no proxy and no redirects (a 3xx surfaces as an HTTPError).

    ``local``: every connection is made through :func:`connect_checked`, so the
    endpoint is checked again, at the address actually connected to.
    :mod:`urllib.request` (and with it http, email and ssl) loads here, on the first
    LLMCoder, so ``import qualcode`` stays as light as before.
    """
    import http.client
    import urllib.request

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    handlers: list[Any] = [urllib.request.ProxyHandler({}), _NoRedirect()]
    if local:

        class _HTTP(http.client.HTTPConnection):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self._create_connection = connect_checked

        class _HTTPS(http.client.HTTPSConnection):  # TLS as usual, on that socket
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self._create_connection = connect_checked

        class _HTTPHandler(urllib.request.HTTPHandler):
            def http_open(self, req: Any) -> Any:
                return self.do_open(_HTTP, req)

        class _HTTPSHandler(urllib.request.HTTPSHandler):
            def https_open(self, req: Any) -> Any:
                return self.do_open(_HTTPS, req)  # the default TLS context

        handlers += [_HTTPHandler(), _HTTPSHandler()]
    return urllib.request.build_opener(*handlers)


@dataclass(slots=True)
class Reply:
    """The outcome of one chat call (after retries); ``error`` is None when ok."""

    content: str | None = None
    proposals: list[Proposal] | None = None
    error: str | None = None
    attempts: int = 0
    latency: float = 0.0
    model_reported: str | None = None
    fingerprint: str | None = None
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the answer was read (its proposals may still be rejected)."""
        return self.error is None


class _Attempt(Exception):
    """One failed attempt: ``reason`` (short, no text), retry or not."""

    def __init__(self, reason: str, *, retry: bool, reply: Reply | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.reply = reply


class LLMCoder:
    """A model on an OpenAI-compatible server, used as one more coder.

    The endpoint must be on this machine or a private network unless
    ``allow_remote=True``: the check happens here, before any connection (see
    Notes). A key, if the server needs one, is read from the environment
    variable ``api_key_env`` at each request; it is never stored on the object,
    logged, or written to the audit trail.

    Parameters
    ----------
    endpoint : str
        Base URL of the server, e.g. ``"http://127.0.0.1:8080/v1"`` (llama.cpp),
        ``"http://localhost:11434/v1"`` (Ollama). A URL without a path gets
        ``/v1``.
    model : str
        The model name sent with each request and recorded with each call; the
        default coder name of :func:`llm_code` is ``"llm:<model>"``.
    api_key_env : str, optional
        Name of the environment variable that holds the key (sent as
        ``Authorization: Bearer ...``).
    allow_remote : bool, default False
        Allow an endpoint outside this machine and private networks (the data
        leave your organisation: check your ethics approval first).
    temperature : float, default 0.0
    seed : int or None, default 0
        Sampling settings sent with each request (part of every cache key).
    max_concurrency : int, default 2
        Requests in flight at once.
    timeout : float, default 120
        Seconds to wait for one answer before the attempt counts as timed out.
    max_tokens : int, default 512
        Upper bound on the answer's length.
    max_retries : int, default 2
        Further attempts after a transient failure (so at most 3 attempts).
    retry_backoff : float, default 0.5
        Seconds before the first retry; doubled each time (at most 8 s).
    response_format : {"json_object", "json_schema"}, default "json_object"
        How the schema is sent: ``{"type": "json_object", "schema": ...}``
        (llama.cpp, LM Studio) or OpenAI's ``{"type": "json_schema",
        "json_schema": {...}}`` (vLLM, Ollama >= 0.5).

    Attributes
    ----------
    cache : MemoryCallStore
        The in-memory call store used when :func:`llm_suggest` runs on a corpus
        without a project and without ``cache=`` (lost when the object goes).
    stats : dict
        ``requests`` (HTTP attempts sent) and ``calls`` (units sent) so far.

    Notes
    -----
    The endpoint check: literal IP addresses must be loopback or private
    (link-local such as 169.254.169.254 is refused); ``localhost`` passes;
    any other host name is looked up with ``getaddrinfo`` (no connection to the
    host) and every address must be loopback or private. The check is made again
    at each connection, at the address connected to (a name that later resolves
    elsewhere is refused). The client never uses a proxy and never follows a
    redirect.

    Examples
    --------
    >>> import qualcode as qc
    >>> qc.LLMCoder("https://api.example.com/v1", "gpt-x")
    Traceback (most recent call last):
    ...
    qualcode.errors.LLMError: [QC540] LLMCoder: the endpoint https://api.example.com/v1
    is not on this machine or a private network (...); nothing was sent. Use a server
    on this machine or your organisation's network, or pass allow_remote=True if the
    data may leave it.
    >>> llm = qc.LLMCoder("http://127.0.0.1:8080", "smollm2")
    >>> llm
    LLMCoder('http://127.0.0.1:8080/v1', model='smollm2', temperature=0.0, seed=0)
    """

    def __init__(
        self,
        endpoint: str,
        model: str,
        *,
        api_key_env: str | None = None,
        allow_remote: bool = False,
        temperature: float = 0.0,
        seed: int | None = 0,
        max_concurrency: int = 2,
        timeout: float = 120,
        max_tokens: int = 512,
        max_retries: int = 2,
        retry_backoff: float = 0.5,
        response_format: Literal["json_object", "json_schema"] = "json_object",
    ) -> None:
        caller = "LLMCoder"
        check_type(allow_remote, bool, param="allow_remote", caller=caller)
        if not isinstance(model, str) or not model.strip():
            raise invalid("model", caller, "a non-empty str", model)
        check_number(temperature, param="temperature", caller=caller, low=0, high=2)
        check_number(seed, param="seed", caller=caller, integer=True, allow_none=True)
        check_number(
            max_concurrency,
            param="max_concurrency",
            caller=caller,
            integer=True,
            low=1,
            high=64,
        )
        check_number(timeout, param="timeout", caller=caller, low=0, low_open=True)
        check_number(max_tokens, param="max_tokens", caller=caller, integer=True, low=1)
        check_number(
            max_retries,
            param="max_retries",
            caller=caller,
            integer=True,
            low=0,
            high=10,
        )
        check_number(
            retry_backoff, param="retry_backoff", caller=caller, low=0, high=60
        )
        check_choice(
            response_format,
            ["json_object", "json_schema"],
            param="response_format",
            caller=caller,
        )
        if api_key_env is not None:
            if not isinstance(api_key_env, str) or not api_key_env:
                raise invalid(
                    "api_key_env",
                    caller,
                    "the name of an environment variable or None",
                    type(api_key_env).__name__,
                )
            if not os.environ.get(api_key_env):
                raise InvalidInputError(
                    Errors.QC542.format(caller=caller, name=api_key_env)
                )
        self._endpoint = check_endpoint(
            endpoint, allow_remote=allow_remote, caller=caller
        )
        self.model = model.strip()
        self.api_key_env = api_key_env
        self.allow_remote = allow_remote
        self.temperature = float(temperature)
        self.seed = None if seed is None else int(seed)
        self.max_concurrency = int(max_concurrency)
        self.timeout = float(timeout)
        self.max_tokens = int(max_tokens)
        self.max_retries = int(max_retries)
        self.retry_backoff = float(retry_backoff)
        self.response_format = response_format
        self.cache = MemoryCallStore()
        self.stats = {"requests": 0, "calls": 0}
        self._lock = threading.Lock()
        self._server: dict[str, Any] | None = None
        self._opener = _build_opener(local=not allow_remote)

    # -- description ---------------------------------------------------------
    @property
    def endpoint(self) -> str:
        """The checked base URL (no credentials)."""
        return self._endpoint.base

    @property
    def coder(self) -> str:
        """The default coder name of this model's codings: ``"llm:<model>"``."""
        return f"llm:{self.model}"

    def __repr__(self) -> str:
        return (
            f"LLMCoder({self.endpoint!r}, model={self.model!r}, "
            f"temperature={self.temperature}, seed={self.seed})"
        )

    def parameters(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """The sampling parameters and the answer format of a request (no key)."""
        return {
            "temperature": self.temperature,
            "seed": self.seed,
            "max_tokens": self.max_tokens,
            "response_format": self._response_format(schema),
        }

    def _response_format(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        if self.response_format == "json_schema":
            return {
                "type": "json_schema",
                "json_schema": {
                    "name": "codings",
                    "schema": dict(schema),
                    "strict": True,
                },
            }
        return {"type": "json_object", "schema": dict(schema)}

    def request_body(
        self, messages: Sequence[Mapping[str, str]], schema: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The JSON body of one chat-completions request."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [dict(m) for m in messages],
        }
        params = self.parameters(schema)
        if params["seed"] is None:
            del params["seed"]
        body.update(params)
        body["stream"] = False
        return body

    # -- HTTP ----------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key_env is not None:
            key = os.environ.get(self.api_key_env)
            if key:
                headers["Authorization"] = f"Bearer {key}"
        return headers

    def _open(self, path: str, body: bytes | None, timeout: float) -> tuple[int, bytes]:
        import urllib.error
        import urllib.request

        req = urllib.request.Request(
            self.endpoint + path,
            data=body,
            headers=self._headers(),
            method="POST" if body is not None else "GET",
        )
        with self._lock:
            self.stats["requests"] += 1
        with self._opener.open(req, timeout=timeout) as resp:
            data = resp.read(_MAX_BODY + 1)
            return int(resp.status), data

    def models(self, *, caller: str = "LLMCoder.models") -> list[dict[str, Any]]:
        """The models the server lists (``GET /models``), as dicts.

        Raises
        ------
        LLMError
            The server cannot be reached, refuses the request, or does not answer
            with a model list.
        """
        import urllib.error
        import urllib.request

        timeout = min(self.timeout, 30.0)
        try:
            _status, data = self._open("/models", None, timeout)
        except urllib.error.HTTPError as exc:
            raise LLMError(
                Errors.QC545.format(
                    caller=caller,
                    endpoint=self.endpoint,
                    status=exc.code,
                    fix=_fix_for(exc.code, self.api_key_env),
                )
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise LLMError(
                Errors.QC543.format(
                    caller=caller, endpoint=self.endpoint, detail=_reason(exc)
                )
            ) from None
        try:
            listed = json.loads(data)
            entries = listed.get("data", listed.get("models", []))
            if not isinstance(entries, list):
                raise TypeError
        except (ValueError, TypeError, AttributeError):
            raise LLMError(
                Errors.QC543.format(
                    caller=caller,
                    endpoint=self.endpoint,
                    detail="GET /models did not answer with a model list; is this "
                    "an OpenAI-compatible server?",
                )
            ) from None
        return [e if isinstance(e, dict) else {"id": str(e)} for e in entries]

    def check_server(self, *, caller: str = "llm_suggest") -> dict[str, Any]:
        """Reach the server once and identify the model it serves.

        Returns ``{"server_model": id, "model_digest": digest or None}``. A server
        that lists one model serves it whatever name is asked (llama.cpp); one
        that lists several must list ``model`` (or ``model:latest``, Ollama's tag).
        """
        if self._server is not None:
            return self._server
        entries = self.models(caller=caller)
        ids = [str(e.get("id", e.get("name", ""))) for e in entries]
        # Ollama lists "llama3:latest" for the model it also serves as "llama3"
        names = {self.model, f"{self.model}:latest"}
        match = [e for e, i in zip(entries, ids, strict=True) if i in names]
        if not match and len(entries) == 1:
            match = entries
        if not match:
            shown = ids[:10] + (["..."] if len(ids) > 10 else [])
            raise LLMError(
                Errors.QC544.format(
                    caller=caller,
                    endpoint=self.endpoint,
                    model=self.model,
                    served=shown,
                )
            )
        entry = match[0]
        digest = entry.get("digest") or entry.get("sha256") or entry.get("hash")
        self._server = {
            "server_model": str(entry.get("id", entry.get("name", ""))),
            "model_digest": None if digest is None else str(digest),
        }
        return self._server

    def chat(
        self, messages: Sequence[Mapping[str, str]], schema: Mapping[str, Any]
    ) -> Reply:
        """Send one prompt; retry transient failures; never raise for them.

        Returns a :class:`Reply` with the parsed proposals, or with ``error`` set
        to a short reason (no transcript text) after the last attempt.
        """
        body = json.dumps(self.request_body(messages, schema)).encode("utf-8")
        with self._lock:
            self.stats["calls"] += 1
        reply = Reply()
        for attempt in range(self.max_retries + 1):
            reply.attempts = attempt + 1
            t0 = time.perf_counter()
            try:
                got = self._attempt(body)
            except _Attempt as exc:
                reply.latency = time.perf_counter() - t0
                reply.error = exc.reason
                if exc.reply is not None:
                    _copy_meta(exc.reply, reply)
                if not exc.retry:
                    break
                if attempt < self.max_retries:
                    time.sleep(min(8.0, self.retry_backoff * 2**attempt))
                continue
            got.attempts = attempt + 1
            got.latency = time.perf_counter() - t0
            return got
        return reply

    def _attempt(self, body: bytes) -> Reply:
        import urllib.error
        import urllib.request

        try:
            _status, data = self._open("/chat/completions", body, self.timeout)
        except urllib.error.HTTPError as exc:
            retry = exc.code in _RETRY_STATUS
            raise _Attempt(f"HTTP {exc.code}", retry=retry) from None
        except TimeoutError:
            raise _Attempt(f"timed out after {self.timeout:g} s", retry=True) from None
        except (urllib.error.URLError, OSError) as exc:
            if isinstance(getattr(exc, "reason", None), TimeoutError):
                raise _Attempt(
                    f"timed out after {self.timeout:g} s", retry=True
                ) from None
            raise _Attempt(f"connection failed ({_reason(exc)})", retry=True) from None
        if len(data) > _MAX_BODY:
            raise _Attempt("the response is too large", retry=False)
        try:
            doc = json.loads(data)
            choice = doc["choices"][0]
            message = choice.get("message") or {}
            content = message.get("content")
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise _Attempt(
                "the server returned non-JSON or no choices", retry=True
            ) from None
        reply = Reply(content=content if isinstance(content, str) else None)
        reply.model_reported = _str_or_none(doc.get("model"))
        reply.fingerprint = _str_or_none(doc.get("system_fingerprint"))
        reply.finish_reason = _str_or_none(choice.get("finish_reason"))
        usage = doc.get("usage") if isinstance(doc.get("usage"), dict) else {}
        reply.prompt_tokens = _int_or_none(usage.get("prompt_tokens"))
        reply.completion_tokens = _int_or_none(usage.get("completion_tokens"))
        try:
            reply.proposals = parse_answer(reply.content)
        except AnswerError as exc:
            if reply.finish_reason == "length":
                # cut off at max_tokens: the same request gives the same cut at
                # temperature 0, so only a sampling temperature is worth a retry
                raise _Attempt(
                    f"{exc.reason} (cut off at max_tokens={self.max_tokens}; "
                    "raise max_tokens or lower max_codings)",
                    retry=self.temperature > 0,
                    reply=reply,
                ) from None
            raise _Attempt(exc.reason, retry=True, reply=reply) from None
        return reply


def _copy_meta(src: Reply, dst: Reply) -> None:
    for name in (
        "content",
        "model_reported",
        "fingerprint",
        "finish_reason",
        "prompt_tokens",
        "completion_tokens",
    ):
        setattr(dst, name, getattr(src, name))


def _str_or_none(v: object) -> str | None:
    return None if v is None else str(v)


def _int_or_none(v: object) -> int | None:
    return int(v) if isinstance(v, int) and not isinstance(v, bool) else None


def _reason(exc: BaseException) -> str:
    """A short reason without URLs or data."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, BaseException):
        name = type(reason).__name__
        errno = getattr(reason, "errno", None)
        text = getattr(reason, "strerror", None) or ""
        return f"{name}{f' {errno}' if errno else ''}{f': {text}' if text else ''}"
    return str(reason)[:200]


def _fix_for(status: int, api_key_env: str | None) -> str:
    if status in (401, 403):
        return (
            f"Check the key in the environment variable {api_key_env!r}."
            if api_key_env
            else "The server needs a key: pass api_key_env=."
        )
    if status == 404:
        return "Check the URL: it should end in the API prefix, usually /v1."
    return "Check the server's log."
