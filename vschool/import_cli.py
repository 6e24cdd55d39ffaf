"""`vschool import legacy DIR [--dry-run]`: a progress bar on stderr while it reads and writes,
the JSON summary last on stdout (models/transfer/legacy.py)."""

import argparse
import json
import sys
import time
from pathlib import Path

from models.transfer.legacy import import_legacy
from vschool.cli_input import BadInput

BAR = 30


class ProgressBar:
    """One line on stderr redrawn in place on a terminal; elsewhere a line per stage and every
    quarter of the way, so logs stay short."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.shown: dict[str, int] = {}
        self.started = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        if self.tty:
            filled = round(share * BAR)
            print(f"\r{stage:<18} [{'#' * filled}{'.' * (BAR - filled)}] {done:,}/{total:,} {time.monotonic() - self.started:6.1f}s",
                  end="\n" if done >= total else "", file=sys.stderr, flush=True)
            return
        quarter = int(share * 4)
        if self.shown.get(stage, -1) < quarter:
            self.shown[stage] = quarter
            print(f"{stage}: {done:,}/{total:,} ({share:.0%})", file=sys.stderr, flush=True)


def run_import(args: argparse.Namespace) -> int:
    """The `import legacy` command: exit 0 when imported (problems are in the summary)."""
    root = Path(args.dir).expanduser()
    if not root.is_dir():
        raise BadInput(f"vschool import legacy: {args.dir!r} is not a folder")
    try:
        summary = import_legacy(root.resolve(), dry_run=args.dry_run, progress=ProgressBar())
    except ValueError as exc:
        raise BadInput(f"vschool import legacy: {exc}") from None
    customers = summary["customers"]
    print(f"{'Dry run: nothing was written. ' if args.dry_run else ''}Customers: {customers['created']} new, "
          f"{customers['updated']} filled in, {customers['unchanged']} unchanged, {len(customers['clashes'])} id clashes; "
          f"{summary['problem_count']} problems (see the summary).", file=sys.stderr)
    print(json.dumps(summary, ensure_ascii=False, default=str))
    return 0
