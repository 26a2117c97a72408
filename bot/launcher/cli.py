"""`python -m bot <command>`: the one command line of the application (the Makefile calls it).

    run                  start everything on localhost (make run)
    train [--force]      train the Rasa model when its inputs changed (make train)
    migrate              bring the application database to the newest schema
    kb [--check]         validate knowledge/data/ and load it (make kb); --check: validate only;
       [--overwrite]     replace answers edited in the staff portal by the files' version
       [--export [DIR]]  write the published answers to DIR (default knowledge/data/answers/)
    search QUERY         the best answers with source and confidence, as staff see them
    portal               the portal alone (widget, ratings, staff pages)
    forwarder            send new leads to LEADS_FORWARD_URL until stopped
    retention            personal data out of every store whose period ended (daily)
    staff create-admin USERNAME --name 姓名    the first administrator (asks for a password)
    staff reset-password USERNAME              a one-time password, when no admin can sign in
    nlu-report           intent accuracy on the NLU dev and test splits; fails under the bar
    validate             rasa data validate, strict (warnings fail; see validate.py)
    prod up|down|…       the production shape on this machine (bot/deploy/cli.py)

Heavy modules are imported inside each command: the portal, the staff commands and the
forwarder must block TensorFlow before anything imports spaCy.
"""
from __future__ import annotations

import argparse
import sys

from bot import settings


def _kb(args) -> int:
    from knowledge import LoadError, check, build, export
    from bot.migrations import upgrade
    from knowledge.editing import Refused
    from knowledge.loader import due_for_review
    from knowledge.nlp import user_words, write_user_dictionary
    if args.export is not None:
        upgrade(settings.database_url())
        written = export(settings.database_url(), args.export or settings.KNOWLEDGE_ANSWERS_DIR)
        print(f"export: {len(written)} files")
        for path in written:
            print(f"  {path}")
        return 0
    try:
        if args.check:
            data = check(settings.KNOWLEDGE_DATA_DIR)
        else:
            upgrade(settings.database_url())
            data = build(settings.database_url(), settings.KNOWLEDGE_DATA_DIR, args.overwrite)
            write_user_dictionary(user_words(data), settings.JIEBA_DICT_DIR)
    except LoadError as err:
        print("知识库文件有错误，数据库未作任何改动：", file=sys.stderr)
        for problem in err.problems:
            print("  " + problem, file=sys.stderr)
        return 1
    except Refused as err:
        print("这些答复在工作台修改过，与文件不同；数据库未作任何改动：", file=sys.stderr)
        for problem in err.problems:
            print("  " + problem, file=sys.stderr)
        return 1
    print(f"{'check' if args.check else 'build'}: {len(data.answers)} answers, "
          f"{len(data.sources)} sources, {len(data.service_points)} service points, "
          f"{len(data.fees.fees)} fees, {len(data.fees.rules)} fee rules, "
          f"{len(data.fees.kinds)} applicant kinds, version {data.version}")
    due = due_for_review(data, settings.today())
    print(f"due for review (re-check against the source, then set last_verified): {len(due)}")
    for review in due:
        print(f"  {review}")
    return 0


def _search(args) -> int:
    import knowledge
    kb = knowledge.open(settings.database_url(), settings.KNOWLEDGE_DATA_DIR, settings.today)
    found = kb.search(" ".join(args.query), k=args.k)
    if not found:
        print("没有找到相关答案。")
        return 1
    for rank, f in enumerate(found, 1):
        print(f"{rank}. [{f.id}] {f.title}  (匹配度 {f.match:.2f})")
        print("   " + f.answer.replace("\n", "\n   "))
        print("   " + f.source)
    return 0


def _retention(args) -> int:
    from bot.privacy import retention
    from knowledge.storage import database
    try:
        periods = retention.Periods.configured()
    except ValueError as err:  # a period set below its minimum
        print(f"retention: {err}", file=sys.stderr)
        return 2
    report = retention.run(database(settings.database_url()), settings.tracker_db_url(),
                           periods, remove_cases=args.delete)
    for line in report.lines():
        print(f"retention: {line}")
    return 1 if report.failed else 0


def _cli_actor():
    import getpass
    from bot.portal.audit import Actor
    return Actor(username=f"cli:{getpass.getuser()}"[:64], role=None, via="cli")


def _password(args) -> str | None:
    import getpass
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("新密码（至少10位，含大写、小写、数字、符号中的三类）：")
    if first != getpass.getpass("再输一次："):
        print("两次输入不一致。", file=sys.stderr)
        return None
    return first


def _staff(args) -> int:
    from bot.migrations import upgrade
    from bot.portal import accounts
    from knowledge.storage import database
    upgrade(settings.database_url())
    db = database(settings.database_url())
    try:
        if args.staff_cmd == "create-admin":
            password = _password(args)
            if password is None:
                return 1
            accounts.create(db, _cli_actor(), args.username, args.name, "admin", password)
            print(f"administrator {args.username} created; sign in at /staff/login")
            return 0
        found = [a for a, _ in accounts.accounts(db) if a.username == args.username.lower()]
        if not found:
            print(f"no account {args.username}", file=sys.stderr)
            return 1
        password = accounts.administer(db, _cli_actor(), found[0].id, reset_password=True,
                                   unlock=True)
        print(f"one-time password for {found[0].username} (must be changed at sign-in): "
              f"{password}")
        return 0
    except accounts.AccountError as err:
        print(err, file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("run")
    sub.add_parser("train").add_argument("--force", action="store_true")
    sub.add_parser("migrate")
    p_kb = sub.add_parser("kb")
    p_kb.add_argument("--check", action="store_true")
    p_kb.add_argument("--overwrite", action="store_true",
                      help="replace answers edited in the staff portal by the files' version")
    p_kb.add_argument("--export", nargs="?", const="", metavar="DIR",
                      help="write the published answers in the files' format "
                           "(default knowledge/data/answers/)")
    p_search = sub.add_parser("search")
    p_search.add_argument("query", nargs="+")
    p_search.add_argument("-k", type=int, default=3)
    sub.add_parser("portal")
    sub.add_parser("forwarder")
    p_keep = sub.add_parser("retention", help="personal data out of every store whose "
                                              "period ended (README: retention table)")
    p_keep.add_argument("--delete", action="store_true",
                        help="delete closed leads and call-backs instead of anonymising them")
    p_staff = sub.add_parser("staff", help="staff accounts from the server's command line")
    staff_sub = p_staff.add_subparsers(dest="staff_cmd", required=True)
    p_admin = staff_sub.add_parser("create-admin", help="an administrator account")
    p_admin.add_argument("username")
    p_admin.add_argument("--name", required=True, help="the person's name, shown in the log")
    p_admin.add_argument("--password-stdin", action="store_true",
                         help="read the password from the first line of stdin")
    p_reset = staff_sub.add_parser("reset-password", help="a one-time password (and unlock)")
    p_reset.add_argument("username")
    sub.add_parser("nlu-report")
    sub.add_parser("validate")
    sub.add_parser("prod").add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    if args.cmd in ("kb", "search", "portal", "forwarder", "retention", "migrate", "staff"):
        from knowledge import without_tensorflow
        without_tensorflow()  # before anything below imports spaCy
    if args.cmd == "prod":
        from bot.deploy.cli import main as prod
        return prod(args.rest)
    if args.cmd == "run":
        from bot.launcher.servers import run
        return run()
    if args.cmd == "train":
        import subprocess
        from bot.launcher.train import train
        try:
            train(force=args.force)
        except subprocess.CalledProcessError as err:
            return err.returncode
        return 0
    if args.cmd == "migrate":
        from bot.migrations import upgrade
        before, after = upgrade(settings.database_url())
        print(f"migrated from {before or 'an empty database'} to {after}" if before != after
              else f"already at revision {after}: nothing to do")
        return 0
    if args.cmd == "kb":
        return _kb(args)
    if args.cmd == "search":
        return _search(args)
    if args.cmd == "portal":
        from bot.portal.app import main as serve
        serve()
        return 0
    if args.cmd == "forwarder":
        from bot.leads.forwarder import main as forward
        return forward()
    if args.cmd == "retention":
        return _retention(args)
    if args.cmd == "staff":
        return _staff(args)
    if args.cmd == "nlu-report":
        from bot.launcher.nlu_report import report
        return report()
    if args.cmd == "validate":
        from bot.launcher.validate import validate
        return validate()
    parser.error(f"unknown command {args.cmd}")
    return 2
