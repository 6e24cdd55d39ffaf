"""`vschool`: the command line (SPEC.md's contract). Each sub-command is a small function.
Bad input is exit 2 and one line on stderr (`vschool/cli_input.py`); every log line of the
process is redacted (`logs/redact.py`)."""

import argparse
import json
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

from logs.redact import install as redact_logs
from models.settings import get_settings
from vschool.cli_input import (
    DATABASE_INTEGER_MAX,
    BadInput,
    Parser,
    answer_bad_input,
    check_configuration,
    day,
    number,
    text,
    whole_number,
)
from vschool.workers import QUEUES

ROOT = Path(__file__).resolve().parent.parent


def _cmd_services(args: argparse.Namespace) -> int:
    from vschool import services

    data_dir = get_settings().data_dir
    if args.action == "start":
        addresses = services.start(data_dir)
        print(f"PostgreSQL and Redis are running for {data_dir.resolve()}.", file=sys.stderr)
        print(services.env_lines(addresses))
    elif args.action == "stop":
        services.stop(data_dir)
        print(f"Stopped the embedded services of {data_dir.resolve()}.", file=sys.stderr)
    elif args.action == "env":
        state = services.status(data_dir)
        if not state.running:
            print("The embedded services are not running: `vschool services start` first.", file=sys.stderr)
            return 1
        print(services.env_lines({"database_url": state.database_url, "redis_url": state.redis_url}))
    else:
        state = services.status(data_dir)
        print(f"postgresql: {'up' if state.postgres_up else 'down'}  {state.database_url or ''}")
        print(f"redis:      {'up' if state.redis_up else 'down'}  {state.redis_url or ''}")
        return 0 if state.running else 1
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    from vschool.migrations import upgrade_to_head

    upgrade_to_head()
    print("Database is at the newest schema.", file=sys.stderr)
    return 0


def _cmd_worker(args: argparse.Namespace) -> int:
    from vschool.workers import run_one_pool, run_pools

    # Dramatiq 2.2 reads the idle poll ceiling from the environment, not a flag.
    os.environ["dramatiq_worker_timeout"] = str(args.worker_timeout)  # noqa: SIM112 (its spelling)
    if args.queues:
        run_one_pool(args.processes, args.threads, args.queues, args.nice)
    return run_pools(args.processes, args.threads, args.background_threads)


def _cmd_scheduler(args: argparse.Namespace) -> int:
    import logging

    from actors.schedule import run_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per job every 10 s; failures still show
    run_scheduler(get_settings().timezone)
    return 0


def _cmd_user_create(args: argparse.Namespace) -> int:
    from models.db import session_scope
    from models.enums import Role
    from vschool.staff import create_staff

    password = args.password or secrets.token_urlsafe(12)
    with session_scope() as session:  # a refusal (e-mail taken, password short) is bad input: exit 2
        user = create_staff(session, None, args.email, args.name or args.email, Role(args.role), password)
    print(json.dumps({"email": user.email, "role": user.role, "password": password if not args.password else None}))
    return 0


def _cmd_integrity(args: argparse.Namespace) -> int:
    from logs.integrity import run_check
    from models.db import session_scope

    with session_scope() as session:
        report = run_check(session)
    result = report.as_dict()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    else:
        for rule in result["rules"]:
            mark = "ok " if rule["count"] == 0 else f"{rule['count']:>3}"
            print(f"{mark}  {rule['severity']:<6}  {rule['rule']}: {rule['description']}")
        if report.incident_id:
            print(f"Opened incident {report.incident_id}: see logs/incidents/.")
    return 0 if report.total == 0 else 2


def _cmd_token_create(args: argparse.Namespace) -> int:
    from models.db import session_scope
    from models.enums import Role
    from vschool.api_tokens import create_token

    with session_scope() as session:
        row, token = create_token(session, None, Role(args.role), args.name or f"{args.role} token")
    print(f"Keep this token now: it is shown only once. Use it as `Authorization: Bearer {token}`.", file=sys.stderr)
    print(json.dumps({"id": row.id, "name": row.name, "role": row.role, "token": token}))
    return 0


def _cmd_token_revoke(args: argparse.Namespace) -> int:
    from models.db import session_scope
    from vschool.api_tokens import revoke_token

    with session_scope() as session:
        done = revoke_token(session, None, args.id)
    print(f"Token {args.id} revoked." if done else f"No active token {args.id}: nothing to revoke.", file=sys.stderr)
    return 0 if done else 1


def _cmd_simulator(args: argparse.Namespace) -> int:
    import uvicorn

    from vschool.simulator.app import build_simulator

    port = args.port or get_settings().simulator_port
    print(f"Meta simulator on http://127.0.0.1:{port}  (customer phone: http://127.0.0.1:{port}/phone)", file=sys.stderr)
    uvicorn.run(build_simulator(), host="127.0.0.1", port=port, log_level="warning")
    return 0


def _cmd_demo_data(args: argparse.Namespace) -> int:
    from models.db import session_scope
    from vschool.demo import load_demo_data

    with session_scope() as session:
        made = load_demo_data(session, customers=args.customers, days=args.days)
    from cache.marketing import refresh_marketing_snapshots

    refresh_marketing_snapshots()  # orders and payments were added: the marketing figures follow
    print(json.dumps(made))
    return 0


def _cmd_sync_ads(args: argparse.Namespace) -> int:
    from actors.ads import plan, run_sync, school_today

    try:
        plan("manual", args.since, args.until, school_today())
    except ValueError as exc:
        raise BadInput(f"vschool sync ads: {exc}") from None

    def progress(percent: int, rows: int) -> None:
        print(f"  {percent:3d}%  {rows:,} rows", file=sys.stderr, flush=True)

    print("Syncing the ad account…", file=sys.stderr, flush=True)
    result = run_sync("manual", args.since, args.until, on_progress=progress)
    print(json.dumps(result.as_dict(), ensure_ascii=False))
    if result.error:
        print(f"Ad sync failed: {result.error}", file=sys.stderr)
    return 0 if result.status == "succeeded" else 1


def _cmd_dev(args: argparse.Namespace) -> int:
    from vschool.dev import run_dev

    return run_dev(backend_only=args.backend_only)


def _cmd_ai(args: argparse.Namespace) -> int:
    from vschool.ai_cli import run_ai_reply, run_eval_ai

    return run_ai_reply(args) if args.command == "ai" else run_eval_ai(args)


def _cmd_kb(args: argparse.Namespace) -> int:
    from vschool.kb_cli import run_kb

    return run_kb(args)


def _cmd_journal(args: argparse.Namespace) -> int:
    from vschool.journal_cli import run_journal

    return run_journal(args)


def _cmd_backup(args: argparse.Namespace) -> int:
    from vschool.backup import backup, restore

    result = backup(Path(args.file)) if args.command == "backup" else restore(Path(args.file))
    print(json.dumps(result))
    return 0
def _cmd_import(args: argparse.Namespace) -> int:
    from vschool.import_cli import run_import

    return run_import(args)


def _cmd_bench(args: argparse.Namespace) -> int:
    from vschool.bench import run_bench

    result = run_bench(args.name, args)
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="vschool", description="V School CRM")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("dev", help="run everything: services, migrations, app, worker, scheduler")
    p.add_argument("--backend-only", action="store_true", help="no frontend build: backend, worker, scheduler")
    p.set_defaults(func=_cmd_dev)

    p = sub.add_parser("services", help="the embedded PostgreSQL and Redis of VSCHOOL_DATA_DIR")
    p.add_argument("action", choices=["start", "stop", "status", "env"])
    p.set_defaults(func=_cmd_services)

    p = sub.add_parser("migrate", help="alembic upgrade head against DATABASE_URL")
    p.set_defaults(func=_cmd_migrate)

    p = sub.add_parser("worker", help="Dramatiq workers for every actor: the customers' pool and the background pool")
    p.add_argument("--processes", type=whole_number(1, 256), default=2, help="processes of the customers' pool (or of the --queues pool)")
    p.add_argument("--threads", type=whole_number(1, 1024), default=4, help="threads per process of that pool")
    p.add_argument("--background-threads", type=whole_number(1, 1024), default=3, help="threads of the background pool (receipts, bulk; one process, nice 10)")
    p.add_argument("--worker-timeout", type=whole_number(1, 3_600_000), default=1000, help="ms an idle worker waits between polls (the doorbell wakes it sooner)")
    p.add_argument("--queues", nargs="+", choices=QUEUES, help="one pool of just these queues")
    p.add_argument("--nice", type=whole_number(0, 19), default=0, metavar="0-19", help="with --queues: run that pool at a lower CPU priority")
    p.set_defaults(func=_cmd_worker)

    p = sub.add_parser("simulator", help="the Meta simulator: Graph API, profiles and a customer phone page")
    p.add_argument("--port", type=whole_number(1, 65_535), help="default: VSCHOOL_SIMULATOR_PORT (8010)")
    p.set_defaults(func=_cmd_simulator)

    p = sub.add_parser("demo-data", help="realistic demo data (Thai and English); safe to run again")
    p.add_argument("--customers", type=whole_number(0, 1_000_000), default=40)
    p.add_argument("--days", type=whole_number(1, 3_650), default=14)
    p.set_defaults(func=_cmd_demo_data)

    p = sub.add_parser("scheduler", help="the one process that sends periodic actor messages")
    p.set_defaults(func=_cmd_scheduler)

    kb = sub.add_parser("kb", help="the knowledge base: ingest, search, watch").add_subparsers(dest="kb_command", required=True)
    p = kb.add_parser("ingest", help="ingest Markdown/text/PDF files and folders (only what changed)")
    p.add_argument("paths", nargs="+")
    p.set_defaults(func=_cmd_kb)
    p = kb.add_parser("search", help="the chunks that best answer a question")
    p.add_argument("query", type=text)
    p.add_argument("--k", type=whole_number(1, 1_000), default=5)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_kb)
    p = kb.add_parser("watch", help="re-index the knowledge folder whenever its files change")
    p.add_argument("folder", nargs="?", help="default: VSCHOOL_DATA_DIR/knowledge")
    p.set_defaults(func=_cmd_kb)

    sync = sub.add_parser("sync", help="sync from outside sources now").add_subparsers(dest="sync_command", required=True)
    p = sync.add_parser("ads", help="the ad account: campaigns, ad sets, ads, daily and hourly insights (last 3 days, plus --since..--until)")
    p.add_argument("--since", type=day, help="first day, YYYY-MM-DD (ad account time zone)")
    p.add_argument("--until", type=day, help="last day, YYYY-MM-DD (default: today)")
    p.set_defaults(func=_cmd_sync_ads)

    ai = sub.add_parser("ai", help="AI replies").add_subparsers(dest="ai_command", required=True)
    p = ai.add_parser("reply", help="dry run of the reply pipeline for one customer message (nothing stored or sent)")
    p.add_argument("question", type=text)
    p.add_argument("--language", choices=["th", "en"], help="the customer's language (default: the message's)")
    p.add_argument("--name", help="the customer's first name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_ai)
    evaluate = sub.add_parser("eval", help="evaluations").add_subparsers(dest="eval_command", required=True)
    p = evaluate.add_parser("ai", help="the reply pipeline over each school's evaluation set (knowledge/eval/*.json), judged on content")
    p.add_argument("--questions", help="another evaluation set (same format)")
    p.add_argument("--limit", type=whole_number(1, 1_000_000), help="only the first N questions")
    p.add_argument("--json", action="store_true")
    p.add_argument("--calibrate", nargs="+", metavar="SCHOOL",
                   help="fit the confidence model (knowledge/confidence.json) on every other tunable school and its calibration map (knowledge/calibration.json) on these two: the last held-out pair, before tuning on them")
    p.set_defaults(func=_cmd_ai)

    user = sub.add_parser("user", help="staff users").add_subparsers(dest="user_command", required=True)
    p = user.add_parser("create", help="create a staff user (prints a generated password once)")
    p.add_argument("--email", required=True)
    p.add_argument("--name")
    p.add_argument("--role", choices=["admin", "agent", "marketing"], default="agent")
    p.add_argument("--password", help="default: generate one and print it once")
    p.set_defaults(func=_cmd_user_create)

    p = sub.add_parser("integrity", help="the logic-integrity report (exit 2 when something is found)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_integrity)

    token = sub.add_parser("token", help="REST API tokens").add_subparsers(dest="token_command", required=True)
    p = token.add_parser("create", help="a bearer token for /api/v1 (printed once)")
    p.add_argument("--role", choices=["admin", "agent", "marketing"], required=True)
    p.add_argument("--name", help="what it is for, e.g. 'accounting export'")
    p.set_defaults(func=_cmd_token_create)
    p = token.add_parser("revoke", help="stop a token working at once (its id is in `token create`'s output)")
    p.add_argument("id", type=whole_number(1, DATABASE_INTEGER_MAX))
    p.set_defaults(func=_cmd_token_revoke)

    journal = sub.add_parser("journal", help="the webhook journal (bodies received while PostgreSQL was away)").add_subparsers(dest="journal_command", required=True)
    for action, about in (("status", "bodies waiting in a journal folder"), ("replay", "store a journal's bodies (also another host's, deduplicated)")):
        p = journal.add_parser(action, help=about)
        p.add_argument("--dir", help="a journal folder (default: this host's VSCHOOL_DATA_DIR/journal)")
        p.set_defaults(func=_cmd_journal)

    p = sub.add_parser("backup", help="the database, secrets and knowledge files in one archive (tar.gz)")
    p.add_argument("file")
    p.set_defaults(func=_cmd_backup)
    p = sub.add_parser("restore", help="a `vschool backup` archive into an empty database and this data folder")
    p.add_argument("file")
    p.set_defaults(func=_cmd_backup)

    imports = sub.add_parser("import", help="bring existing data in").add_subparsers(dest="import_command", required=True)
    p = imports.add_parser("legacy", help="the old system's JSON store: customers, catalog, orders, ad logs (safe to run again)")
    p.add_argument("dir", help="the old system's folder (data hub, crm-app/ or its cache/)")
    p.add_argument("--dry-run", action="store_true", help="read and check everything, write nothing")
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("bench", help="benchmarks; each prints one JSON object")
    p.add_argument("name", choices=["adsync", "dashboard", "e2e", "footprint", "import", "kb", "push", "reports", "seats", "timeline", "ui", "webhook"])
    p.add_argument("--json", action="store_true")
    p.add_argument("--events", type=whole_number(1, 10_000_000), help="push: announce events (default 60, plus half as many actor sends); ui: samples of each figure (default 20); webhook: distinct signed bodies (default 120,000); e2e: messages at --rate (default 200)")
    p.add_argument("--rate", type=number(0, 10_000), default=20.0, help="e2e: customer messages per second in the busy phase (the target is set at 20)")
    p.add_argument("--hosts", type=whole_number(1, 16), help="push: app hosts (production backends) sharing the services; with --tabs, socket-client tabs instead of a browser")
    p.add_argument("--tabs", type=whole_number(1, 10_000), help="push: signed-in staff tabs (socket clients) spread over --hosts (default 200)")
    p.add_argument("--inbox-events", type=whole_number(1, 100_000), default=30, help="push: webhook messages timed into the open inbox")
    p.add_argument("--idle-events", type=whole_number(0, 100_000), default=6, help="e2e: messages 10 s apart (idle workers)")
    p.add_argument("--seconds", type=whole_number(1, 86_400), help="webhook: how long wrk runs (default 15); footprint: how long the traffic runs (default 120)")
    p.add_argument("--connections", type=whole_number(1, 100_000), default=64, help="webhook: wrk connections")
    p.add_argument("--rows", type=whole_number(1, 1_000_000_000), help="adsync: hourly rows (default 1,000,000)")
    p.add_argument("--ads", type=whole_number(1, 1_000_000), help="dashboard, import: ads (default 200)")
    p.add_argument("--days", type=whole_number(1, 3_650), dest="bench_days", help="dashboard, adsync, import: days of hourly rows (default 730)")
    p.add_argument("--runs", type=whole_number(1, 100_000), help="dashboard: 30-day ranges timed (default 15); seats: rounds raced (default 5); reports: 30-day ranges anywhere in the year (default 30)")
    p.add_argument("--scale", type=number(0.001, 10), help="reports: share of a busy school's year to load (default 1: 200,000 conversations, 2,000,000 messages)")
    p.add_argument("--no-4x", action="store_true", help="dashboard: skip the 4x-data measurement")
    p.add_argument("--customers", type=whole_number(1, 100_000_000), dest="bench_customers", help="timeline: customers searched (default 100,000); import: legacy customer files (default 50,000)")
    p.add_argument("--bookers", type=whole_number(2, 500), help="seats: concurrent bookers on one round (default 50)")
    p.add_argument("--capacity", type=whole_number(1, 500), help="seats: the round's seats (default 12)")
    p.set_defaults(func=_cmd_bench)
    return parser


@answer_bad_input
def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    check_configuration()
    redact_logs()
    return args.func(args) or 0


if __name__ == "__main__":
    raise SystemExit(main())
