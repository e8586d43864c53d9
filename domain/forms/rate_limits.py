"""Per-form rate limits on public submissions, counted in Redis.

Two limits per minute: per source IP per form, and per form. Each is a sliding window estimated
from two fixed one-minute counters (the current minute, plus the previous one weighted by how
much of it still overlaps), checked and counted by one Lua script in one round trip. A request
refused by its IP's limit does not count against the form's, so one noisy sender cannot use up
everyone's allowance.

Redis is optional here: when it is away the limits fail open (the submission is stored and
answered as usual), and after a failure Redis is left alone for a few seconds so a dead server
does not add its connect timeout to every submission.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from dataclasses import dataclass
from typing import Any

import structlog

log = structlog.get_logger("rapport.forms.rate_limits")

WINDOW_SECONDS = 60
REDIS_TIMEOUT_SECONDS = 0.5
SKIP_REDIS_AFTER_FAILURE_SECONDS = 5.0

# KEYS: ip current, ip previous, form current, form previous.
# ARGV: ip limit, form limit, weight of the previous window, ttl.
# Returns 0 (allowed), 1 (the IP is over its limit) or 2 (the form is over its limit).
_SCRIPT = """
local weight = tonumber(ARGV[3])
local ip = redis.call('INCR', KEYS[1])
if ip == 1 then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
local ip_prev = tonumber(redis.call('GET', KEYS[2]) or '0')
if ip + ip_prev * weight > tonumber(ARGV[1]) then return 1 end
local form = redis.call('INCR', KEYS[3])
if form == 1 then redis.call('EXPIRE', KEYS[3], ARGV[4]) end
local form_prev = tonumber(redis.call('GET', KEYS[4]) or '0')
if form + form_prev * weight > tonumber(ARGV[2]) then return 2 end
return 0
"""


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0
    limit: str | None = None  # "ip" or "form" when refused


ALLOWED = Verdict(allowed=True)


class FormRateLimiter:
    """One per process; holds the script handle and the fail-open back-off."""

    def __init__(self) -> None:
        self._skip_until = 0.0
        self._scripts: dict[int, Any] = {}

    def _script(self, redis: Any) -> Any:
        script = self._scripts.get(id(redis))
        if script is None:
            script = redis.register_script(_SCRIPT)
            self._scripts = {id(redis): script}
        return script

    async def check(
        self,
        redis: Any,
        *,
        form_id: uuid.UUID,
        source_ip: str,
        per_ip: int,
        per_form: int,
        now: float | None = None,
    ) -> Verdict:
        if redis is None or time.monotonic() < self._skip_until:
            return ALLOWED
        now = time.time() if now is None else now
        window = int(now // WINDOW_SECONDS)
        elapsed = now - window * WINDOW_SECONDS
        weight = 1.0 - elapsed / WINDOW_SECONDS
        prefix = f"rapport:form-rate:{form_id}"
        keys = [
            f"{prefix}:ip:{source_ip}:{window}",
            f"{prefix}:ip:{source_ip}:{window - 1}",
            f"{prefix}:all:{window}",
            f"{prefix}:all:{window - 1}",
        ]
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
                outcome = int(
                    await self._script(redis)(keys=keys, args=[per_ip, per_form, weight, 2 * WINDOW_SECONDS])
                )
        except Exception as exc:  # Redis away or slow: fail open, and stop asking for a moment.
            self._skip_until = time.monotonic() + SKIP_REDIS_AFTER_FAILURE_SECONDS
            log.warning("form_rate_limit.redis_unavailable", error=str(exc) or type(exc).__name__)
            return ALLOWED
        if outcome == 0:
            return ALLOWED
        retry_after = max(1, math.ceil(WINDOW_SECONDS - elapsed))
        return Verdict(allowed=False, retry_after=retry_after, limit="ip" if outcome == 1 else "form")
