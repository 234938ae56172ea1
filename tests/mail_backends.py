"""Mail backends for tests."""

from smtplib import SMTPRecipientsRefused

from django.core.mail.backends.locmem import EmailBackend


class RefusingBackend(EmailBackend):
    """As the test outbox, but the mail server refuses any address at refused.example."""

    def send_messages(self, messages):
        for message in messages:
            refused = [a for a in message.to if a.endswith("@refused.example")]
            if refused:
                raise SMTPRecipientsRefused({a: (550, b"No such user") for a in refused})
        return super().send_messages(messages)
