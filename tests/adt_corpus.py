"""The HL7 v2 ADT corpus (tests/data/adt/, described in its README) as bytes to send, and
a small MLLP client: what a hospital's integration engine does, one message at a time."""

import re
import socket
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

CORPUS = Path(__file__).resolve().parent / "data" / "adt"
START, END = b"\x0b", b"\x1c\r"


def messages(name: str, *, today=None) -> list[bytes]:
    """The messages of one corpus file, each with carriage returns between segments and
    ``$D-n$`` made the date n days before today (YYYYMMDD), so no test depends on a date."""
    today = today or timezone.localdate()
    data = (CORPUS / name).read_bytes()
    data = re.sub(
        rb"\$D-(\d+)\$",
        lambda m: (today - timedelta(days=int(m.group(1)))).strftime("%Y%m%d").encode(),
        data,
    )
    return [
        block.strip(b"\n").replace(b"\n", b"\r") + b"\r"
        for block in re.split(rb"\n\s*\n", data)
        if block.strip()
    ]


def corpus() -> list[tuple[str, bytes]]:
    """Every message of the corpus, file by file, in order: (file name, message)."""
    return [(path.name, m) for path in sorted(CORPUS.glob("*.hl7")) for m in messages(path.name)]


def frame(message: bytes) -> bytes:
    return START + message + END


def msa(ack: bytes) -> tuple[str, str, str]:
    """(acknowledgement code, control id acknowledged, text) of an ACK's MSA segment."""
    for segment in ack.strip(b"\r").split(b"\r"):
        if segment.startswith(b"MSA|"):
            fields = segment.decode().split("|") + ["", "", ""]
            return fields[1], fields[2], fields[3]
    raise AssertionError(f"no MSA segment in {ack!r}")


class MllpClient:
    """Sends framed messages and reads one acknowledgement for each."""

    def __init__(self, host: str, port: int, timeout: float = 30):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_ack(self) -> bytes:
        while END not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before the acknowledgement")
            self.buffer += chunk
        block, _, self.buffer = self.buffer.partition(END)
        assert block.startswith(START), block[:20]
        return block[1:]

    def exchange(self, message: bytes) -> bytes:
        self.send(frame(message))
        return self.read_ack()

    def close(self) -> None:
        self.sock.close()
