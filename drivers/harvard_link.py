"""One Harvard pump-chain exchange on a Transport: request out, the prompt-terminated reply in within one deadline
[SR-DRV-002], parsed (drivers.harvard_codec) and checked to come from this pump. Every error names the command and
what was received; no pump state is kept here (drivers.harvard keeps it)."""
from __future__ import annotations

import time
from dataclasses import dataclass

from drivers import harvard_codec as codec
from drivers.errors import DeviceTimeout, FramingError, ProtocolError
from drivers.transport import Transport

MAX_REPLY_BYTES = 1024
SHOWN_REPLY_BYTES = 120
"""How much of a reply an error message shows (its end, for a reply cut short)."""


@dataclass
class HarvardLink:
    transport: Transport
    address: int
    dialect: str
    reply_timeout_s: float
    text_line_address: bool

    def exchange(self, command: str) -> codec.HarvardReply:
        """Send `command` and read its reply. FramingError for a reply that does not parse (naming the command; a text
        line from another address among them), ProtocolError for a prompt from another address (another pump
        answered), DeviceTimeout for a reply without its prompt in time."""
        self.transport.read_available()  # stale bytes would be taken for this reply
        self.transport.write(codec.encode_command(command, self.address, self.dialect))
        received = self._read_reply(command)
        try:
            reply = codec.parse_reply(received, self.text_line_address, self.address)
        except FramingError as exc:  # its text lines carry another address when another pump answered
            self._check_from_this_pump(command, codec.prompt_address(received), received)
            raise FramingError(f"Harvard reply to {command!r}: {exc}") from exc
        self._check_from_this_pump(command, reply.address, received)
        return reply

    def _check_from_this_pump(self, command: str, prompt_address: int | None, received: bytes) -> None:
        if prompt_address is not None and prompt_address != self.address:  # another pump answered
            raise ProtocolError(f"reply to {command!r} came from address {prompt_address}, expected {self.address}: "
                                f"{received[:SHOWN_REPLY_BYTES]!r}")

    def _read_reply(self, command: str) -> bytes:
        """Bytes up to and including the prompt, all within reply_timeout_s [SR-DRV-002]."""
        deadline_s = time.monotonic() + self.reply_timeout_s
        received = bytearray()
        while not codec.reply_complete(received):
            if len(received) >= MAX_REPLY_BYTES:
                raise FramingError(f"Harvard reply to {command!r} has no prompt within {MAX_REPLY_BYTES} bytes: "
                                   f"{bytes(received[:SHOWN_REPLY_BYTES])!r}...")
            left_s = deadline_s - time.monotonic()
            if left_s <= 0:
                raise self._timeout(command, received, "")
            try:
                received += self.transport.read_exact(1, left_s)
            except DeviceTimeout as exc:
                raise self._timeout(command, received, f" ({exc})") from exc
        return bytes(received)

    def _timeout(self, command: str, received: bytearray, cause: str) -> DeviceTimeout:
        """The command and what came of its reply (the partial reply would be lost otherwise)."""
        shown = bytes(received[-SHOWN_REPLY_BYTES:])
        what = f"{shown!r}" if len(received) <= SHOWN_REPLY_BYTES else f"ending {shown!r}"
        return DeviceTimeout(f"Harvard reply to {command!r} incomplete after {self.reply_timeout_s:g} s: received "
                             f"{len(received)} bytes so far, {what}{cause}")
