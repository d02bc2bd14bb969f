"""The open/close lifecycle every driver shares: `with Driver(...) as d:` opens and always closes."""
from __future__ import annotations

from types import TracebackType
from typing import Self


class OpenCloseLifecycle:
    def open(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
