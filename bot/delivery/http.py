"""The HTTP client under every Bot API call: python-telegram-bot's ``BaseRequest`` on aiohttp.

PTB's default ``HTTPXRequest`` costs about 3-5 ms of CPU per call (httpx and httpcore's pool
bookkeeping, worse with many calls in flight); aiohttp's client does the same call for about
1 ms. Every press costs one or two calls (the answer, the receipt), so at peak the client
*was* the bot's ceiling (``python -m bench.throughput``). Behaviour follows ``HTTPXRequest``:
the same default timeouts, form-encoded parameters, multipart for files, ``TimedOut`` for a
timeout and ``NetworkError`` for any other failure to talk to the server.
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import httpx
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_TLS: ssl.SSLContext | None = None


def tls_context() -> ssl.SSLContext:
    """One TLS context per process for every client (loading the CA bundle costs about 50 ms;
    the bundle is certifi's, as PTB's own client uses)."""
    global _TLS
    if _TLS is None:
        _TLS = httpx.create_ssl_context()
    return _TLS


class AiohttpRequest(BaseRequest):
    """A pooled aiohttp session; ``connection_pool_size`` calls in flight at most.

    ``gate``: awaited before each call (the getUpdates client waits for room to process)."""

    def __init__(
        self,
        connection_pool_size: int = 1,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        gate: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._pool_size = connection_pool_size
        self._gate = gate
        self._defaults = {
            "read": read_timeout,
            "write": write_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
        }
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._defaults["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ssl=tls_context())
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _timeout(self, has_files: bool, **given: Any) -> aiohttp.ClientTimeout:
        chosen: dict[str, float | None] = {}
        for name, value in given.items():
            if isinstance(value, DefaultValue):
                value = self._defaults[name]
                if name == "write" and has_files:
                    value = self._media_write_timeout
            chosen[name] = value
        parts = list(chosen.values())
        total = None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
        connect = chosen["connect"]
        pool = chosen["pool"]
        return aiohttp.ClientTimeout(
            total=total,
            # aiohttp's "connect" covers waiting for a pooled connection and opening one
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=chosen["read"],
        )

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        if self._gate is not None:
            await self._gate()
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        data: aiohttp.FormData | dict[str, str] | None = fields
        if files:
            form = aiohttp.FormData(quote_fields=False)  # names as UTF-8, as Telegram expects
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, upload in files.items():
                filename, content, *rest = upload
                form.add_field(
                    name, content, filename=filename, content_type=rest[0] if rest else None
                )
            data = form
        timeout = self._timeout(
            bool(files),
            read=read_timeout,
            write=write_timeout,
            connect=connect_timeout,
            pool=pool_timeout,
        )
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as res:
                return res.status, await res.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
