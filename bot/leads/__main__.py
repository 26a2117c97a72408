"""Lead housekeeping from the command line.

    python -m bot.leads retention [--days N] [--delete]

Anonymises (or deletes) leads closed more than N days ago; N defaults to LEADS_RETENTION_DAYS.
Meant for a daily cron job; it prints how many leads it changed.
"""
from __future__ import annotations

import argparse
import sys

from bot import settings
from bot.leads import store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.leads")
    commands = parser.add_subparsers(dest="command", required=True)
    keep = commands.add_parser("retention", help="anonymise or delete old closed leads")
    keep.add_argument("--days", type=int, default=settings.leads_retention_days(),
                      help="closed more than this many days ago (default: %(default)s)")
    keep.add_argument("--delete", action="store_true",
                      help="delete the leads instead of anonymising them")
    args = parser.parse_args(argv)
    if args.days < 0:
        parser.error("--days must not be negative")
    count = store.retention(args.days, remove=args.delete)
    verb = "deleted" if args.delete else "anonymised"
    print(f"retention: {count} leads closed more than {args.days} days ago {verb}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
