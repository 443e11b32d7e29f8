"""``manage.py run_worker``: deliver queued messages and run background tasks until stopped."""

from __future__ import annotations

import logging
import signal
from argparse import ArgumentParser, ArgumentTypeError
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand

from verzuim.messaging.worker import MessageWorker

logger = logging.getLogger("verzuim.messaging.worker")


def positive_seconds(value: str) -> float:
    seconds = float(value)
    if not 0 < seconds <= 3600:
        raise ArgumentTypeError("must be more than 0 and at most 3600 seconds")
    return seconds


class Command(BaseCommand):
    help = (
        "Run the message worker: task queues 'default' and 'messages' plus a sweep for "
        "due and stuck messages. SIGTERM/SIGINT stop it after the current message."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval",
            type=positive_seconds,
            default=5.0,
            help="Seconds between rounds (default: %(default)s).",
        )
        parser.add_argument(
            "--once", action="store_true", help="Run one round (tasks, then a sweep) and exit."
        )

    def handle(
        self, *args: Any, interval: float, once: bool, verbosity: int, **options: Any
    ) -> None:
        if verbosity < 2:  # the task worker announces every batch; -v 2 shows it
            logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
        worker = MessageWorker(interval=interval)
        if once:
            worker.run_once()
            return

        def stop(signum: int, frame: FrameType | None) -> None:
            if worker.stopping:  # a second signal: stop now; leases bring the message back
                raise SystemExit(1)
            logger.info(
                "%s received: stopping after the current message", signal.Signals(signum).name
            )
            worker.request_stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        worker.run_forever()
