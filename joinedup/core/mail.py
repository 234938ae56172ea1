"""Email that goes only once what it speaks of is saved.

Every email joinedup sends carries a link to something just written (a survey's
single-use token, an invitation, a set-password link). Sent inside the transaction that
writes it, a failure half-way (the mail server refusing the tenth address) rolls the
transaction back while the first nine people already hold links to rows that no longer
exist. So actions call :func:`send_after_commit`: the emails become a background job
(``joinedup.jobs``) that is made in the same transaction and starts after the commit —
not at all if it rolls back. Each email is sent on its own, so one failed address never
stops the rest; the failed ones are tried again later (the queue's backoff). A failure is
logged by its position in the batch, never with the address or the content, and the
job's copy of the emails (which hold single-use links) is cleared when it ends.
"""

import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.mail import send_mail

from joinedup.jobs.queue import enqueue, job

from .jinja_env import plural

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


class NotAllSent(Exception):
    pass


def send_after_commit(mails: Iterable[Mail], *, what: str, by=None) -> None:
    """Send ``mails`` in the background once the current transaction commits. ``what``
    names them for the Jobs page and the log ("survey invitations")."""
    batch = [asdict(m) for m in mails if m.to]
    if batch:
        enqueue(
            "mail.send",
            label=f"{what[:1].upper()}{what[1:]} ({plural(len(batch), 'email')})",
            args={"mails": batch, "what": what},
            by=by,
        )


@job("mail.send", clear_args=True)
def send_job(item, *, mails: list[dict], what: str) -> None:
    """Send each; keep only the failed ones for the next attempt."""
    from joinedup.jobs.models import Job

    batch = [Mail(**m) for m in mails]
    failed = [
        m for m, sent in zip(batch, send_each_result(batch, what=what), strict=True) if not sent
    ]
    if failed:
        Job.objects.filter(pk=item.pk).update(
            args={"mails": [asdict(m) for m in failed], "what": what},
            progress=f"{len(batch) - len(failed)} of {len(batch)} sent",
        )
        raise NotAllSent(f"{len(failed)} of {len(batch)} not sent (see the log)")


def send_each_result(mails: list[Mail], *, what: str) -> list[bool]:
    """Send each email on its own; whether each was sent. A failed address is logged (by
    its position in the batch, as addresses are personal data) and the rest go on."""
    sent = []
    for position, mail in enumerate(mails, start=1):
        try:
            send_mail(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.to])
        except Exception as exc:  # noqa: BLE001 - any mail failure is one address's failure
            log.warning(
                "Email %s of %s (%s) not sent: %s", position, len(mails), what, type(exc).__name__
            )
            sent.append(False)
        else:
            sent.append(True)
    return sent
