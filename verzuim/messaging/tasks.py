from __future__ import annotations

from django_tasks import task

from verzuim.messaging.delivery import deliver


@task(queue_name="messages")
def deliver_message(message_id: str) -> str | None:
    status = deliver(message_id)
    return str(status) if status else None
