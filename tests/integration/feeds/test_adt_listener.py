"""The MLLP listener on a real socket (in a thread of the test): the corpus sent as a
hospital's engine sends it, several messages a connection, frames split across TCP
packets or sent two at a time, several connections at once, and sent again."""

import asyncio
import threading
import time

import pytest

from joinedup.ingest.mllp import Listener
from joinedup.ingest.models import AdtMessage, AdtStatus
from tests.adt_corpus import START, MllpClient, corpus, frame, msa

from .test_adt_feed import EXPECTED

pytestmark = pytest.mark.django_db(transaction=True)


class Running:
    """A listener on a free port, its event loop in a thread."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.listener = Listener("127.0.0.1", 0)
        self.address = self._run(self.listener.start())

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def client(self) -> MllpClient:
        return MllpClient(*self.address)

    def stop(self):
        self._run(self.listener.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def listening(feed):
    running = Running()
    yield running
    running.stop()


def _expected_code(message: bytes) -> str:
    control_id = message.split(b"\r")[0].split(b"|")[9].decode()
    return EXPECTED[control_id][0]


def test_the_corpus_over_one_connection_in_pieces_and_in_pairs(listening):
    client = listening.client()
    messages = [m for _, m in corpus()]
    for index in range(0, len(messages), 2):
        pair = messages[index : index + 2]
        if index % 4 == 0:
            # Split across packets: a few bytes at a time.
            data = b"".join(frame(m) for m in pair)
            for at in range(0, len(data), 37):
                client.send(data[at : at + 37])
                time.sleep(0.001)
        else:
            client.send(b"".join(frame(m) for m in pair))  # two frames in one packet
        for message in pair:
            code, control_id, _ = msa(client.read_ack())
            assert code == _expected_code(message), control_id
    client.close()
    assert AdtMessage.objects.count() == len(EXPECTED)
    assert listening.listener.counts["messages"] == len(messages)


def test_several_connections_at_once_then_a_replay_changes_nothing(listening):
    messages = [m for _, m in corpus()]
    halves = [messages[::2], messages[1::2]]
    codes: dict[bytes, str] = {}

    def send(part):
        client = listening.client()
        for message in part:
            codes[message] = msa(client.exchange(message))[0]
        client.close()

    threads = [threading.Thread(target=send, args=(half,)) for half in halves]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(codes) == len(messages)
    kept = list(AdtMessage.objects.order_by("pk").values_list("control_id", "status"))
    client = listening.client()
    for message in messages:
        assert msa(client.exchange(message))[0] == codes[message]
    client.close()
    assert list(AdtMessage.objects.order_by("pk").values_list("control_id", "status")) == kept


def test_a_frame_cut_off_is_neither_kept_nor_acknowledged(listening):
    (_, message), *_ = corpus()
    client = listening.client()
    client.send(START + message[: len(message) // 2])
    client.close()
    time.sleep(0.2)
    assert not AdtMessage.objects.exists()
    # Sent again whole, it is taken.
    client = listening.client()
    assert msa(client.exchange(message))[0] == "AA"
    client.close()
    assert AdtMessage.objects.get().status == AdtStatus.APPLIED


def test_bytes_outside_a_frame_are_skipped(listening):
    (_, message), *_ = corpus()
    client = listening.client()
    client.send(b"GET / HTTP/1.1\r\n\r\n\x1c\r")
    assert msa(client.exchange(message))[0] == "AA"
    client.close()
    assert listening.listener.counts["unframed"] == 1
