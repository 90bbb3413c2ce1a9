"""The HTTP client: polite, bounded, and hard to stall.

Every request made by briefing (feeds and article pages) goes through
`HttpClient.get`, which enforces, per request:

- a global limit on requests in flight and a per-host limit (semaphores), so a
  hundred feeds fetch at once without hammering one publisher;
- connect and read timeouts (httpx) *and* an overall deadline around the whole
  exchange, because a read timeout does not stop a server that drips one byte a
  second;
- a cap on the decoded body: only gzip and deflate are accepted, the raw bytes
  are streamed and decompressed here with `max_length`, so a gzip bomb stops at
  the cap instead of filling memory;
- redirects followed by hand: a few hops, only to http(s), loops refused, and
  whether the hops from the start were permanent (301/308) is remembered so the
  caller can move the stored feed URL;
- retries with backoff for transient failures only (connection errors,
  timeouts, 502/503/504); a 4xx is an answer, not an accident.

The httpx client is injected (tests and the TUI may pass their own); when none
is given one is created and closed with this object.
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
import socket
import ssl
import zlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from briefing import __version__
from briefing.config import Settings
from briefing.errors import BriefingError

T = TypeVar("T")

USER_AGENT = f"briefing/{__version__} (+https://github.com/briefing-reader/briefing)"
MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
PERMANENT_STATUSES = {301, 308}
TRANSIENT_STATUSES = {502, 503, 504}
CHUNK = 64 * 1024


class FetchError(BriefingError):
    """A request that produced no usable answer; the message is for the analyst."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class BlockedAddress(FetchError):
    """The URL resolves to a loopback, private or link-local address and was not fetched."""


@dataclass(slots=True)
class Response:
    """What came back. `body` is the decoded body (empty for redirects and errors).

    `url` is where the answer finally came from; `permanent_url` is the last URL
    reached from the requested one through permanent (301/308) redirects only,
    or None when the first hop was not permanent (or there was no redirect).
    """

    url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""
    permanent_url: str | None = None
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


Resolver = Callable[[str], Awaitable[list[str]]]


async def resolve_host(host: str) -> list[str]:
    """The IP addresses a host name resolves to (an IP literal resolves to itself)."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise FetchError(f"cannot resolve {host}: {exc.strerror or exc}", transient=True) from exc
    return sorted({str(info[4][0]) for info in infos})


def is_private_address(address: str) -> bool:
    """Loopback, private (RFC 1918, ULA), link-local, and other non-public addresses."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return True  # not an address we understand: treat as not public
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


async def is_private_host(host: str, resolver: Resolver = resolve_host) -> bool:
    """True when any address of `host` is not public (or the name is `localhost`)."""
    if host.lower() in {"localhost", "localhost.localdomain"} or host.lower().endswith(
        ".localhost"
    ):
        return True
    return any(is_private_address(a) for a in await resolver(host))


def round_robin_by_host(items: Sequence[T], url: Callable[[T], str]) -> list[T]:
    """Items reordered round-robin over the hosts of their URLs: a, b, c, a, b, c, a, …

    Work is started in this order so that the requests queued behind one
    host's slots do not fill every slot the run has while other hosts wait.
    """
    by_host: dict[str, list[T]] = {}
    for item in items:
        by_host.setdefault(urlsplit(url(item)).netloc.lower(), []).append(item)
    queues = list(by_host.values())
    out: list[T] = []
    for rank in range(max((len(q) for q in queues), default=0)):
        out.extend(q[rank] for q in queues if rank < len(q))
    return out


class HttpClient:
    """Bounded GETs for feeds and pages. Use as `async with HttpClient(settings) as http:`."""

    def __init__(
        self,
        settings: Settings,
        client: httpx.AsyncClient | None = None,
        *,
        retries: int = 2,
        backoff: float = 0.5,
        resolver: Resolver = resolve_host,
    ) -> None:
        self.settings = settings
        self.retries = retries
        self.backoff = backoff
        self.resolver = resolver
        # An injected client is used for every host and closed by its owner.
        self._injected = client
        # Otherwise one small httpx client per host. httpx's connection pool
        # scans all its connections on every request, and a pool shared by
        # hundreds of feed hosts either reconnects for nearly every request
        # (capped) or spends its time in that scan (uncapped). The limits are
        # enforced by the semaphores below; all clients share one TLS context.
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._ssl: ssl.SSLContext | None = None
        self._global = asyncio.Semaphore(max(1, settings.max_connections))
        self._hosts: dict[str, asyncio.Semaphore] = {}
        # host -> the public address checked for it ("" when it is not public)
        self._checked: dict[str, str] = {}

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

    def _client_for(self, key: str) -> httpx.AsyncClient:
        if self._injected is not None:
            return self._injected
        client = self._clients.get(key)
        if client is None:
            if self._ssl is None:
                self._ssl = httpx.create_ssl_context()
            per_host = max(1, self.settings.max_per_host)
            client = self._clients[key] = httpx.AsyncClient(
                timeout=httpx.Timeout(
                    connect=self.settings.connect_timeout,
                    read=self.settings.read_timeout,
                    write=self.settings.read_timeout,
                    pool=self.settings.request_deadline,
                ),
                limits=httpx.Limits(max_connections=per_host, max_keepalive_connections=per_host),
                follow_redirects=False,
                verify=self._ssl,
            )
        return client

    async def _public_address(self, host: str) -> str:
        """The checked public address to connect to, remembered per host for this client.

        Raises BlockedAddress when any address of `host` is not public. The
        caller connects to the address returned, not to the name: resolving
        the name again to connect would let a name answer "public" for the
        check and "loopback" a moment later (DNS rebinding).
        """
        known = self._checked.get(host)
        if known is None:
            if host in {"localhost", "localhost.localdomain"} or host.endswith(".localhost"):
                known = ""
            else:
                try:
                    async with asyncio.timeout(self.settings.connect_timeout):
                        addresses = await self.resolver(host)
                except TimeoutError as exc:
                    raise FetchError(f"cannot resolve {host}: timed out", transient=True) from exc
                private = not addresses or any(is_private_address(a) for a in addresses)
                known = "" if private else addresses[0]
            self._checked[host] = known
        if not known:
            raise BlockedAddress(f"{host} resolves to a private or loopback address; not fetched")
        return known

    async def _is_private_origin(self, url: str) -> bool:
        """The URL's host is not public (an intranet, the demo, a test server)."""
        try:
            async with asyncio.timeout(self.settings.connect_timeout):
                return await is_private_host(urlsplit(url).hostname or "", self.resolver)
        except (FetchError, TimeoutError):
            return False  # it answered, yet cannot be placed: treat it as public

    def _host_limit(self, host: str) -> asyncio.Semaphore:
        sem = self._hosts.get(host)
        if sem is None:
            sem = self._hosts[host] = asyncio.Semaphore(max(1, self.settings.max_per_host))
        return sem

    async def get(
        self,
        url: str,
        headers: dict[str, str] | None = None,
        *,
        max_bytes: int | None = None,
        allow_private: bool = True,
    ) -> Response:
        """GET `url` within every limit; retried only for transient failures.

        With `allow_private=False` every hop whose host resolves to a non-public
        address raises `BlockedAddress` before a connection is made. With True,
        redirects may still go to such an address only when `url` itself is on one.
        """
        attempt = 0
        while True:
            try:
                response = await self._follow(url, headers or {}, max_bytes, allow_private)
            except FetchError as exc:
                if not exc.transient or attempt >= self.retries:
                    raise
            else:
                retry_later = "retry-after" in response.headers
                if (
                    response.status not in TRANSIENT_STATUSES
                    or retry_later
                    or attempt >= self.retries
                ):
                    return response
            attempt += 1
            # Exponential backoff with jitter so retries from many feeds do not align.
            await asyncio.sleep(self.backoff * (2 ** (attempt - 1)) * (0.5 + random.random()))

    async def _follow(
        self, url: str, headers: dict[str, str], max_bytes: int | None, allow_private: bool
    ) -> Response:
        seen = {url}
        redirects: list[str] = []
        permanent_url: str | None = None
        still_permanent = True
        current = url
        while True:
            if redirects and allow_private:
                # A redirect leads only where its origin lives: a public host may
                # not send us into loopback or private space (the analyst chose
                # the first URL, not the Location). Decided once, at the first hop.
                allow_private = await self._is_private_origin(url)
            try:
                response = await self._one(current, headers, max_bytes, allow_private)
            except BlockedAddress as exc:
                if not redirects:
                    raise
                raise BlockedAddress(
                    f"redirect to a private or loopback address refused: {current[:200]}"
                ) from exc
            if response.status not in REDIRECT_STATUSES:
                response.permanent_url = permanent_url
                response.redirects = redirects
                return response
            location = response.headers.get("location", "").strip()
            if not location:
                raise FetchError(f"HTTP {response.status} redirect without a Location")
            target = urljoin(current, location)
            scheme = urlsplit(target).scheme.lower()
            if scheme not in {"http", "https"}:
                raise FetchError(f"redirect to a non-http(s) URL refused: {target[:200]}")
            if target in seen:
                raise FetchError(f"redirect loop at {target[:200]}")
            if len(redirects) >= MAX_REDIRECTS:
                raise FetchError(f"more than {MAX_REDIRECTS} redirects")
            seen.add(target)
            redirects.append(target)
            if still_permanent and response.status in PERMANENT_STATUSES:
                permanent_url = target
            else:
                still_permanent = False
            current = target

    async def _one(
        self, url: str, headers: dict[str, str], max_bytes: int | None, allow_private: bool
    ) -> Response:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme.lower() not in {"http", "https"} or not host:
            raise FetchError(f"not an http(s) URL: {url[:200]}")
        try:
            httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise FetchError(f"not a valid URL ({exc}): {url[:200]}") from exc
        cap = self.settings.max_response_bytes if max_bytes is None else max_bytes
        request_headers = {
            "User-Agent": USER_AGENT,
            # Only encodings we can decompress under a cap ourselves.
            "Accept-Encoding": "gzip, deflate",
            **headers,
        }
        target = url
        extensions: dict[str, str] = {}
        if not allow_private:
            address = await self._public_address(host)
            # Connect to the address that was checked; the name still goes in
            # the Host header and in TLS (SNI and certificate verification).
            literal = f"[{address}]" if ":" in address else address
            target = urlunsplit(
                parts._replace(netloc=literal + (f":{parts.port}" if parts.port else ""))
            )
            request_headers["Host"] = parts.netloc.rsplit("@", 1)[-1]
            if parts.scheme.lower() == "https":
                extensions["sni_hostname"] = host
        deadline = self.settings.request_deadline
        # Host slot first, then a global one: a request queued behind its host must
        # not hold a global slot that a request to another host could use.
        key = f"{parts.scheme.lower()}://{host}:{parts.port or ''}"
        async with self._host_limit(key), self._global:
            try:
                # The deadline starts once we hold a slot: waiting for one is not the
                # server's fault. It covers connect, headers and the whole body.
                async with (
                    asyncio.timeout(deadline),
                    self._client_for(key).stream(
                        "GET",
                        target,
                        headers=request_headers,
                        follow_redirects=False,
                        extensions=extensions,
                    ) as raw,
                ):
                    if raw.status_code < 200 or raw.status_code >= 300:
                        # Redirects and errors: the status and headers are the answer.
                        await _discard_small_body(raw)
                        return Response(url, raw.status_code, raw.headers)
                    body = await _read_capped(raw, cap)
                    return Response(url, raw.status_code, raw.headers, body)
            except TimeoutError as exc:
                # Not retried: a server that needed the whole deadline once will
                # most likely need it again, and the run should not wait twice.
                raise FetchError(f"no complete answer from {host} within {deadline:g} s") from exc
            except httpx.TimeoutException as exc:
                kind = "connect" if isinstance(exc, httpx.ConnectTimeout) else "read"
                raise FetchError(f"{kind} timeout from {host}", transient=True) from exc
            except httpx.ConnectError as exc:
                raise FetchError(f"cannot connect to {host}: {exc}", transient=True) from exc
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                raise FetchError(f"connection to {host} broke: {exc}", transient=True) from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"HTTP error from {host}: {exc}") from exc
            except httpx.InvalidURL as exc:
                # Not an HTTPError: httpx raises it while reading a redirect's
                # Location (e.g. "javascript:x"); the request URL was checked above.
                raise FetchError(f"redirect from {host} to an unusable URL refused: {exc}") from exc


async def _discard_small_body(raw: httpx.Response, limit: int = 65_536) -> None:
    """Read a short unwanted body (304, redirect, error page) so the connection is reused."""
    if raw.is_stream_consumed:
        return
    seen = 0
    async for chunk in raw.aiter_raw(CHUNK):
        seen += len(chunk)
        if seen > limit:
            return  # a big error page is not worth reading: the connection is dropped


async def _read_capped(raw: httpx.Response, cap: int) -> bytes:
    """Read the raw stream and decode it ourselves, refusing more than `cap` decoded bytes."""
    if raw.is_stream_consumed:
        # A response built in memory (httpx.MockTransport in tests): already whole.
        if len(raw.content) > cap:
            raise FetchError(f"response is over the {cap:,}-byte cap")
        return raw.content
    length = raw.headers.get("content-length", "")
    encoding = raw.headers.get("content-encoding", "identity").strip().lower()
    if length.isdigit() and int(length) > cap and encoding in {"", "identity"}:
        raise FetchError(f"response of {int(length):,} bytes is over the {cap:,}-byte cap")
    decoder = _Decoder(encoding, cap)
    async for chunk in raw.aiter_raw(CHUNK):
        decoder.feed(chunk)
    return decoder.finish()


class _Decoder:
    """gzip/deflate/identity with a hard cap on the decoded size."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.cap = cap
        self.parts: list[bytes] = []
        self.size = 0
        self.first = True
        self.encoding = encoding
        self.inflater: zlib._Decompress | None
        if encoding in {"", "identity"}:
            self.inflater = None
        elif encoding in {"gzip", "x-gzip"}:
            self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.inflater = zlib.decompressobj()
        else:
            raise FetchError(f"unsupported Content-Encoding {encoding[:40]!r}")

    def _add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.cap:
            raise FetchError(f"response is over the {self.cap:,}-byte cap (after decompression)")
        self.parts.append(data)

    def feed(self, chunk: bytes) -> None:
        if self.inflater is None:
            self._add(chunk)
            return
        if self.first and self.encoding == "deflate":
            # "deflate" is zlib-wrapped by the RFC, raw by many servers: try both.
            self.first = False
            try:
                probe = zlib.decompressobj()
                out = probe.decompress(chunk, self.cap - self.size + 1)
                self.inflater = probe
            except zlib.error:
                self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                out = self._inflate(chunk)
            self._add(out)
            self._drain()
            return
        self._add(self._inflate(chunk))
        self._drain()

    def _inflate(self, chunk: bytes) -> bytes:
        assert self.inflater is not None
        try:
            # max_length: never produce more than one byte past the cap.
            return self.inflater.decompress(chunk, self.cap - self.size + 1)
        except zlib.error as exc:
            raise FetchError(f"corrupt {self.encoding} body: {exc}") from exc

    def _drain(self) -> None:
        # Output stopped at max_length with input left over: keep going under the cap.
        assert self.inflater is not None
        while self.inflater.unconsumed_tail:
            self._add(self._inflate(self.inflater.unconsumed_tail))

    def finish(self) -> bytes:
        if self.inflater is not None:
            try:
                self._add(self.inflater.flush())
            except zlib.error as exc:
                raise FetchError(f"corrupt {self.encoding} body: {exc}") from exc
        return b"".join(self.parts)
