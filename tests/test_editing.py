"""Answer versions and their approval (knowledge/editing.py): the loader's rules on every
draft, a second person approves, stale drafts refused, publishing reaches a running service
within its check interval, new rules supersede old ones, rollback, and the data files as the
import/export format."""
from __future__ import annotations

import datetime as dt
import shutil
import time

import pytest
from sqlalchemy import func, select

import knowledge
from knowledge import editing, loader
from knowledge.answer_rules import MAX_SHORT, content_of
from knowledge.models import Answer, AnswerVersion, KbMeta
from knowledge.service import CHECK_EVERY_S
from knowledge.storage import database
from tests.conftest import DATA_DIR, fresh_database

AID = "fee_reduction.eligibility"
NEW_TEXT = "（测试修改）专利费减的条件：个人上年度收入低于6万元，企业上年度应纳税所得额低于100万元。"


@pytest.fixture
def url(tmp_path):
    url = fresh_database(tmp_path)
    knowledge.build(url, DATA_DIR)
    return url


def _current(url, aid=AID) -> AnswerVersion:
    return editing.current(database(url), aid)


def _edit(url, author="alice", aid=AID, **changes) -> int:
    cur = _current(url, aid)
    return editing.save_draft(database(url), {**cur.content, **changes}, author, cur.id)


def _short(url, aid=AID) -> str:
    with database(url).session() as s:
        return s.get(Answer, aid).short


def _versions(url) -> int:
    with database(url).session() as s:
        return s.execute(select(func.count()).select_from(AnswerVersion)).scalar()


def _kb_version(url) -> str:
    with database(url).session() as s:
        return s.execute(select(KbMeta.value).where(KbMeta.key == "version")).scalar()


def test_the_files_are_imported_as_published_versions_once(url):
    data = loader.read_data(DATA_DIR)
    with database(url).session() as s:
        rows = s.execute(select(AnswerVersion)).scalars().all()
    assert {v.answer_id for v in rows} == {a["id"] for a in data.answers}
    assert {(v.state, v.origin, v.number) for v in rows} == {("published", "import", 1)}
    before = (_versions(url), _kb_version(url))
    knowledge.build(url, DATA_DIR)  # the same files again: nothing changes
    assert (_versions(url), _kb_version(url)) == before


@pytest.mark.parametrize("changes, field", [
    ({"short": "很" * (MAX_SHORT + 1)}, "short"),
    ({"source": "no-such-source"}, "source"),
    ({"source": "cnipa-order-85", "confidence": "H"}, "confidence"),  # the source is M
    ({"confidence": "X"}, "confidence"),
    ({"in_force_from": "2026-05-01", "in_force_until": "2026-04-30"}, "in_force_until"),
    ({"in_force_from": "2026-02-30"}, "in_force_from"),
    ({"next": ["fee_reduction.no_such_answer"]}, "next"),
    ({"questions": ["只有一个问法"]}, "questions"),
    ({"title": ""}, "title"),
    ({"last_verified": None}, "last_verified"),
    ({"review_days": 0}, "review_days"),
])
def test_a_draft_obeys_the_loaders_rules_and_the_error_names_the_field(url, changes, field):
    with pytest.raises(editing.Invalid) as err:
        _edit(url, **changes)
    assert field in {p.field for p in err.value.problems}
    assert _versions(url) == len(loader.read_data(DATA_DIR).answers)  # nothing saved


def test_a_new_record_needs_a_well_formed_id_in_a_known_topic(url):
    base = {**_current(url).content, "id": "fee_reduction.Bad Id"}
    with pytest.raises(editing.Invalid) as err:
        editing.save_draft(database(url), base, "alice")
    assert "id" in {p.field for p in err.value.problems}
    with pytest.raises(editing.Invalid) as err:
        editing.save_draft(database(url), {**base, "id": "nosuch.topic_x", "topic": "nosuch"},
                           "alice")
    assert "topic" in {p.field for p in err.value.problems}
    with pytest.raises(editing.EditError, match="已有答复"):
        editing.save_draft(database(url), {**base, "id": AID}, "alice")


def test_only_another_person_approves_and_publishing_reaches_a_running_service(url):
    db = database(url)
    service = knowledge.open(url, DATA_DIR, lambda: dt.date(2026, 11, 26))
    assert NEW_TEXT not in service.reply_for(AID).text
    draft = _edit(url, short=NEW_TEXT)
    assert NEW_TEXT not in _short(url)  # a draft is not published
    with pytest.raises(editing.EditError, match="不能审核自己"):
        editing.approve(db, draft, "alice")
    version = editing.approve(db, draft, "bob")
    assert (version.state, version.reviewer, version.author, version.number) == \
        ("published", "bob", "alice", 2)
    assert _short(url) == NEW_TEXT
    time.sleep(CHECK_EVERY_S + 0.1)
    reply = service.answer("专利费减的条件是什么")
    assert reply.answer_id == AID and reply.text.startswith(NEW_TEXT)
    with pytest.raises(editing.EditError, match="已处理"):
        editing.approve(db, draft, "carol")


def test_a_draft_based_on_an_older_version_cannot_be_approved(url):
    db = database(url)
    first, second = _edit(url, short=NEW_TEXT), _edit(url, author="dan", short=NEW_TEXT + "乙")
    editing.approve(db, first, "bob")
    with pytest.raises(editing.Stale, match="过期"):
        editing.approve(db, second, "bob")
    assert _short(url) == NEW_TEXT
    with pytest.raises(editing.Stale):  # and a new draft must start from the current version
        editing.save_draft(db, {**_current(url).content, "short": "再改"}, "dan",
                           editing.get(db, first)[1].id)


def test_sending_back_needs_a_reason_and_publishes_nothing(url):
    db = database(url)
    draft = _edit(url, short=NEW_TEXT)
    with pytest.raises(editing.EditError, match="理由"):
        editing.send_back(db, draft, "bob", "  ")
    with pytest.raises(editing.EditError, match="不能审核自己"):
        editing.send_back(db, draft, "alice", "自己退回")
    version = editing.send_back(db, draft, "bob", "数字没有来源，请核对")
    assert (version.state, version.comment) == ("rejected", "数字没有来源，请核对")
    assert NEW_TEXT not in _short(url)
    assert [v.id for v in editing.drafts(db, "rejected")] == [draft]


def test_history_shows_who_wrote_who_approved_and_the_diff(url):
    db = database(url)
    editing.approve(db, _edit(url, short=NEW_TEXT), "bob")
    rows = editing.history(db, AID)
    assert [(v.number, v.origin, v.author, v.reviewer) for v, _ in rows] == \
        [(2, "portal", "alice", "bob"), (1, "import", "make kb", "make kb")]
    lines = rows[0][1]
    assert f"+short: {NEW_TEXT}" in lines
    assert any(line.startswith("-short: ") for line in lines)
    assert all(line[0] in "+-" for line in lines)  # only what changed


def test_rollback_publishes_the_earlier_content_as_a_new_version(url):
    db = database(url)
    original = _short(url)
    first = _current(url).id
    editing.approve(db, _edit(url, short=NEW_TEXT), "bob")
    version_before = _kb_version(url)
    with pytest.raises(editing.EditError, match="相同"):
        editing.rollback(db, AID, _current(url).id, "bob")
    version = editing.rollback(db, AID, first, "bob")
    assert (version.number, version.origin, version.state) == (3, "rollback", "published")
    assert version.comment == "回退到第1版"
    assert _short(url) == original and _kb_version(url) != version_before
    draft = _edit(url, short=NEW_TEXT + "丙")
    with pytest.raises(editing.EditError, match="以前发布过"):
        editing.rollback(db, AID, draft, "bob")  # a draft was never published


def test_a_new_rule_supersedes_the_old_one_from_its_first_day(url):
    db = database(url)
    old = _current(url)
    new = {**old.content, "id": "fee_reduction.eligibility_2027",
           "title": "专利费减条件（2027年起）",
           "short": "（测试新规）自2027年1月1日起，专利费减条件按新办法执行。",
           "in_force_from": "2027-01-01", "questions": ["2027年专利费减条件", "新的费减条件"]}
    with pytest.raises(editing.Invalid) as err:
        editing.save_draft(db, {**new, "in_force_from": None}, "alice", supersedes=AID)
    assert {p.field for p in err.value.problems} == {"in_force_from"}
    draft = editing.save_draft(db, new, "alice", supersedes=AID)
    editing.approve(db, draft, "bob")
    ended = _current(url)
    assert (ended.origin, ended.number, ended.reviewer) == ("supersede", 2, "bob")
    assert (ended.content["in_force_until"], ended.content["superseded_by"]) == \
        ("2026-12-31", new["id"])
    before = knowledge.open(url, DATA_DIR, lambda: dt.date(2026, 12, 31))
    after = knowledge.open(url, DATA_DIR, lambda: dt.date(2027, 1, 1))
    assert before.reply_for(AID).answer_id == AID
    assert after.reply_for(AID).answer_id == new["id"]  # an old button follows superseded_by
    assert after.reply_for(AID).text.startswith("（测试新规）")


def test_a_topic_overview_cannot_be_superseded_into_expiry(url):
    db = database(url)
    overview = _current(url, "fee_reduction.overview").content
    new = {**overview, "id": "fee_reduction.overview_2027", "in_force_from": "2027-01-01"}
    with pytest.raises(editing.Invalid, match="cannot expire"):
        editing.save_draft(db, new, "alice", supersedes="fee_reduction.overview")


def test_a_phrasing_from_an_unanswered_question_goes_through_approval(url):
    db = database(url)
    question = "夫妻俩合伙开网店能不能少交专利钱"
    service = knowledge.open(url, DATA_DIR, lambda: dt.date(2026, 11, 26))
    assert service.answer(question).answer_id != AID
    draft = editing.propose_phrasing(db, AID, question, "alice")
    version, base = editing.get(db, draft)
    assert (version.origin, version.state, base.number) == ("unanswered", "draft", 1)
    assert version.content["questions"][-1] == question
    with pytest.raises(editing.EditError, match="已经在"):
        editing.propose_phrasing(db, AID, "专利费减的条件是什么", "alice")
    editing.approve(db, draft, "bob")
    time.sleep(CHECK_EVERY_S + 0.1)
    assert service.answer(question).answer_id == AID


def _copy(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    return data


def test_a_file_edit_of_a_record_from_the_files_becomes_a_new_import_version(url, tmp_path):
    data = _copy(tmp_path)
    path = data / "answers" / "fee_reduction.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("      - 专利费减的条件是什么\n",
                                 "      - 专利费减的条件是什么\n      - 文件里新加的问法\n", 1),
                    encoding="utf-8")
    knowledge.build(url, data)
    cur = _current(url)
    assert (cur.number, cur.origin) == (2, "import")
    assert "文件里新加的问法" in cur.content["questions"]


def test_the_build_refuses_to_overwrite_portal_edits_unless_told_to(url, tmp_path):
    db = database(url)
    editing.approve(db, _edit(url, short=NEW_TEXT), "bob")
    new = {**_current(url).content, "id": "fee_reduction.portal_only", "title": "工作台新增",
           "questions": ["工作台新增的问法一", "工作台新增的问法二"], "next": []}
    editing.approve(db, editing.save_draft(db, new, "alice"), "bob")
    before = (_versions(url), _kb_version(url))
    with pytest.raises(editing.Refused) as err:
        knowledge.build(url, DATA_DIR)
    text = str(err.value)
    assert f"[{AID}]" in text and "[fee_reduction.portal_only]" in text and "--overwrite" in text
    assert (_versions(url), _kb_version(url)) == before and _short(url) == NEW_TEXT
    # exporting first keeps the portal's work: the exported files build without refusal
    data = _copy(tmp_path)
    knowledge.export(url, data / "answers")
    knowledge.build(url, data)
    assert (_versions(url), _short(url)) == (before[0], NEW_TEXT)
    knowledge.build(url, DATA_DIR, overwrite=True)
    cur = _current(url)
    assert (cur.origin, cur.number) == ("import", 3) and _short(url) != NEW_TEXT
    assert _current(url, "fee_reduction.portal_only").state == "withdrawn"
    with db.session() as s:
        assert s.get(Answer, "fee_reduction.portal_only") is None


def _records(data_dir) -> dict[str, dict]:
    return {a["id"]: content_of(a) for a in loader.read_data(data_dir).answers}


def test_export_writes_records_equal_to_the_files(url, tmp_path):
    data = _copy(tmp_path)
    for path in (data / "answers").glob("*.yml"):
        path.unlink()
    written = knowledge.export(url, data / "answers")
    assert sorted(p.name for p in written) == sorted(
        p.name for p in (DATA_DIR / "answers").glob("*.yml"))
    assert _records(data) == _records(DATA_DIR)


def test_export_then_build_on_an_empty_database_gives_the_same_records(url, tmp_path):
    db = database(url)
    editing.approve(db, _edit(url, short=NEW_TEXT), "bob")
    data = _copy(tmp_path)
    knowledge.export(url, data / "answers")
    other = fresh_database(tmp_path, "other.db")
    knowledge.build(other, data)
    with db.session() as s:
        mine = editing.published_contents(s)
    with database(other).session() as s:
        theirs = editing.published_contents(s)
    assert theirs == mine and NEW_TEXT in {c["short"] for c in theirs}


def test_records_due_for_review_or_expiring_soon(url):
    db = database(url)
    latest = max(a["last_verified"] for a in loader.read_data(DATA_DIR).answers)
    assert editing.due(db, latest + dt.timedelta(days=1), soon_days=0) == []
    due = editing.due(db, latest + dt.timedelta(days=30), default_days=20, soon_days=0)
    assert AID in {d.answer_id for d in due} and {d.reason for d in due} == {"review"}
    editing.approve(db, _edit(url, in_force_until="2026-12-20"), "bob")
    soon = editing.due(db, dt.date(2026, 12, 1), soon_days=30)
    assert [(d.answer_id, d.reason, d.date) for d in soon if d.answer_id == AID] == \
        [(AID, "expiring", dt.date(2026, 12, 20))]
    assert AID not in {d.answer_id for d in editing.due(db, dt.date(2026, 12, 21))}


def test_the_command_line_refuses_exports_and_overwrites(url, tmp_path, monkeypatch, capsys):
    from bot import settings
    from bot.launcher.cli import main
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr(settings, "JIEBA_DICT_DIR", tmp_path / "jieba")
    editing.approve(database(url), _edit(url, short=NEW_TEXT), "bob")
    assert main(["kb"]) == 1
    err = capsys.readouterr().err
    assert "工作台修改过" in err and f"[{AID}]" in err and "--overwrite" in err
    assert _short(url) == NEW_TEXT
    assert main(["kb", "--export", str(tmp_path / "out")]) == 0
    assert "export: 9 files" in capsys.readouterr().out
    assert NEW_TEXT in (tmp_path / "out" / "fee_reduction.yml").read_text(encoding="utf-8")
    assert main(["kb", "--overwrite"]) == 0
    assert _short(url) != NEW_TEXT and _current(url).origin == "import"
