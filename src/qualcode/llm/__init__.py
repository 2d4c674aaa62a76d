"""The model as one more coder: LLM-assisted coding on an on-premise endpoint.

* :class:`LLMCoder` (:mod:`qualcode.llm._client`): a client of the
  OpenAI-compatible chat-completions API (llama.cpp, Ollama, vLLM, LM Studio),
  refusing endpoints outside this machine and private networks unless
  ``allow_remote=True``.
* :func:`llm_suggest` and :func:`llm_code` (:mod:`qualcode.llm.suggest`): one
  call per unit, answers constrained by a JSON schema, every proposed coding
  verified against the stored text (:mod:`qualcode.llm._verify`), every call
  kept in an audit trail that is also the cache (:mod:`qualcode.llm._cache`).
* :func:`audit_tables` (:mod:`qualcode.llm.audit`): the audit trail as tables
  for a methods appendix (write them with :func:`qualcode.export_tables`).
* :class:`LocalServer` (:mod:`qualcode.llm.server`): start a llama.cpp server on
  this machine (notebooks, tests and benchmarks use it).
* :data:`PROMPT_VERSION` (:mod:`qualcode.llm._prompt`): the version of the
  prompt template, recorded with every call and coding.
"""

from qualcode.llm._cache import CallStore, MemoryCallStore, cache_key
from qualcode.llm._client import LLMCoder
from qualcode.llm._prompt import PROMPT_VERSION, response_schema
from qualcode.llm.audit import audit_tables
from qualcode.llm.server import LocalServer, smollm2_path
from qualcode.llm.suggest import llm_code, llm_suggest

__all__ = [
    "PROMPT_VERSION",
    "CallStore",
    "LLMCoder",
    "LocalServer",
    "MemoryCallStore",
    "audit_tables",
    "cache_key",
    "llm_code",
    "llm_suggest",
    "response_schema",
    "smollm2_path",
]
