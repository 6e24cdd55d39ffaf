"""The scheduler's lease: every host may run `vschool scheduler`, one of them fires (ADR 013).

A lease is one Redis key, `vschool:scheduler:lease`, whose value is `{token}|{holder}`. The
token comes from `INCR vschool:scheduler:fence` each time the lease changes hands, so it only
grows: it is the fencing token. The holder renews the key every `RENEW_EVERY_S`; a holder that
dies (or stalls, or loses Redis) stops renewing and another scheduler takes the lease once the key
expires, `LEASE_TTL_S` later (well within a minute).

Firing is fenced where it happens, in Redis: one script checks that the lease still holds this
scheduler's exact value (token included) and claims the job's slot (`SET … NX`), so
- a scheduler that lost its lease (paused past the expiry, cut off from Redis) fires nothing, even
  if it still believes it holds it;
- a slot (one run of one job: the interval or the minute it is due) is fired once, including
  across a hand-over.
Every fire is recorded on a capped stream (`vschool:scheduler:fires`): which job, which slot,
which lease.
"""

import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass, field

import redis

from actors.broker import NAMESPACE

log = logging.getLogger("vschool.scheduler")

LEASE_KEY = f"{NAMESPACE}:scheduler:lease"
FENCE_KEY = f"{NAMESPACE}:scheduler:fence"
FIRES_KEY = f"{NAMESPACE}:scheduler:fires"
FIRED_PREFIX = f"{NAMESPACE}:scheduler:fired:"
LEASE_TTL_S = 20
RENEW_EVERY_S = 5
FIRES_KEPT = 10_000

# KEYS: lease, fence. ARGV: holder, ttl ms. The lease value when this holder has it, else nil.
_HOLD = """
local current = redis.call('GET', KEYS[1])
if current then
  local sep = string.find(current, '|', 1, true)
  if sep and string.sub(current, sep + 1) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return current
  end
  return false
end
local value = redis.call('INCR', KEYS[2]) .. '|' .. ARGV[1]
redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
return value
"""

# KEYS: lease, slot, fires. ARGV: lease value, slot ttl s, job id, slot, kept. 1 when fired.
_FIRE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'EX', ARGV[2]) then return 0 end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'job', ARGV[3], 'slot', ARGV[4], 'lease', ARGV[1])
return 1
"""

# KEYS: lease. ARGV: lease value. Gives the lease up at once (a clean stop hands over sooner).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def holder_name() -> str:
    """This scheduler's name on the lease: host, pid and a random tail (a pid can be reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def slot_of(every_s: int, now: float | None = None) -> int:
    """The run a job due every `every_s` seconds is on now (runs are aligned to the epoch, so
    every scheduler's clock names the same run alike; half a period of lateness is tolerated)."""
    return int(((time.time() if now is None else now) + every_s / 2) // every_s)


@dataclass
class SchedulerLease:
    """One scheduler's side of the lease."""

    client: redis.Redis
    holder: str = field(default_factory=holder_name)
    ttl_ms: int = LEASE_TTL_S * 1000
    value: str | None = None  # `{token}|{holder}` while this scheduler believes it holds the lease

    def hold(self) -> bool:
        """Take the lease if it is free, renew it if it is ours; True while ours."""
        raw = self.client.eval(_HOLD, 2, LEASE_KEY, FENCE_KEY, self.holder, self.ttl_ms)
        value = raw.decode() if raw else None
        if value != self.value:
            log.info("scheduler lease %s", f"held: {value}" if value else f"lost (held elsewhere: {self.current()})")
        self.value = value
        return value is not None

    @property
    def token(self) -> int | None:
        """The fencing token of the lease this scheduler holds."""
        return int(self.value.split("|", 1)[0]) if self.value else None

    def current(self) -> str | None:
        """Whoever holds the lease now (`{token}|{holder}`), if anyone."""
        raw = self.client.get(LEASE_KEY)
        return raw.decode() if raw else None

    def fire(self, job_id: str, slot: int, slot_ttl_s: int) -> bool:
        """Claim run `slot` of `job_id` under this lease; True when the caller should send it."""
        if self.value is None:
            return False
        keys = (LEASE_KEY, f"{FIRED_PREFIX}{job_id}:{slot}", FIRES_KEY)
        return bool(self.client.eval(_FIRE, len(keys), *keys, self.value, slot_ttl_s, job_id, slot, FIRES_KEPT))

    def release(self) -> None:
        """Give the lease up (on a clean stop), so another scheduler takes it at its next try."""
        if self.value is not None:
            self.client.eval(_RELEASE, 1, LEASE_KEY, self.value)
            self.value = None


def fires(client: redis.Redis) -> list[dict[str, str]]:
    """Every recorded fire, oldest first: `job`, `slot`, `lease`."""
    return [{k.decode(): v.decode() for k, v in entry.items()} for _, entry in client.xrange(FIRES_KEY)]
