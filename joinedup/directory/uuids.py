"""The UUIDs by which the Open Referral API knows every record (HSDS 3.0 ids are UUIDs).

A record keeps the id its feed gave it (``oruk_id``). When that id is a UUID, it is the
record's UUID too, so other directories' ids pass through unchanged. When it is not (a
feed's "svc-1", or joinedup's own "joinedup-needs:loneliness"), the UUID is made from the
kind of record and that id (a version 5 UUID in joinedup's namespace): the same on every
server, after every re-import, for as long as the feed keeps its ids.

What has no row of its own (a location's address, a service's link to a taxonomy term, a
contact's phone) has a UUID made the same way from its owner's.

Example::

    of("taxonomy_term", "joinedup-needs:loneliness")      # UUID('...'), always the same
    of("service", "3f7b145d-84af-42d7-8fae-eaca714b02b2")  # that UUID itself
"""

import uuid

# joinedup's own namespace: changing it would change the id of every record not given a
# UUID by its feed.
NAMESPACE = uuid.UUID("5d9f3495-10fe-430e-9871-0e6d23e29bd5")


def parse(text: str | None) -> uuid.UUID | None:
    """``text`` as a UUID, or None when it is not one."""
    try:
        return uuid.UUID(str(text).strip())
    except (ValueError, TypeError):
        return None


def of(kind: str, feed_id: str, *, within: uuid.UUID = NAMESPACE) -> uuid.UUID:
    """The UUID of a ``kind`` of record (an HSDS table's name: "service", "taxonomy_term")
    that its feed calls ``feed_id``; ``within`` an owner's UUID for a part with no id of
    its own."""
    return parse(feed_id) or uuid.uuid5(within, f"{kind}:{feed_id}")


def part(owner: uuid.UUID, kind: str, key: str = "") -> str:
    """The UUID, as text, of a part that has no row of its own: a location's ``address``, a
    service's ``attribute`` for a term (``key``: the term's UUID), a contact's ``phone``."""
    return str(uuid.uuid5(owner, f"{kind}:{key}"))
