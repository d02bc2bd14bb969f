"""The valid frames the fuzzer mutates: commands each emulator core parses, replies each driver parses."""
from __future__ import annotations

from drivers import ne1000_codec
from hil.emulators.ne1000_framing import encode_safe

NE1000_COMMANDS = (
    b"VER\r", b"RAT 10 UH\r", b"RUN\r", b"RUN 3\r", b"PUR\r", b"PHN3\r", b"STP\r", b"DIS\r", b"SAF10\r", b"SAF0\r",
    b"*ADR5\r", b"*ADR 1 B 9600\r", b"0 rat 1.5 mm\r", b"DIA 4.7\r", b"VOL 5\r", b"DIR REV\r", b"CLD INF\r",
    b"FUN RAT\r", b"AL 1\r", b"TRG FT\r", b"*RESET\r", b"0 rat 100 * 1 rat 250 *\r", b"\r",
    encode_safe(b"SAF0"), encode_safe(b"0"), encode_safe(b"0RAT1.5MM"), encode_safe(b"RUN"), encode_safe(b"DIS"),
    encode_safe(b"PHN41"), encode_safe(b"SAF1"),
)
"""NE-1000 requests, Basic (CR) and Safe mode (STX, length, CRC-16, ETX): a mutation breaks length or CRC."""
GRBL_COMMANDS = (
    b"?", b"!", b"~", b"\x18", b"\x85", b"G21G91G1X1.5F0.1\n", b"G1X10F100\n", b"G0X5\n", b"G4P1\n", b"$$\n",
    b"$X\n", b"$I\n", b"$G\n", b"$110=500\n", b"$100=800\n", b"$J=G91X1F10\n", b"G20\n", b"M2\n", b"\n",
    b"(comment)G1X1;c\n", b"G91G1X-3F200\r",
)
"""GRBL 1.1 lines and realtime bytes."""
BALANCE_COMMANDS = (
    b"S\r\n", b"SI\r\n", b"SIR\r\n", b"Z\r\n", b"ZI\r\n", b"T\r\n", b"TI\r\n", b"TA\r\n", b"TAC\r\n", b"@\r\n",
    b"I2\r\n", b"I3\r\n", b"I4\r\n", b"TA 1.0 g\r\n", b"\r\n",
)
"""MT-SICS commands."""
SARTORIUS_COMMANDS = (
    b"\x1bP\r\n", b"\x1bP", b"\x1bT\r\n", b"\x1bU\r\n", b"\x1bV\r\n", b"\x1bS\r\n", b"\x1bx1_\r\n",
    b"\x1bx2_\r\n", b"\x1bx3_", b"\x1bK\r\n", b"\x1bQ", b"\x1bZ\r\n", b"\r\n",
)
"""Sartorius SBI: `ESC <char>` and `ESC <chars> _`, with or without CR LF."""
HARVARD_COMMANDS = (
    b"ver\r", b"irate 100 ul/hr\r", b"irate 3.2 u/m\r", b"irate lim\r", b"irate max\r", b"irun\r", b"wrun\r",
    b"rrun\r", b"run\r", b"stp\r", b"stop\r\n", b"status\r", b"diameter 14.43\r", b"diameter\r",
    b"tvolume 1 ml\r", b"ctvolume\r", b"ivolume\r", b"civolume\r", b"cvolume\r", b"wrate 1 ml/min\r",
    b"svolume 10 ml\r", b"nvram none\r", b"rsave off\r", b"poll on\r", b"00:ver\r", b"0irate\r", b"12:irun\r",
    b"IRAT 5 U/H\r", b"\r",
)
"""Harvard pump-chain lines (PHD ULTRA and Legato address forms, abbreviations, CR or CR LF)."""

GRBL_REPLY_LINES = (
    "<Idle|MPos:0.000,0.000,0.000|FS:0,0>", "<Hold:1|WPos:1.000,2.500,-3.000|Bf:15,128|FS:12.5,0|WCO:0,0,0>",
    "<Run|MPos:12.345,0.000,0.000|F:100>", "ALARM:3", "error:22", "$110=500.000", "$10=1",
    "Grbl 1.1h ['$' for help]", "ok",
)
BALANCE_REPLY_LINES = ("S S     100.00 g", "S D    12.3401 g", "S S    -0.0012 g", "S S     1234.5 mg",
                       "T S   0.250000 kg", "S +", "S I", 'I4 A "0123456789"', "Z A", "Z I", "ES")


def _sbi(sign: str, value: str, unit: str, id_code: str | None = None) -> str:
    """One SBI line without CR LF: sign, space, value in 8, space, unit in 3 (an ID code in 6 first)."""
    return ("" if id_code is None else f"{id_code:>6}") + f"{sign} {value:>8} {unit:<3}"


SARTORIUS_REPLY_LINES = (_sbi("+", "100.000", "g"), _sbi("-", "0.012", "g"), _sbi("+", "12.345", ""),
                         _sbi(" ", "0.250", "kg"), _sbi("+", "1234.5", "mg"), _sbi(" ", "High", ""),
                         _sbi(" ", "Low", ""), _sbi(" ", "Err 02", ""), _sbi(" ", "--", ""),
                         _sbi("+", "12.340", "g", "N"), _sbi(" ", "High", "", "Stat"), f"{'MSE225S':>14}",
                         f"{'0037512345':>14}", f"{'Ser.no':>6}{'0037512345':>14}")
"""SBI lines: 16-character format (14 + CR LF) and 22-character format (an ID code first); CR LF not included."""
NE1000_REPLY_TEXTS = ("00S", "00I", "00A?R", "00S?OOR", "00SI0.250W0.000ML", "00S1.500MM", "00SNE1000V3.928",
                      "00SNE1000X2V3.928")
NE1000_REPLY_FRAMES = (tuple(ne1000_codec.encode_safe(text) for text in NE1000_REPLY_TEXTS)
                       + tuple(b"\x02" + text.encode() + b"\x03" for text in NE1000_REPLY_TEXTS))
"""NE-1000 replies, Safe mode and Basic mode framing."""


HARVARD_REPLIES = (
    b"\n00:", b"\n00>", b"\n00<", b"\n00*", b"\n00T*", b"\n00 1.0000 ml/min\r\n00:",
    b"\n00 12.3456 ul\r\n00>", b"\n00 Out of range\r\n00:", b"\n00 0.0216 ul/hr to 190.0000 ml/min\r\n00:",
    b"\n00 11 ELITE I/W Single 3.0.4\r\n00:", b"\n00 27777778 12 333333333 i...I\r\n00>", b"\n00 14.4300 mm\r\n00:",
)
"""Harvard replies: text lines `LF NN text CR`, then the unterminated prompt `LF NN<prompt>`."""


def lines_as_bytes(lines: tuple[str, ...], end: bytes = b"") -> tuple[bytes, ...]:
    return tuple(line.encode("latin-1") + end for line in lines)
