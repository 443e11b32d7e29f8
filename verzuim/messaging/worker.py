"""The message worker: runs queued tasks and sweeps for messages that fell through.

Each round also queues the daily jobs of sick-leave management (reminders, retention purge)
when no worker has done so yet today.

Each round first runs the django-tasks database queue in batch mode (the fast path: a task
per message, enqueued on commit), then sweeps: every message that is due (a retry) or left
``sending`` by a worker that died (its lease expired) is delivered right here. The sweep is
what guarantees that no message is lost, whatever happened to its task.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Sequence

from django.db import close_old_connections
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from verzuim.messaging.delivery import deliver, due_message_ids
from verzuim.messaging.models import Status

logger = logging.getLogger(__name__)

QUEUES = ("default", "messages")


class MessageWorker:
    def __init__(
        self,
        *,
        interval: float = 5.0,
        queues: Sequence[str] = QUEUES,
        backend_name: str = "default",
    ) -> None:
        self.interval = interval
        self.queues = list(queues)
        self.backend_name = backend_name
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}"[-64:]
        self.stopping = False
        self._task_worker: Worker | None = None

    def request_stop(self) -> None:
        """Stop after the message or task in hand (safe to call from a signal handler)."""
        self.stopping = True
        if self._task_worker is not None:
            self._task_worker.running = False

    def run_tasks(self) -> None:
        """Run every ready task of our queues, then return (django_tasks_db batch mode)."""
        if not isinstance(task_backends[self.backend_name], DatabaseBackend):
            return  # e.g. the immediate backend in tests: tasks ran when enqueued
        self._task_worker = Worker(
            queue_names=self.queues,
            interval=0.5,
            batch=True,
            backend_name=self.backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )
        try:
            if not self.stopping:
                self._task_worker.run()
        finally:
            self._task_worker = None

    def sweep(self) -> int:
        """Deliver due and stuck messages; returns how many were sent."""
        sent = 0
        for message_id in due_message_ids():
            if self.stopping:
                break
            sent += deliver(message_id) == Status.SENT
        if sent:
            logger.info("Sweep delivered %d message(s)", sent)
        return sent

    def schedule_daily(self) -> None:
        """Queue the daily jobs (task reminders, retention purge) once a day; the database
        decides which worker does it (``verzuim.absence.tasks.claim_day``)."""
        from verzuim.absence.tasks import enqueue_daily_jobs

        try:
            enqueue_daily_jobs()
        except Exception:
            logger.exception("Queueing the daily jobs failed; the next round tries again")

    def run_once(self) -> None:
        close_old_connections()
        self.schedule_daily()
        self.run_tasks()
        if not self.stopping:
            self.sweep()
        close_old_connections()

    def run_forever(self) -> None:
        logger.info(
            "Message worker %s started (queues %s, every %s s)",
            self.worker_id,
            ",".join(self.queues),
            self.interval,
        )
        while not self.stopping:
            try:
                self.run_once()
            except Exception:
                # A database hiccup must not end the worker; the next round tries again.
                logger.exception("Message worker round failed")
            self._pause()
        logger.info("Message worker %s stopped", self.worker_id)

    def _pause(self) -> None:
        deadline = time.monotonic() + self.interval
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.1, max(deadline - time.monotonic(), 0)))
