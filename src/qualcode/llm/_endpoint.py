"""Where a model server may be: this machine or a private network, checked offline.

The check runs before any connection to the endpoint:

- a literal IP address is checked directly: loopback (``127.0.0.0/8``, ``::1``)
  and private ranges (``10/8``, ``172.16/12``, ``192.168/16``, ``fc00::/7``) are
  allowed; link-local (``169.254/16``, the cloud metadata address), unspecified,
  multicast and public addresses are refused;
- ``localhost`` (and ``*.localhost``) is allowed without a look-up;
- any other host name is resolved with :func:`socket.getaddrinfo` (a DNS or
  ``/etc/hosts`` look-up, no connection to the host) and *every* address it
  resolves to must pass the IP check. A name that does not resolve is refused.

URLs with a user name or password are refused (a key belongs in an environment
variable, never in a URL that ends up in the audit trail). The HTTP client never
follows redirects and never uses a proxy, so a request cannot leave for another
host after the check.

The check is made again at every connection (:func:`connect_checked`): the host
name is resolved then, every address must pass again, and the socket goes to one
of those very addresses. A DNS answer that changes after the first check (DNS
rebinding) therefore cannot send a request outside; the call is refused [QC540].
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from dataclasses import dataclass

from qualcode.errors import Errors, InvalidInputError, LLMError

__all__ = ["Endpoint", "check_endpoint", "connect_checked", "ip_is_local"]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A checked endpoint: the base URL (ending in ``/v1`` or the given path)."""

    base: str
    host: str
    local: bool


def ip_is_local(address: str) -> bool:
    """True for a loopback or private (non link-local) IP address.

    Examples
    --------
    >>> [ip_is_local(a) for a in ("127.0.0.1", "10.2.3.4", "::1", "8.8.8.8")]
    [True, True, True, False]
    >>> ip_is_local("169.254.169.254")  # link-local: cloud metadata, refused
    False
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return True
    if ip.is_link_local or ip.is_unspecified or ip.is_multicast:
        return False
    return bool(ip.is_private)


def _resolve(host: str, port: int | None) -> list[str]:
    infos = socket.getaddrinfo(host, port or 80, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def check_endpoint(
    endpoint: object, *, allow_remote: bool, caller: str = "LLMCoder"
) -> Endpoint:
    """Check ``endpoint`` and return its normalised base URL, before any connection.

    A URL without a path gets ``/v1`` (the OpenAI-compatible prefix of llama.cpp,
    Ollama, vLLM and LM Studio); a trailing ``/chat/completions`` is dropped.

    Raises
    ------
    InvalidInputError
        Not an http(s) URL, no host, or credentials in the URL.
    LLMError
        The host is not on this machine or a private network and ``allow_remote``
        is False.

    Examples
    --------
    >>> check_endpoint("http://127.0.0.1:8080", allow_remote=False).base
    'http://127.0.0.1:8080/v1'
    >>> check_endpoint("https://api.example.com/v1", allow_remote=False)
    Traceback (most recent call last):
    ...
    qualcode.errors.LLMError: [QC540] LLMCoder: the endpoint https://api.example.com/v1
    is not on this machine or a private network (...); nothing was sent. ...
    """
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise InvalidInputError(
            Errors.QC541.format(
                caller=caller, endpoint=endpoint, detail="expected a non-empty str"
            )
        )
    url = endpoint.strip()
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidInputError(
            Errors.QC541.format(caller=caller, endpoint=url, detail=str(exc))
        ) from None
    if parts.scheme not in ("http", "https"):
        raise InvalidInputError(
            Errors.QC541.format(
                caller=caller, endpoint=url, detail="the scheme must be http or https"
            )
        )
    host = parts.hostname or ""
    if not host:
        raise InvalidInputError(
            Errors.QC541.format(caller=caller, endpoint=url, detail="no host name")
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidInputError(
            Errors.QC541.format(
                caller=caller,
                endpoint=f"{parts.scheme}://***@{parts.netloc.rsplit('@', 1)[-1]}",
                detail="it holds a user name or password; put a key in an "
                "environment variable and pass api_key_env= instead",
            )
        )
    path = parts.path.rstrip("/")
    if path.endswith("/chat/completions"):
        path = path[: -len("/chat/completions")]
    if not path:
        path = "/v1"
    base = urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    local, detail = _is_local_host(host, port)
    if not local and not allow_remote:
        raise LLMError(Errors.QC540.format(caller=caller, endpoint=base, detail=detail))
    return Endpoint(base=base, host=host, local=local)


def _is_local_host(host: str, port: int | None) -> tuple[bool, str]:
    """``(local?, why not)`` for a host name or literal address."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    else:
        if ip_is_local(host):
            return True, ""
        return False, f"{host} is not a loopback or private address"
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True, ""
    try:
        addresses = _resolve(host, port)
    except (OSError, UnicodeError) as exc:
        return False, f"the host name {host} does not resolve ({type(exc).__name__})"
    outside = [a for a in addresses if not ip_is_local(a)]
    if not addresses or outside:
        shown = ", ".join(outside[:3]) or "no address"
        return False, f"{host} resolves to {shown}, outside loopback/private ranges"
    return True, ""


def connect_checked(
    address: tuple[str, int],
    timeout: float | None = None,
    source_address: tuple[str, int] | None = None,
    *,
    caller: str = "LLMCoder",
) -> socket.socket:
    """A TCP connection made only to an address on this machine or a private network.

    ``address`` is ``(host, port)`` as :func:`socket.create_connection` takes it
    (the HTTP client calls this in its place). The host is resolved here, every
    address it resolves to must pass :func:`ip_is_local`, and the socket is
    connected to one of those very addresses, so no second look-up can differ.

    Raises
    ------
    LLMError
        The host now resolves outside loopback/private ranges [QC540]; nothing
        was connected.
    OSError
        No address could be connected (as :func:`socket.create_connection`).
    """
    host, port = address
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    outside = sorted({str(i[4][0]) for i in infos if not ip_is_local(str(i[4][0]))})
    if not infos or outside:
        raise LLMError(
            Errors.QC540.format(
                caller=caller,
                endpoint=f"{host}:{port}",
                detail=f"at connection time {host} resolves to "
                f"{', '.join(outside[:3]) or 'no address'}, outside loopback/private "
                "ranges (its address changed after the first check)",
            )
        )
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not None:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    assert error is not None
    raise error
