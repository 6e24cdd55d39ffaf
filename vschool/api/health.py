"""`GET /healthz`: `{status, db, redis, workers, last_ad_sync, messenger}`; 503 when something
is down (the Messenger channel counts: a Page token Meta refused means no replies go out)."""

from starlette.requests import Request
from starlette.responses import JSONResponse

from vschool.api.probes import probe


async def healthz(request: Request) -> JSONResponse:
    found = await probe()
    healthy = found.db and found.redis and found.workers > 0 and not found.messenger_problem
    body = {
        "status": "ok" if healthy else "degraded",
        "db": "ok" if found.db else "down",
        "redis": "ok" if found.redis else "down",
        "workers": found.workers,
        "last_ad_sync": found.last_ad_sync.isoformat() if found.last_ad_sync else None,
        "messenger": found.messenger_problem or "ok",
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
