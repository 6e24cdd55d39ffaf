"""Messages enqueued from async code are the same messages a worker runs."""

import asyncio

from sqlmodel import select

from actors.async_send import send_async
from actors.customers import register_customer
from models import Customer
from models.db import session_scope
from tests.conftest import wait_until


def test_a_message_sent_from_async_code_is_run_by_a_real_worker(worker) -> None:
    async def send_twice() -> None:  # two event loops in turn: each gets its own client
        await send_async(register_customer, "facebook", "PAGE1", "7300000000000001")

    asyncio.run(send_twice())
    asyncio.run(send_twice())

    def customers() -> list[Customer]:
        with session_scope() as s:
            return s.exec(select(Customer)).all()

    assert len(wait_until(customers)) == 1
