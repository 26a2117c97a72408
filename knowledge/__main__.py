"""Staff commands.

    python -m knowledge build            validate the data files and reload the database
    python -m knowledge check            validate only
    python -m knowledge search "费减 材料"  top answers with source and confidence
"""
from __future__ import annotations

import argparse
import sys

from knowledge import without_tensorflow

without_tensorflow()

from bot import settings
from knowledge import db, loader
from knowledge import nlp as kb_nlp
from knowledge.search import build_index
from knowledge.service import source_line
from knowledge.models import Answer
from knowledge.text import normalise


def user_words(data: loader.KnowledgeData) -> list[str]:
    words = [normalise(v) for _, _, v in data.terms]
    for d in data.divisions:
        words += [normalise(x) for x in [d["name"], *d["aliases"]]]
    return words


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build")
    sub.add_parser("check")
    p_search = sub.add_parser("search")
    p_search.add_argument("query", nargs="+")
    p_search.add_argument("-k", type=int, default=3)
    args = parser.parse_args(argv)

    if args.cmd in ("build", "check"):
        try:
            read = loader.load if args.cmd == "build" else loader.read_data
            data = read(settings.KNOWLEDGE_DATA_DIR)
        except loader.LoadError as err:
            print("知识库文件有错误，数据库未作任何改动：", file=sys.stderr)
            for problem in err.problems:
                print("  " + problem, file=sys.stderr)
            return 1
        if args.cmd == "build":
            kb_nlp.write_user_dictionary(user_words(data), settings.JIEBA_DICT_DIR)
        print(f"{args.cmd}: {len(data.answers)} answers, {len(data.sources)} sources, "
              f"{len(data.service_points)} service points, version {data.version}")
        due = loader.due_for_review(data, settings.today())
        print(f"due for review (re-check against the source, then set last_verified): {len(due)}")
        for review in due:
            print(f"  {review}")
        return 0

    query = " ".join(args.query)
    with db.session() as s:
        index = build_index(s, settings.today())
        hits = index.search(query, k=args.k)
        if not hits:
            print("没有找到相关答案。")
            return 1
        for rank, hit in enumerate(hits, 1):
            a = s.get(Answer, hit.answer_id)
            print(f"{rank}. [{a.id}] {a.title}  (匹配度 {hit.coverage:.2f})")
            print("   " + a.short.replace("\n", "\n   "))
            print("   " + source_line(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())
