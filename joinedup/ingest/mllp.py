"""The MLLP listener of ``joinedup feeds adt --listen HOST:PORT``: a hospital's
integration engine connects and sends HL7 v2 ADT messages, each framed as MLLP
(``<VT> message <FS><CR>``), one at a time, each waiting for its acknowledgement.

Framing is python-hl7's (``hl7.mllp``, on asyncio: a message split across TCP packets, or
several in one, is read whole). Each message is handed to ``ingest.actions.receive_adt``
on one worker thread, in the order received (one database connection; a person's messages
never overtake each other), and its acknowledgement is written only once that has
committed. If keeping it fails (the database is down), the connection is closed with no
acknowledgement, so the sender sends it again.
"""

import asyncio
import logging
import signal
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import hl7.mllp
from django.db import connection

from joinedup.core.faults import crash_point

from . import hl7v2

MAX_MESSAGE_BYTES = 1 << 20  # 1 MiB: an ADT message is a few kilobytes
IDLE_SECONDS = 600  # a connection quiet for this long is closed (the sender reconnects)

logger = logging.getLogger(__name__)


class Listener:
    """Accepts MLLP connections on ``host:port`` (port 0: any free port)."""

    def __init__(self, host: str, port: int, *, receive: Callable[[bytes], object] | None = None):
        from .actions import receive_adt

        self.host, self.port = host, port
        self.receive = receive or (lambda raw: receive_adt(raw=raw))
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="adt-listener")
        self.counts: Counter = Counter()
        self.server = None

    async def start(self) -> tuple[str, int]:
        """Listen; returns the address bound."""
        self.server = await hl7.mllp.start_hl7_server(
            self._connection, self.host, self.port, limit=MAX_MESSAGE_BYTES
        )
        return self.server.sockets[0].getsockname()[:2]

    async def stop(self) -> None:
        """Stop accepting; let the message being kept finish (its acknowledgement is
        written if it can be; one that is not is sent again by the sender)."""
        self.server.close()
        self.executor.submit(connection.close)  # the worker thread's own connection
        await asyncio.get_running_loop().run_in_executor(None, self.executor.shutdown)
        await asyncio.sleep(0.05)

    async def _connection(self, reader, writer) -> None:
        loop = asyncio.get_running_loop()
        self.counts["connections"] += 1
        try:
            while True:
                try:
                    block = await asyncio.wait_for(reader.readblock(), IDLE_SECONDS)
                except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
                    return  # closed (a part-sent message is not acknowledged) or idle
                except hl7.mllp.InvalidBlockError:
                    self.counts["unframed"] += 1  # bytes outside a frame: skipped
                    continue
                except ValueError:  # longer than MAX_MESSAGE_BYTES
                    self.counts["too_long"] += 1
                    too_long = hl7v2.ack(
                        hl7v2.Header(),
                        code="AR",
                        ack_id="too-long",
                        text=f"the message is longer than {MAX_MESSAGE_BYTES:,} bytes",
                        error="100",
                    )
                    writer.writeblock(too_long)
                    await writer.drain()
                    return
                try:
                    receipt = await loop.run_in_executor(self.executor, self._keep, block)
                except Exception as exc:  # noqa: BLE001 - nothing kept: no acknowledgement
                    logger.error(
                        "ADT message not kept (%s): connection closed unacknowledged",
                        type(exc).__name__,
                    )
                    return
                self.counts["messages"] += 1
                crash_point("adt.before-ack")  # kept and committed, not yet acknowledged
                writer.writeblock(receipt.ack)
                await writer.drain()
        except ConnectionError:
            return
        finally:
            writer.close()

    def _keep(self, raw: bytes):
        try:
            return self.receive(raw)
        except Exception:
            connection.close()  # a broken connection is not used again
            raise


def listen(host: str, port: int, *, ready: Callable[[tuple[str, int]], None] | None = None):
    """Run a listener until SIGTERM or SIGINT; returns its counts."""
    return asyncio.run(_serve(host, port, ready))


async def _serve(host, port, ready):
    listener = Listener(host, port)
    address = await listener.start()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    if ready:
        ready(address)
    await stopping.wait()
    await listener.stop()
    return listener.counts
