"""What the simulated Meta knows: customers (with their phones' chat threads), ads, recorded
Send API calls and errors queued to be answered. Customers survive restarts (a JSON file)."""

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ADS = [
    {"ad_id": "120210000000000001", "title": "คอร์สซูชิมืออาชีพ 5 วัน — เปิดรับสมัครแล้ว"},
    {"ad_id": "120210000000000002", "title": "Ramen Masterclass: ราเมงต้นตำรับ 3 วัน"},
    {"ad_id": "120210000000000003", "title": "Diploma in Japanese Cuisine (12 weeks)"},
]


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Failure:
    code: int
    subcode: int | None
    message: str
    http_status: int
    headers: dict[str, str]


@dataclass
class SimulatorState:
    path: Path
    customers: dict[str, dict[str, str]] = field(default_factory=dict)
    threads: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    delays_s: list[float] = field(default_factory=list)  # the next sends answer this much later
    uploads: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    @classmethod
    def load(cls, path: Path) -> "SimulatorState":
        state = cls(path)
        try:
            state.customers = json.loads(path.read_text())["customers"]
        except (FileNotFoundError, ValueError, KeyError):
            pass
        return state

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"customers": self.customers}, ensure_ascii=False))
        tmp.replace(self.path)

    def add_customer(self, name: str) -> dict[str, str]:
        psid = str(24_000_000_000_000_000 + uuid.uuid4().int % 10**15)
        first, _, last = name.strip().partition(" ")
        customer = {"psid": psid, "name": name.strip(), "first_name": first, "last_name": last}
        self.customers[psid] = customer
        self.save()
        return customer

    async def record(self, psid: str, event: dict[str, Any]) -> dict[str, Any]:
        """Add an event to a customer's phone thread and wake the long-polls."""
        thread = self.threads.setdefault(psid, [])
        event = {"seq": len(thread) + 1, "at": now_ms(), **event}
        thread.append(event)
        async with self.changed:
            self.changed.notify_all()
        return event

    async def wait_after(self, psid: str, after: int, timeout_s: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while True:
            events = self.threads.get(psid, [])[after:]
            left = deadline - time.monotonic()
            if events or left <= 0:
                return events
            async with self.changed:
                try:
                    await asyncio.wait_for(self.changed.wait(), left)
                except TimeoutError:
                    pass
