"""Email that goes only once what it speaks of is saved.

Every email joinedup sends carries a link to something just written (a survey's
single-use token, an invitation, a set-password link). Sent inside the transaction that
writes it, a failure half-way (the mail server refusing the tenth address) rolls the
transaction back while the first nine people already hold links to rows that no longer
exist. So actions call :func:`send_after_commit`: the emails leave after the commit, and
not at all if it rolls back; each is sent on its own, so one failed address never stops
the rest, and a failure is logged by address-free reference, never with its content.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def send_after_commit(mails: Iterable[Mail], *, what: str) -> None:
    """Send ``mails`` once the current transaction commits (at once outside one).
    ``what`` names them in the log if some fail ("survey invitations")."""
    batch = [m for m in mails if m.to]
    if batch:
        transaction.on_commit(lambda: send_each(batch, what=what))


def send_each(mails: list[Mail], *, what: str) -> int:
    """Send each email on its own; returns how many were sent. A failed address is logged
    (by its position in the batch, as addresses are personal data) and the rest go on."""
    sent = 0
    for position, mail in enumerate(mails, start=1):
        try:
            send_mail(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.to])
        except Exception as exc:  # noqa: BLE001 - any mail failure is one address's failure
            log.warning(
                "Email %s of %s (%s) not sent: %s", position, len(mails), what, type(exc).__name__
            )
        else:
            sent += 1
    return sent
