"""Recorded byte exchanges as tests: a scripted Transport and the expected_exchange() helper.

An exchange is a list of (request, reply) pairs. The driver's writes must match the requests in order;
after a request is complete its reply becomes readable. A pair (None, reply) makes `reply` arrive
unsolicited right after the previous pair (or at open when it comes first). A reply may be an exception
instance (e.g. DeviceDisconnected()), raised by the first read that would need it. Reading past what the
script provides raises DeviceTimeout at once. On exit every pair must have been consumed, every reply byte
read, and no unexpected write seen (a failure is remembered even if the driver swallowed it).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from drivers.errors import DeviceTimeout, TransportError

Reply = bytes | BaseException
Exchange = tuple[bytes | None, Reply]
DriverT = TypeVar("DriverT")


class ScriptMismatch(AssertionError):
    """The driver wrote something the script did not expect."""


class ScriptedTransport:
    def __init__(self, exchanges: Sequence[Exchange]) -> None:
        for index, (request, reply) in enumerate(exchanges):
            if request is not None and not isinstance(request, bytes):
                raise TypeError(f"exchange {index}: request must be bytes or None, got {request!r}")
            if not isinstance(reply, (bytes, BaseException)):
                raise TypeError(f"exchange {index}: reply must be bytes or an exception, got {reply!r}")
        self._pending: list[Exchange] = list(exchanges)
        self._consumed = 0
        self._written = b""
        self._rx: list[Reply] = []
        self._open = False
        self.failures: list[str] = []
        self.writes: list[bytes] = []

    @property
    def is_open(self) -> bool:
        return self._open

    def open(self) -> None:
        if not self._open:
            self._open = True
            self._queue_unsolicited()

    def close(self) -> None:
        self._open = False

    def _require_open(self) -> None:
        if not self._open:
            raise TransportError("scripted transport is not open (call open() first)")

    def _queue_unsolicited(self) -> None:
        while self._pending and self._pending[0][0] is None:
            self._rx.append(self._pending.pop(0)[1])
            self._consumed += 1

    def _fail(self, message: str) -> ScriptMismatch:
        self.failures.append(message)
        return ScriptMismatch(message)

    def write(self, data: bytes) -> None:
        self._require_open()
        self.writes.append(bytes(data))
        self._written += bytes(data)
        while self._written:
            if not self._pending:
                raise self._fail(f"unexpected write {self._written!r} after all {self._consumed} exchanges")
            expected = self._pending[0][0]
            assert expected is not None
            if not expected.startswith(self._written[: len(expected)]):
                raise self._fail(
                    f"exchange {self._consumed}: expected write {expected!r}, got {self._written!r}"
                )
            if len(self._written) < len(expected):
                return
            self._written = self._written[len(expected):]
            self._rx.append(self._pending.pop(0)[1])
            self._consumed += 1
            self._queue_unsolicited()

    def _take(self, size: int | None, terminator: bytes | None) -> bytes:
        self._require_open()
        data = b""
        while self._rx:
            head = self._rx[0]
            if isinstance(head, BaseException):
                if data:
                    break
                self._rx.pop(0)
                raise head
            need = len(head) if size is None else min(len(head), size - len(data))
            if terminator is not None:
                found = (data + head).find(terminator)
                if found >= 0:
                    need = min(need, found + len(terminator) - len(data))
            data += head[:need]
            rest = head[need:]
            if rest:
                self._rx[0] = rest
            else:
                self._rx.pop(0)
            if (size is not None and len(data) >= size) or (terminator is not None and data.endswith(terminator)):
                break
        return data

    def read_exact(self, size_bytes: int, timeout_s: float | None = None) -> bytes:
        data = self._take(size_bytes, None)
        if len(data) < size_bytes:
            raise DeviceTimeout(f"scripted: expected {size_bytes} bytes, script provides {data!r}")
        return data

    def read_until(self, terminator: bytes, timeout_s: float | None = None, max_size_bytes: int = 4096) -> bytes:
        data = self._take(max_size_bytes, terminator)
        if not data.endswith(terminator):
            raise DeviceTimeout(f"scripted: no {terminator!r} in what the script provides: {data!r}")
        return data

    def read_available(self) -> bytes:
        self._require_open()
        data = b""
        while self._rx and isinstance(self._rx[0], bytes):
            data += self._rx.pop(0)  # type: ignore[operator]
        return data

    def verify_complete(self) -> None:
        """Raise ScriptMismatch unless every pair was consumed and every reply read."""
        problems = list(self.failures)
        if self._written:
            problems.append(f"incomplete write {self._written!r}")
        if self._pending:
            problems.append(f"{len(self._pending)} exchange(s) not consumed, next: {self._pending[0]!r}")
        unread = [reply for reply in self._rx if not isinstance(reply, BaseException) and reply]
        if unread:
            problems.append(f"reply bytes never read: {unread!r}")
        if problems:
            raise ScriptMismatch("; ".join(problems))


@contextmanager
def expected_exchange(
    driver_factory: Callable[[ScriptedTransport], DriverT],
    exchanges: Sequence[Exchange],
    *,
    open_driver: bool = True,
) -> Iterator[DriverT]:
    """Build a driver on a ScriptedTransport, open it, yield it, close it, and check the script."""
    transport = ScriptedTransport(exchanges)
    driver = driver_factory(transport)
    if open_driver:
        driver.open()  # type: ignore[attr-defined]
    try:
        yield driver
    finally:
        if open_driver:
            driver.close()  # type: ignore[attr-defined]
    transport.verify_complete()
