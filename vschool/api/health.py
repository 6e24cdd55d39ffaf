"""`GET /healthz`: `{status, db, redis, workers, last_ad_sync}`; 503 when something is down."""

from starlette.requests import Request
from starlette.responses import JSONResponse

from vschool.api.probes import probe


async def healthz(request: Request) -> JSONResponse:
    found = await probe()
    healthy = found.db and found.redis and found.workers > 0
    body = {
        "status": "ok" if healthy else "degraded",
        "db": "ok" if found.db else "down",
        "redis": "ok" if found.redis else "down",
        "workers": found.workers,
        "last_ad_sync": found.last_ad_sync.isoformat() if found.last_ad_sync else None,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
