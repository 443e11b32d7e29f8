"""``manage.py outbox``: the latest messages in the development outbox, newest first."""

from __future__ import annotations

import json
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from verzuim.messaging.models import OutboxMessage


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ArgumentTypeError("must be at least 1")
    return number


def json_line(message: OutboxMessage) -> str:
    return json.dumps(
        {
            "to": message.to,
            "channel": message.channel,
            "subject": message.subject,
            "body": message.body,
            "created": message.created.isoformat(),
        },
        ensure_ascii=False,
    )


def text_block(message: OutboxMessage) -> str:
    created = timezone.localtime(message.created).strftime("%Y-%m-%d %H:%M:%S")
    lines = [
        f"{created}  {message.get_channel_display()}  to {message.to}"
        + (f"  from {message.sender}" if message.sender else "")
    ]
    if message.subject:
        lines.append(f"Subject: {message.subject}")
    lines += ["", message.body.rstrip(), "-" * 72]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Show the latest messages in the development outbox, newest first."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--last",
            type=positive_int,
            default=10,
            metavar="N",
            help="How many messages (default: %(default)s).",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="One JSON object per line: to, channel, subject, body, created.",
        )

    def handle(self, *args: Any, last: int, as_json: bool, **options: Any) -> None:
        messages = OutboxMessage.objects.order_by("-created", "-id")[:last]
        for message in messages:
            self.stdout.write(json_line(message) if as_json else text_block(message))
        if not messages and not as_json:
            self.stdout.write("The outbox is empty.")
