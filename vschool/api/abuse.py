"""A limit on what a single address may get wrong: the webhook's defence against floods of
unsigned, badly signed or oversized posts. It is consulted only for posts that already failed the
signature check, so a correctly signed delivery is never refused, whatever else its address sent
(behind a reverse proxy Meta shares an address with everyone). Each refusal (403/413) counts: an
address that collects too many within a minute gets 429 instead until the minute is over — and a
post whose signature header cannot be one is answered before its body is read.

Per process and in memory: it costs nothing on the hot path of valid events."""

import time
from collections import OrderedDict
from collections.abc import Callable

WINDOW_S = 60.0
MAX_REFUSALS = 30  # per address per window
MAX_ADDRESSES = 10_000  # the oldest addresses are forgotten first


class RefusalLimiter:
    def __init__(self, limit: int = MAX_REFUSALS, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window_s, self._clock = limit, window_s, clock
        self._seen: OrderedDict[str, tuple[float, int]] = OrderedDict()  # address → (window start, refusals)

    def blocked(self, address: str) -> bool:
        entry = self._seen.get(address)
        if entry is None:
            return False
        started, count = entry
        if self._clock() - started >= self.window_s:
            del self._seen[address]
            return False
        return count >= self.limit

    def refused(self, address: str) -> None:
        now = self._clock()
        started, count = self._seen.pop(address, (now, 0))
        if now - started >= self.window_s:
            started, count = now, 0
        self._seen[address] = (started, count + 1)
        while len(self._seen) > MAX_ADDRESSES:
            self._seen.popitem(last=False)

    def retry_after_s(self, address: str) -> int:
        started, _ = self._seen.get(address, (self._clock(), 0))
        return max(1, int(self.window_s - (self._clock() - started)) + 1)


webhook_refusals = RefusalLimiter()
