"""The LLM coder without a model: endpoint refusal, verification, retries, cache.

Hostile or broken servers (non-JSON, time-outs, HTTP errors, redirects) are
built here as small stdlib HTTP servers on loopback; the real protocol with a
real model is tested in ``test_llm_server.py``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pandas as pd
import pytest

import qualcode as qc
from qualcode.errors import InvalidInputError, LLMError, LLMWarning
from qualcode.llm import MemoryCallStore, cache_key, llm_suggest, response_schema
from qualcode.llm._endpoint import check_endpoint, ip_is_local
from qualcode.llm._verify import (
    AnswerError,
    Proposal,
    anchor_quote,
    parse_answer,
    verify,
)
from qualcode.model import Transcript, TurnDraft

CB = qc.Codebook.from_dict(
    {
        "name": "mini",
        "version": "1",
        "codes": [
            {"id": "pursue", "label": "Pursue", "definition": "Arrests of dealers."},
            {"id": "protect", "label": "Protect", "definition": "Safeguarding."},
        ],
    }
)


def _transcript() -> Transcript:
    return Transcript.build(
        "t1",
        [
            TurnDraft("What do you do?", "I", "interviewer"),
            TurnDraft(
                "We arrest dealers.  We \u201cprotect\u201d kids.", "P1", "participant"
            ),
            TurnDraft("Anything else?", "I", "interviewer"),
            TurnDraft("We talk to schools.", "P1", "participant"),
        ],
    )


def _answer(*codings: tuple[str, str]) -> str:
    return json.dumps(
        {"codings": [{"code": c, "quote": q, "rationale": "r"} for c, q in codings]}
    )


def _completion(content: str, **extra: Any) -> bytes:
    doc = {
        "id": "x",
        "object": "chat.completion",
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }
    doc.update(extra)
    return json.dumps(doc).encode()


Handler = Callable[[dict[str, Any], dict[str, str]], tuple[int, bytes, float]]


class FakeServer:
    """An OpenAI-shaped server whose chat answers come from ``respond``."""

    def __init__(self, respond: Handler, models: list[str] | None = None) -> None:
        self.respond = respond
        self.models = ["fake"] if models is None else models
        self.requests: list[tuple[dict[str, Any], dict[str, str]]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        outer = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(
                self, status: int, body: bytes, ctype: str = "application/json"
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path.endswith("/models"):
                    data = [{"id": m, "object": "model"} for m in outer.models]
                    self._send(
                        200, json.dumps({"object": "list", "data": data}).encode()
                    )
                else:
                    self._send(404, b"{}")

            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(n))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with outer._lock:
                    outer.requests.append((body, headers))
                    outer.in_flight += 1
                    outer.max_in_flight = max(outer.max_in_flight, outer.in_flight)
                try:
                    status, data, delay = outer.respond(body, headers)
                    if delay:
                        time.sleep(delay)
                finally:
                    # Leave the count before answering: once the answer is on
                    # the wire the client may send its next request, and this
                    # thread may not run again before that request is counted.
                    with outer._lock:
                        outer.in_flight -= 1
                try:
                    self._send(status, data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def chats(self) -> int:
        return len(self.requests)


def _coder(url: str, **kw: Any) -> qc.LLMCoder:
    kw.setdefault("retry_backoff", 0.0)
    return qc.LLMCoder(url, "fake", **kw)


def _quote_first_sentence(
    body: dict[str, Any], headers: dict[str, str]
) -> tuple[int, bytes, float]:
    user = body["messages"][1]["content"]
    passage = user.split("PASSAGE (", 1)[1].split("\n", 1)[1].split("\n\n", 1)[0]
    first = passage.split(".")[0]
    return 200, _completion(_answer(("pursue", first))), 0.0


# -- the endpoint ------------------------------------------------------------------


@pytest.fixture()
def no_connections(monkeypatch):
    """Fail the test if anything opens a socket connection."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize(
    "url",
    ["http://8.8.8.8/v1", "https://1.1.1.1:8443/v1", "http://[2606:4700::1111]/v1"],
)
def test_llm_endpoint_public_ip_refused_before_connecting(url, no_connections):
    with pytest.raises(LLMError, match=r"\[QC540\].*allow_remote=True"):
        qc.LLMCoder(url, "m")


def test_llm_endpoint_link_local_metadata_address_refused(no_connections):
    with pytest.raises(LLMError, match=r"\[QC540\]"):
        qc.LLMCoder("http://169.254.169.254/v1", "m")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/v1",
        "http://localhost:11434/v1",
        "http://10.1.2.3/v1",
        "http://192.168.0.7:1234/v1",
        "http://172.20.0.2/v1",
        "http://[::1]:8080/v1",
        "http://[fd00::5]/v1",
    ],
)
def test_llm_endpoint_local_and_private_accepted_without_connecting(
    url, no_connections
):
    assert qc.LLMCoder(url, "m").endpoint.startswith(url.rsplit("/v1", 1)[0])


def test_llm_endpoint_hostname_resolving_to_public_refused(monkeypatch, no_connections):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80))
        ],
    )
    with pytest.raises(LLMError, match=r"\[QC540\].*resolves to 93\.184\.216\.34"):
        qc.LLMCoder("http://llm.example.org/v1", "m")


def test_llm_endpoint_hostname_every_address_must_be_private(
    monkeypatch, no_connections
):
    addresses = [("10.0.0.5", 80), ("93.184.216.34", 80)]
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", a) for a in addresses
        ],
    )
    with pytest.raises(LLMError, match=r"\[QC540\]"):
        qc.LLMCoder("http://gpu.lab.internal/v1", "m")


def test_llm_endpoint_hostname_resolving_to_private_accepted(
    monkeypatch, no_connections
):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 80))],
    )
    assert qc.LLMCoder("http://gpu.lab.internal:8000", "m").endpoint == (
        "http://gpu.lab.internal:8000/v1"
    )


def _dns(monkeypatch, answers: list[str]) -> list[str]:
    """'llm.test' resolves to the next of ``answers`` each time (the last repeats);
    other names as usual. Returns the addresses handed out."""
    real = socket.getaddrinfo
    given: list[str] = []

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "llm.test":
            return real(host, port, *args, **kwargs)
        ip = answers.pop(0) if len(answers) > 1 else answers[0]
        given.append(ip)
        return real(ip, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return given


def test_llm_endpoint_hostname_checked_again_at_each_connection(monkeypatch):
    """A name resolving to this machine works, and is resolved per connection."""
    with FakeServer(_quote_first_sentence) as srv:
        port = srv.url.split(":")[-1].split("/")[0]
        given = _dns(monkeypatch, ["127.0.0.1"])
        llm = _coder(f"http://llm.test:{port}/v1", max_concurrency=1)
        out = llm_suggest([_transcript()], CB, llm=llm, progress=False)
    assert len(out) == 2 and len(srv.requests) == 2  # two units answered
    # the check, then one look-up per HTTP request (the model list and the calls)
    assert len(given) == 1 + llm.stats["requests"]


def test_llm_endpoint_dns_rebinding_refused_before_sending(monkeypatch):
    """The name passed the check (127.0.0.1), then resolves to a public address:
    the call is refused and nothing is sent anywhere."""
    connected: list[Any] = []
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        connected.append(address)
        return real_connect(self, address)

    with FakeServer(_quote_first_sentence) as srv:
        port = srv.url.split(":")[-1].split("/")[0]
        _dns(monkeypatch, ["127.0.0.1", "8.8.8.8"])
        llm = _coder(f"http://llm.test:{port}/v1", max_concurrency=1)
        monkeypatch.setattr(socket.socket, "connect", connect)
        with pytest.raises(LLMError, match=r"\[QC540\].*resolves to 8\.8\.8\.8"):
            llm_suggest([_transcript()], CB, llm=llm, progress=False)
    assert srv.requests == []
    assert not [a for a in connected if a[0] == "8.8.8.8"]


def test_llm_endpoint_allow_remote_accepts_public(no_connections):
    llm = qc.LLMCoder("https://8.8.8.8/v1", "m", allow_remote=True)
    assert llm.endpoint == "https://8.8.8.8/v1"


def test_llm_endpoint_credentials_in_url_refused_and_not_echoed():
    with pytest.raises(InvalidInputError, match=r"\[QC541\]") as info:
        qc.LLMCoder("http://user:s3cret@127.0.0.1:8080/v1", "m")
    assert "s3cret" not in str(info.value)


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/v1", "127.0.0.1:8080", "", "http:///v1"]
)
def test_llm_endpoint_not_a_url_refused(url):
    with pytest.raises(InvalidInputError, match=r"\[QC541\]"):
        qc.LLMCoder(url, "m")


def test_llm_endpoint_path_normalised():
    assert check_endpoint(
        "http://127.0.0.1:1/v1/chat/completions", allow_remote=False
    ).base == ("http://127.0.0.1:1/v1")


def test_llm_endpoint_ipv4_mapped_ipv6_is_checked_as_ipv4():
    assert ip_is_local("::ffff:127.0.0.1")
    assert not ip_is_local("::ffff:8.8.8.8")


# -- the key --------------------------------------------------------------------------


def test_llm_key_from_env_sent_but_never_in_repr_or_audit_trail(monkeypatch):
    secret = "sk-test-0123456789abcdef"
    monkeypatch.setenv("QC_TEST_LLM_KEY", secret)
    with FakeServer(_quote_first_sentence) as srv:
        llm = _coder(srv.url, api_key_env="QC_TEST_LLM_KEY")
        out = llm_suggest([_transcript()], CB, llm=llm, progress=False)
        assert srv.requests[0][1]["authorization"] == f"Bearer {secret}"
    assert len(out) == 2
    assert secret not in repr(llm)
    assert secret not in repr(vars(llm))
    calls = llm.cache.llm_calls()
    assert not calls.astype(str).apply(lambda col: col.str.contains(secret)).any().any()


def test_llm_key_env_not_set_refused(monkeypatch):
    monkeypatch.delenv("QC_TEST_LLM_KEY_MISSING", raising=False)
    with pytest.raises(InvalidInputError, match=r"\[QC542\].*QC_TEST_LLM_KEY_MISSING"):
        qc.LLMCoder("http://127.0.0.1:8080", "m", api_key_env="QC_TEST_LLM_KEY_MISSING")


# -- parameters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw",
    [
        {"temperature": -1},
        {"max_concurrency": 0},
        {"timeout": 0},
        {"seed": 1.5},
        {"allow_remote": "yes"},
        {"response_format": "xml"},
    ],
)
def test_llm_coder_bad_option_refused(kw):
    with pytest.raises(InvalidInputError, match=r"\[QC101\]"):
        qc.LLMCoder("http://127.0.0.1:8080", "m", **kw)


def test_llm_suggest_unknown_code_refused_before_any_call():
    llm = _coder("http://127.0.0.1:9")
    with pytest.raises(
        InvalidInputError, match=r"\[QC109\].*'pursu'.*did you mean 'pursue'"
    ):
        llm_suggest([_transcript()], CB, llm=llm, codes=["pursu"], progress=False)
    assert llm.stats["requests"] == 0


def test_llm_suggest_unknown_transcript_refused():
    llm = _coder("http://127.0.0.1:9")
    with pytest.raises(InvalidInputError, match=r"\[QC109\].*transcript 't9'"):
        llm_suggest([_transcript()], CB, llm=llm, transcripts=["t9"], progress=False)


@pytest.mark.parametrize(
    "kw",
    [{"unit": "word"}, {"context": -1}, {"quotes": "any"}, {"max_codings": 0}],
)
def test_llm_suggest_bad_option_refused(kw):
    llm = _coder("http://127.0.0.1:9")
    with pytest.raises(InvalidInputError, match=r"\[QC101\]"):
        llm_suggest([_transcript()], CB, llm=llm, progress=False, **kw)


def test_llm_suggest_llm_must_be_a_coder():
    with pytest.raises(InvalidInputError, match=r"\[QC101\].*'llm'"):
        llm_suggest([_transcript()], CB, llm="http://127.0.0.1:8080", progress=False)


# -- verification ---------------------------------------------------------------------


def test_llm_verify_exact_quote_gets_transcript_offsets():
    t = _transcript()
    turn = t.turns[1]
    (v,) = verify(
        [Proposal("pursue", "arrest dealers", "r")],
        unit_text=turn.text,
        unit_start=turn.start,
        allowed={"pursue"},
    )
    assert v.accepted and t.text[v.start : v.end] == "arrest dealers"


def test_llm_verify_normalised_quote_reanchored_to_exact_stored_text():
    t = _transcript()
    turn = t.turns[1]
    (v,) = verify(
        [Proposal("protect", 'dealers. We "protect" kids', "r")],
        unit_text=turn.text,
        unit_start=turn.start,
        allowed={"protect"},
    )
    assert v.accepted and v.reason == "normalised"
    assert t.text[v.start : v.end] == "dealers.  We \u201cprotect\u201d kids"


def test_llm_verify_quote_from_codebook_definition_rejected():
    """The case the 135M model produced: it 'quoted' the codebook, not the turn."""
    system = (
        "Codes:\n- divert-to-support: Diversion schemes. Refer people to treatment."
    )
    (v,) = verify(
        [Proposal("pursue", "Diversion schemes", "r")],
        unit_text="Fire away.",
        unit_start=0,
        allowed={"pursue"},
        prompt_text=system,
    )
    assert not v.accepted and v.reason == "quote is from the prompt, not the unit"


@pytest.mark.parametrize(
    "proposal,reason",
    [
        (Proposal("other", "We talk", "r"), "unknown code"),
        (Proposal("pursue", "  ", "r"), "empty quote"),
        (
            Proposal("pursue", "What do you do?", "r"),
            "quote is from the context, not the unit",
        ),
        (Proposal("pursue", "We arrest everyone", "r"), "quote not found in the unit"),
    ],
)
def test_llm_verify_rejections_keep_their_reason(proposal, reason):
    (v,) = verify(
        [proposal],
        unit_text="We talk to schools.",
        unit_start=0,
        allowed={"pursue"},
        context_text="What do you do?",
    )
    assert not v.accepted and v.reason == reason


def test_llm_verify_duplicate_proposal_rejected():
    vs = verify(
        [Proposal("pursue", "We talk", "r"), Proposal("pursue", "We talk", "r")],
        unit_text="We talk to schools.",
        unit_start=0,
        allowed={"pursue"},
    )
    assert [v.accepted for v in vs] == [True, False]


def test_llm_verify_leading_speaker_label_ignored():
    (v,) = verify(
        [Proposal("pursue", "[P1 (participant)] We talk to schools", "r")],
        unit_text="We talk to schools.",
        unit_start=5,
        allowed={"pursue"},
        speaker="P1 (participant)",
    )
    assert v.accepted and (v.start, v.end) == (5, 23)


def test_llm_anchor_quote_never_ends_inside_whitespace_run():
    text = "one  two   three"
    s, e, _ = anchor_quote("two three", text)
    assert text[s:e] == "two   three"


@pytest.mark.parametrize(
    "content,reason",
    [
        ("", "empty answer"),
        ("   ", "empty answer"),
        ("{not json", "malformed JSON answer"),
        ('{"codes": []}', "the answer does not follow the schema (no 'codings')"),
        (
            '{"codings": {"a": 1}}',
            "the answer does not follow the schema ('codings' not a list)",
        ),
        (
            '{"codings": [{"code": 1, "quote": "x"}]}',
            "the answer does not follow the schema (code/quote not text)",
        ),
    ],
)
def test_llm_parse_answer_reasons(content, reason):
    with pytest.raises(AnswerError) as info:
        parse_answer(content)
    assert info.value.reason == reason


def test_llm_response_schema_enumerates_allowed_codes_and_bounds_lists():
    s = response_schema(["a", "b"], max_codings=3)
    items = s["properties"]["codings"]
    assert items["maxItems"] == 3
    assert items["items"]["properties"]["code"]["enum"] == ["a", "b"]
    s2 = response_schema(["a"], quotes=["One.", "Two."])
    assert s2["properties"]["codings"]["items"]["properties"]["quote"]["enum"] == [
        "One.",
        "Two.",
    ]


# -- calls, retries and failures ------------------------------------------------


def test_llm_suggest_returns_only_verified_codings_with_exact_offsets():
    t = _transcript()

    def respond(body, headers):
        if "arrest" in body["messages"][1]["content"].split("PASSAGE", 1)[1]:
            ans = _answer(
                ("pursue", "arrest dealers"),
                ("protect", "Safeguarding"),
                ("nope", "We"),
            )
        else:
            ans = _answer(("protect", "talk to schools"))
        return 200, _completion(ans), 0.0

    with FakeServer(respond) as srv:
        llm = _coder(srv.url)
        out = llm_suggest([t], CB, llm=llm, progress=False)
    assert out["code"].tolist() == ["pursue", "protect"]
    for row in out.itertuples():
        assert t.text[row.start : row.end] == row.quote == row.text
    calls = llm.cache.llm_calls()
    assert calls["n_rejected"].sum() == 2
    reasons = [
        v["reason"]
        for x in calls["verification"]
        for v in json.loads(x)
        if not v["accepted"]
    ]
    assert sorted(reasons) == ["quote is from the prompt, not the unit", "unknown code"]
    assert out.attrs["llm"]["rejected"] == 2
    assert list(out.columns)[-3:] == ["quote", "rationale", "llm_call"]


def test_llm_suggest_rerun_uses_cache_and_gives_same_frame():
    with FakeServer(_quote_first_sentence) as srv:
        llm = _coder(srv.url)
        first = llm_suggest([_transcript()], CB, llm=llm, progress=False)
        sent = srv.chats
        second = llm_suggest([_transcript()], CB, llm=llm, progress=False)
        assert srv.chats == sent == 2
    pd.testing.assert_frame_equal(first, second)
    assert second.attrs["llm"]["cached"] == 2 and second.attrs["llm"]["sent"] == 0
    assert len(llm.cache.llm_calls()) == 2


def test_llm_suggest_cache_key_changes_with_parameters():
    with FakeServer(_quote_first_sentence) as srv:
        llm = _coder(srv.url)
        llm_suggest([_transcript()], CB, llm=llm, progress=False)
        hot = _coder(srv.url, temperature=0.7)
        hot.cache = llm.cache
        llm_suggest([_transcript()], CB, llm=hot, progress=False)
        assert srv.chats == 4


def test_llm_suggest_non_json_body_retried_then_recorded_not_raised():
    with FakeServer(lambda b, h: (200, b"<html>Bad Gateway</html>", 0.0)) as srv:
        llm = _coder(srv.url, max_retries=2)
        with pytest.warns(LLMWarning, match=r"\[QC546\] llm_suggest: 2 of 2 unit\(s\)"):
            out = llm_suggest([_transcript()], CB, llm=llm, progress=False)
        assert srv.chats == 6  # 2 units x 3 attempts
    assert out.empty and list(out.columns)[-1] == "llm_call"
    calls = llm.cache.llm_calls()
    assert calls["status"].tolist() == ["failed", "failed"]
    assert calls["attempts"].tolist() == [3, 3]
    assert (calls["error"] == "the server returned non-JSON or no choices").all()


def test_llm_suggest_malformed_answer_retried_then_recorded():
    with FakeServer(
        lambda b, h: (200, _completion("Sure! The code is pursue."), 0.0)
    ) as srv:
        llm = _coder(srv.url, max_retries=1)
        with pytest.warns(LLMWarning, match="malformed JSON answer: 2"):
            llm_suggest([_transcript()], CB, llm=llm, progress=False)
        assert srv.chats == 4
    calls = llm.cache.llm_calls()
    assert calls["answer"].tolist() == ["Sure! The code is pursue."] * 2


def test_llm_suggest_timeout_recorded_per_unit():
    with FakeServer(lambda b, h: (200, _completion(_answer()), 2.0)) as srv:
        llm = _coder(srv.url, timeout=0.3, max_retries=0)
        with pytest.warns(LLMWarning, match=r"timed out after 0\.3 s: 2"):
            out = llm_suggest([_transcript()], CB, llm=llm, progress=False)
    assert out.empty
    assert llm.cache.llm_calls()["status"].tolist() == ["failed", "failed"]


def test_llm_suggest_transient_http_error_retried_then_succeeds():
    seen = {"n": 0}

    def respond(body, headers):
        seen["n"] += 1
        if seen["n"] == 1:
            return 503, b'{"error": "loading"}', 0.0
        return _quote_first_sentence(body, headers)

    with FakeServer(respond) as srv:
        llm = _coder(srv.url, max_concurrency=1)
        out = llm_suggest([_transcript()], CB, llm=llm, progress=False)
    assert len(out) == 2
    assert llm.cache.llm_calls()["attempts"].tolist() == [2, 1]


def test_llm_suggest_client_error_not_retried():
    with FakeServer(lambda b, h: (400, b'{"error": "context too long"}', 0.0)) as srv:
        llm = _coder(srv.url, max_retries=3)
        with pytest.warns(LLMWarning, match="HTTP 400: 2"):
            llm_suggest([_transcript()], CB, llm=llm, progress=False)
        assert srv.chats == 2


def test_llm_suggest_failed_calls_retried_on_next_run_finished_ones_not():
    state = {"fail": True}

    def respond(body, headers):
        passage = body["messages"][1]["content"].split("PASSAGE", 1)[1]
        if state["fail"] and "schools" in passage:
            return 500, b"{}", 0.0
        return _quote_first_sentence(body, headers)

    with FakeServer(respond) as srv:
        llm = _coder(srv.url, max_retries=0)
        with pytest.warns(LLMWarning):
            first = llm_suggest([_transcript()], CB, llm=llm, progress=False)
        state["fail"] = False
        second = llm_suggest([_transcript()], CB, llm=llm, progress=False)
        assert srv.chats == 3  # 2 in the first run, only the failed one again
    assert len(first) == 1 and len(second) == 2
    assert second.attrs["llm"] == {
        "units": 2,
        "cached": 1,
        "sent": 1,
        "failed": 0,
        "accepted": 2,
        "rejected": 0,
    }


def test_llm_suggest_redirect_not_followed():
    def respond(body, headers):
        return 307, b"", 0.0

    with FakeServer(respond) as srv:
        llm = _coder(srv.url, max_retries=0)
        with pytest.warns(LLMWarning, match="HTTP 307"):
            llm_suggest([_transcript()], CB, llm=llm, progress=False)


def test_llm_suggest_unreachable_endpoint_raises_before_any_unit():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens here
    llm = _coder(f"http://127.0.0.1:{port}/v1")
    with pytest.raises(LLMError, match=r"\[QC543\].*cannot reach the model server"):
        llm_suggest([_transcript()], CB, llm=llm, progress=False)
    assert len(llm.cache) == 0


def test_llm_suggest_model_not_served_raises():
    with FakeServer(_quote_first_sentence, models=["llama3:8b", "qwen2:7b"]) as srv:
        llm = _coder(srv.url)
        with pytest.raises(LLMError, match=r"\[QC544\].*'fake'.*llama3:8b"):
            llm_suggest([_transcript()], CB, llm=llm, progress=False)
        assert srv.chats == 0


def test_llm_suggest_concurrency_bounded_by_max_concurrency():
    t = Transcript.build(
        "t2",
        [TurnDraft(f"Sentence number {i}.", "P1", "participant") for i in range(12)],
    )

    def respond(body, headers):
        status, data, _ = _quote_first_sentence(body, headers)
        return status, data, 0.15

    with FakeServer(respond) as srv:
        llm = _coder(srv.url, max_concurrency=3)
        out = llm_suggest([t], CB, llm=llm, progress=False)
    assert len(out) == 12
    assert 1 < srv.max_in_flight <= 3
    assert out["turn"].tolist() == list(range(12))  # order of units, not of answers


def test_llm_suggest_prompt_has_codebook_context_and_schema():
    with FakeServer(_quote_first_sentence) as srv:
        llm = _coder(srv.url, max_concurrency=1)
        llm_suggest([_transcript()], CB, llm=llm, codes=["protect"], progress=False)
        body = srv.requests[0][0]
    system, user = body["messages"][0]["content"], body["messages"][1]["content"]
    assert "- protect: Protect. Safeguarding." in system and "pursue" not in system
    assert "Context before (do not code):\n[I (interviewer)] What do you do?" in user
    assert body["response_format"]["schema"]["properties"]["codings"]["items"][
        "properties"
    ]["code"]["enum"] == ["protect"]
    assert body["temperature"] == 0.0 and body["seed"] == 0


def test_llm_suggest_sentence_quotes_mode_lists_the_unit_sentences():
    with FakeServer(_quote_first_sentence) as srv:
        llm = _coder(srv.url, max_concurrency=1)
        llm_suggest([_transcript()], CB, llm=llm, quotes="sentences", progress=False)
        body = srv.requests[0][0]
    quote = body["response_format"]["schema"]["properties"]["codings"]["items"][
        "properties"
    ]["quote"]
    assert quote["enum"] == ["We arrest dealers.", "We \u201cprotect\u201d kids."]


def test_llm_suggest_examples_shown_in_prompt():
    ex = pd.DataFrame({"code": ["pursue", "unknown"], "text": ["We nicked him.", "x"]})
    with FakeServer(_quote_first_sentence) as srv:
        llm = _coder(srv.url)
        llm_suggest([_transcript()], CB, llm=llm, examples=ex, progress=False)
        system = srv.requests[0][0]["messages"][0]["content"]
    assert '- pursue: "We nicked him."' in system and "unknown" not in system


def test_llm_memory_store_serves_only_answered_calls():
    store = MemoryCallStore()
    store.record_llm_call({"key": "k", "status": "failed", "error": "HTTP 500"})
    assert store.find_llm_call("k") is None
    store.record_llm_call({"key": "k", "status": "ok", "answer": "{}"})
    assert store.find_llm_call("k")["call_id"] == 2


def test_llm_cache_key_is_stable_and_parameter_sensitive():
    a = cache_key("m", {"temperature": 0.0, "seed": 0}, "p")
    assert a == cache_key("m", {"seed": 0, "temperature": 0.0}, "p")
    assert a != cache_key("m2", {"temperature": 0.0, "seed": 0}, "p")
    assert a != cache_key("m", {"temperature": 0.0, "seed": 0}, "p2")


def test_llm_suggest_identical_prompts_in_one_run_sent_once():
    t = Transcript.build(
        "t3", [TurnDraft("We arrest dealers.", "P1", "participant") for _ in range(3)]
    )
    with FakeServer(_quote_first_sentence) as srv:
        llm = _coder(srv.url)
        out = llm_suggest([t], CB, llm=llm, context=0, progress=False)
        assert srv.chats == 1
    assert out["start"].tolist() == [t.turns[i].start for i in range(3)]
    assert out["llm_call"].nunique() == 1 and out.attrs["llm"]["cached"] == 2


# -- with a project ------------------------------------------------------------------


@pytest.fixture()
def project(tmp_path):
    p = qc.Project(tmp_path / "study.qcproj")
    p.set_codebook(CB)
    p.add_transcripts([_transcript()])
    yield p
    p.close()


def test_llm_code_writes_codings_of_llm_coder_with_traceable_origin(project):
    with FakeServer(_quote_first_sentence) as srv:
        llm = _coder(srv.url)
        done = qc.llm_code(project, llm=llm, progress=False)
    codings = project.codings(coder="llm:fake")
    assert len(codings) == 2 == len(done)
    calls = project.llm_calls()
    assert len(calls) == 2 and (calls["status"] == "ok").all()
    for row in codings.itertuples():
        cid = int(row.origin.rsplit("call=", 1)[1])
        assert row.origin == f"llm:fake prompt=qc-llm-1 call={cid}"
        assert cid in set(calls["call_id"])
    assert codings["text"].tolist() == ["We arrest dealers", "We talk to schools"]


def test_llm_code_custom_coder_name(project):
    with FakeServer(_quote_first_sentence) as srv:
        qc.llm_code(project, llm=_coder(srv.url), coder="model-A", progress=False)
    assert "model-A" in project.coders


def test_llm_code_code_not_in_project_codebook_refused_before_any_call(project):
    other = qc.Codebook.from_dict(
        {"name": "other", "version": "1", "codes": [{"id": "prepare", "label": "P"}]}
    )
    llm = _coder("http://127.0.0.1:9")
    with pytest.raises(InvalidInputError, match=r"\[QC109\].*'prepare'.*set_codebook"):
        qc.llm_code(project, other, llm=llm, progress=False)
    assert llm.stats["requests"] == 0 and project.llm_calls().empty


def test_llm_code_needs_a_project():
    with pytest.raises(InvalidInputError, match=r"\[QC101\].*'project'"):
        qc.llm_code([_transcript()], CB, llm=_coder("http://127.0.0.1:9"))


def test_llm_code_all_failed_writes_nothing(project):
    with FakeServer(lambda b, h: (500, b"{}", 0.0)) as srv:
        with pytest.warns(LLMWarning):
            out = qc.llm_code(
                project, llm=_coder(srv.url, max_retries=0), progress=False
            )
    assert out.empty and project.codings().empty
    assert project.llm_calls()["status"].tolist() == ["failed", "failed"]


def test_llm_suggest_on_project_keeps_trail_in_project_and_reuses_it(project):
    with FakeServer(_quote_first_sentence) as srv:
        first = llm_suggest(project, llm=_coder(srv.url), progress=False)
        again = llm_suggest(project, llm=_coder(srv.url), progress=False)  # new coder
        assert srv.chats == 2
    pd.testing.assert_frame_equal(first, again)
    assert len(project.llm_calls()) == 2


def test_llm_suggest_corpus_cache_at_a_path(tmp_path):
    path = tmp_path / "calls.qcproj"
    with FakeServer(_quote_first_sentence) as srv:
        llm_suggest(
            [_transcript()], CB, llm=_coder(srv.url), cache=path, progress=False
        )
        llm_suggest(
            [_transcript()], CB, llm=_coder(srv.url), cache=path, progress=False
        )
        assert srv.chats == 2
    with qc.Project(path) as p:
        assert len(p.llm_calls()) == 2


def test_llm_suggest_bad_cache_refused():
    with pytest.raises(InvalidInputError, match=r"\[QC548\]"):
        llm_suggest([_transcript()], CB, llm=_coder("http://127.0.0.1:9"), cache=3)


def test_llm_calls_table_added_to_an_older_project(
    tmp_path, tiny_transcripts, monkeypatch
):
    import sqlite3

    from qualcode.store import _db

    path = tmp_path / "old.qcproj"
    with monkeypatch.context() as m:  # a file as qualcode wrote it before the LLM coder
        m.setattr(_db, "MIGRATIONS", _db.MIGRATIONS[:1])
        m.setattr(_db, "SCHEMA_VERSION", 1)
        with qc.Project(path) as p:
            p.add_transcripts(tiny_transcripts)
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    assert con.execute("PRAGMA user_version").fetchone()[0] == 1
    con.close()
    assert "llm_calls" not in tables
    with qc.Project(path) as p:
        assert p.llm_calls().empty and p.transcript_ids() == ["t1", "t2"]
        assert p.record_llm_call({"key": "k", "status": "ok", "model": "m"}) == 1


# -- the methods appendix -------------------------------------------------------------


def test_llm_audit_tables_export_without_transcript_text(project, tmp_path):
    def respond(body, headers):
        ans = _answer(("pursue", "arrest dealers"), ("protect", "invented words"))
        return 200, _completion(ans), 0.0

    with FakeServer(respond) as srv:
        qc.llm_code(project, llm=_coder(srv.url, max_concurrency=1), progress=False)
    tables = qc.llm.audit_tables(project.llm_calls())
    assert tables["runs"][["model", "calls", "accepted", "rejected"]].to_dict(
        "records"
    ) == [{"model": "fake", "calls": 2, "accepted": 1, "rejected": 3}]
    assert tables["rejections"].to_dict("records") == [
        {"reason": "quote not found in the unit", "count": 3}
    ]
    assert len(tables["prompts"]) == 1 and tables["prompts"]["calls"].tolist() == [2]
    path = qc.export_tables(tables, tmp_path / "appendix.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    assert sorted(sheets) == ["calls", "prompts", "proposals", "rejections", "runs"]
    flat = " ".join(str(v) for df in sheets.values() for v in df.to_numpy().ravel())
    assert "arrest dealers" not in flat and "talk to schools" not in flat
    with_text = qc.llm.audit_tables(project.llm_calls(), include_text=True)
    assert "arrest dealers" in with_text["proposals"]["quote"].tolist()


# -- the command --------------------------------------------------------------------


def _cli(argv: list[str]):
    import argparse

    from qualcode.cli import llm_code as command

    parser = argparse.ArgumentParser(prog="qualcode")
    sub = parser.add_subparsers()
    command.register(sub)
    args = parser.parse_args(["llm-code", *argv])
    return args.func(args)


def test_llm_cli_llm_code_writes_codings_and_appendix(project, tmp_path):
    with FakeServer(_quote_first_sentence) as srv:
        res = _cli(
            ["-p", str(project.path), "--endpoint", srv.url, "--model", "fake", "-q"]
            + ["--codes", "pursue", "--audit", str(tmp_path / "appendix.xlsx")]
        )
    assert res.code == 0
    assert res.data["codings"] == 2 and res.data["sent"] == 2
    assert "2 codings of llm:fake written" in res.human
    assert (tmp_path / "appendix.xlsx").is_file()
    assert len(project.codings(coder="llm:fake")) == 2


def test_llm_cli_llm_code_suggest_only_writes_no_codings(project, tmp_path):
    out = tmp_path / "review.csv"
    with FakeServer(_quote_first_sentence) as srv:
        res = _cli(
            ["-p", str(project.path), "--endpoint", srv.url, "--model", "fake", "-q"]
            + ["--suggest", str(out)]
        )
    assert res.code == 0 and out.is_file()
    assert project.codings().empty and len(project.llm_calls()) == 2


def test_llm_cli_llm_code_remote_endpoint_refused(project):
    with pytest.raises(LLMError, match=r"\[QC540\]"):
        _cli(
            ["-p", str(project.path), "--endpoint", "http://8.8.8.8/v1", "--model", "m"]
        )


def test_llm_suggest_ollama_latest_tag_matches_the_model():
    with FakeServer(_quote_first_sentence, models=["fake:latest", "other:7b"]) as srv:
        out = llm_suggest([_transcript()], CB, llm=_coder(srv.url), progress=False)
    assert len(out) == 2


def test_llm_calls_pseudonymised_with_the_project_no_original_left(tmp_path):
    t = Transcript.build(
        "t1",
        [
            TurnDraft("Who helped?", "I", "interviewer"),
            TurnDraft("Claire Hennessey arrests dealers.", "P1", "participant"),
        ],
    )
    path = tmp_path / "p.qcproj"
    with qc.Project(path) as p:
        p.set_codebook(CB)
        p.add_transcripts([t])
        with FakeServer(_quote_first_sentence) as srv:
            qc.llm_code(p, llm=_coder(srv.url), progress=False)
        assert "Claire" in " ".join(p.llm_calls()["prompt"].dropna())
        qc.pseudonymise(p, {"Claire Hennessey": "Person A"}, detectors=())
        calls = p.llm_calls()
        text = p.transcript("t1").text
    flat = [str(v) for v in calls.to_numpy().ravel()]
    assert not any("Claire" in v or "Hennessey" in v for v in flat)
    (ver,) = [json.loads(v) for v in calls["verification"]]
    assert [text[v["start"] : v["end"]] for v in ver if v["accepted"]] == [
        "Person A arrests dealers"
    ]
    assert not calls["key"].isin([cache_key("x", {}, "")]).any()
