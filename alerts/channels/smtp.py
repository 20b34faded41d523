"""Email over SMTP with the standard library: plain, STARTTLS or implicit TLS (SMTPS)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from alerts.channels.base import Sender
from alerts.errors import ChannelError
from alerts.messages import Message


class EmailSender(Sender):
    def send(self, message: Message) -> None:
        c = self.config
        mail = EmailMessage()
        mail["Subject"] = message.title
        mail["From"] = c.sender
        mail["To"] = ", ".join(c.to)
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain="fairwatch")
        # Receivers (and mail filters) can drop a repeat of the same alert on this header.
        mail["X-Fairwatch-Alert"] = message.key
        mail.set_content(message.text)
        context = ssl.create_default_context(cafile=c.ca_file) if c.security != "none" else None
        port = c.resolved_port
        try:
            if c.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    c.host, port, timeout=c.timeout, context=context
                )
            else:
                client = smtplib.SMTP(c.host, port, timeout=c.timeout)
            with client:
                if c.security == "starttls":
                    client.starttls(context=context)
                if c.username:
                    client.login(c.username, c.password or "")
                client.send_message(mail)
        except smtplib.SMTPAuthenticationError as exc:
            raise ChannelError(
                self.name, f"SMTP {c.host}:{port} refused the login ({exc.smtp_code})",
                retryable=False,
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise ChannelError(
                self.name, f"SMTP {c.host}:{port} refused recipients {sorted(exc.recipients)}",
                retryable=False,
            ) from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            raise ChannelError(
                self.name, f"SMTP {c.host}:{port} ({c.security}): {type(exc).__name__}: {exc}"
            ) from None
