"""The baseline of `vschool bench webhook`: the least a webhook can do — check the signature,
parse the JSON, insert one row, RPUSH one id — as a bare Starlette app under uvicorn."""

import hashlib
import hmac
import json
import os

import redis.asyncio as aioredis
from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

SECRET = os.environ["BENCH_APP_SECRET"].encode()
_pool: AsyncConnectionPool | None = None
_redis = aioredis.Redis.from_url(os.environ["REDIS_URL"])


async def pool() -> AsyncConnectionPool:
    global _pool
    if _pool is None:
        _pool = AsyncConnectionPool(os.environ["BENCH_DATABASE_URL"], min_size=2, max_size=8, open=False, kwargs={"autocommit": True})
        await _pool.open()
    return _pool


async def receive(request: Request) -> PlainTextResponse:
    raw = await request.body()
    expected = "sha256=" + hmac.new(SECRET, raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("x-hub-signature-256", "")):
        return PlainTextResponse("bad signature", status_code=403)
    body = json.loads(raw)
    mid = body["entry"][0]["messaging"][0]["message"]["mid"]
    async with (await pool()).connection() as conn:
        row = await (await conn.execute(
            "INSERT INTO bench_baseline_event (dedupe_key, payload) VALUES (%s, %s) ON CONFLICT DO NOTHING RETURNING id",
            (mid, json.dumps(body)),
        )).fetchone()
    if row:
        await _redis.rpush("bench:baseline", row[0])
    return PlainTextResponse("EVENT_RECEIVED")


app = Starlette(routes=[Route("/webhooks/messenger", receive, methods=["POST"])])
