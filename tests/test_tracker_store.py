"""bot/tracker_store.py against Rasa's own SQL tracker store, on the same table: a long
conversation with forms, interruptions, a restart of the process and a second replica must
give the same state and the same dialogue history in its recent turns, and write the rows
Rasa writes."""
from __future__ import annotations

import asyncio
import json

import pytest
import sqlalchemy as sa
import yaml
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActiveLoop, BotUttered, LoopInterrupted,
                                     SessionStarted, SlotSet, UserUttered)

from bot import settings
from bot.tracker_store import RecentTurnsTrackerStore

DOMAIN = Domain.load(str(settings.ROOT / "domain.yml"))


def user(text: str, intent: str) -> UserUttered:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    return UserUttered(text, parse["intent"], [], parse, input_channel="rest")


def knowledge_turn(i: int) -> list:
    return [user(f"专利费减问题{i}", "ask_fee_reduction"), ActionExecuted("action_answer"),
            BotUttered(f"答复{i}"), ActionExecuted("action_listen")]


def form_turns(kind: str) -> list:
    """A lead form: started, interrupted by a knowledge question, then two answers."""
    return [
        user("我要举报侵权", "report_infringement"), ActionExecuted("action_start_lead"),
        SlotSet("lead_draft_id", f"draft-{kind}"), ActionExecuted("lead_form"),
        ActiveLoop("lead_form"), SlotSet("lead_kind", kind), SlotSet("requested_slot", "lead_what"),
        BotUttered("发生了什么？"), ActionExecuted("action_listen"),
        user("费减要什么材料", "ask_fee_reduction"), ActionExecuted("action_answer"),
        BotUttered("材料……"), ActionExecuted("lead_form"), LoopInterrupted(True),
        BotUttered("发生了什么？"), ActionExecuted("action_listen"),
        user("有人在网店卖假货", "inform"), ActionExecuted("lead_form"),
        SlotSet("lead_what", "有人在网店卖假货"), SlotSet("requested_slot", "lead_place"),
        BotUttered("在哪里？"), ActionExecuted("action_listen"),
    ]


def session_start() -> list:
    return [ActionExecuted("action_session_start"), SessionStarted(),
            ActionExecuted("action_listen")]


async def _talk(store, sender: str, chunks: list[list]) -> None:
    """Each chunk is one turn as the processor does it: retrieve, add events, save."""
    for events in chunks:
        tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
        for event in events:
            tracker.update(event)
        await store.save(tracker)


def conversation() -> list[list]:
    chunks = [session_start()]
    chunks += [knowledge_turn(i) for i in range(30)]
    form = form_turns("trademark")
    chunks += [form[:9], form[9:16], form[16:]]  # the form is still active at the end of these
    chunks += [knowledge_turn(i) for i in range(30, 35)]  # questions in the open form
    chunks += [[ActiveLoop(None), SlotSet("requested_slot", None)]]
    chunks += [knowledge_turn(i) for i in range(35, 70)]
    return chunks


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'tracker.db'}"


def rasa_store(url):
    return SQLTrackerStore(DOMAIN, host=url)


def state(tracker) -> dict:
    return {"slots": tracker.current_slot_values(),
            "active_loop": tracker.active_loop_name,
            "latest_message": tracker.latest_message.text,
            "latest_action": tracker.latest_action_name,
            "paused": tracker.is_paused(),
            "recent_states": tracker.past_states(DOMAIN)[-8:]}


def test_recent_turns_give_rasa_s_state_at_every_turn(url):
    ours, theirs = RecentTurnsTrackerStore(DOMAIN, host=url), rasa_store(url)
    sender = "long-conversation"

    async def run():
        lengths = []
        for chunk in conversation():
            await _talk(ours, sender, [chunk])
            recent, full = await ours.retrieve(sender), await theirs.retrieve(sender)
            assert state(recent) == state(full)
            lengths.append(len(recent.events))
        return lengths
    lengths = asyncio.run(run())
    assert max(lengths[-20:]) <= ours.load_events + ours.keep_events + 5  # bounded …
    assert len(asyncio.run(theirs.retrieve(sender)).events) > 300  # … while the session grows


def test_an_open_form_keeps_its_start_in_the_window(url):
    store = RecentTurnsTrackerStore(DOMAIN, host=url, keep_events=8, load_events=12)
    sender = "form-open"
    chunks = [session_start()] + [knowledge_turn(i) for i in range(10)]
    form = form_turns("patent")
    chunks += [form[:9]] + [knowledge_turn(i) for i in range(10, 25)]  # form open all along
    asyncio.run(_talk(store, sender, chunks))
    tracker = asyncio.run(store.retrieve(sender))
    assert tracker.active_loop_name == "lead_form"
    assert any(isinstance(e, ActiveLoop) and e.name == "lead_form" for e in tracker.events)
    assert tracker.get_slot("lead_kind") == "patent"


def test_rows_are_the_rows_rasa_writes(tmp_path):
    ours_url = f"sqlite:///{tmp_path / 'ours.db'}"
    theirs_url = f"sqlite:///{tmp_path / 'theirs.db'}"
    chunks = conversation()[:40]
    asyncio.run(_talk(RecentTurnsTrackerStore(DOMAIN, host=ours_url), "s", chunks))
    asyncio.run(_talk(rasa_store(theirs_url), "s", chunks))

    def rows(url):
        with sa.create_engine(url).connect() as conn:
            return [(r.sender_id, r.type_name, r.intent_name, r.action_name,
                     {k: v for k, v in json.loads(r.data).items() if k != "timestamp"})
                    for r in conn.execute(sa.text("select * from events order by id"))]
    assert rows(ours_url) == rows(theirs_url)


def test_a_restarted_process_and_a_second_replica_read_the_same(url):
    first = RecentTurnsTrackerStore(DOMAIN, host=url)
    asyncio.run(_talk(first, "r", conversation()[:45]))
    second = RecentTurnsTrackerStore(DOMAIN, host=url)  # knows no boundary yet
    asyncio.run(_talk(second, "r", conversation()[45:60]))
    a, b = asyncio.run(first.retrieve("r")), asyncio.run(second.retrieve("r"))
    full = asyncio.run(rasa_store(url).retrieve("r"))
    assert state(a) == state(b) == state(full)


def test_a_new_session_starts_afresh(url):
    store = RecentTurnsTrackerStore(DOMAIN, host=url, keep_events=8, load_events=12)
    chunks = conversation()[:40] + [session_start(), knowledge_turn(99)]
    asyncio.run(_talk(store, "n", chunks))
    tracker = asyncio.run(store.retrieve("n"))
    assert tracker.get_slot("lead_kind") is None  # carry_over_slots_to_new_session: false
    assert isinstance(tracker.events[0], SessionStarted)
    assert state(tracker) == state(asyncio.run(rasa_store(url).retrieve("n")))


def test_the_full_tracker_is_still_all_of_it(url):
    store = RecentTurnsTrackerStore(DOMAIN, host=url)
    asyncio.run(_talk(store, "f", conversation()))
    full = asyncio.run(store.retrieve_full_tracker("f"))
    assert len(full.events) == sum(len(c) for c in conversation())


def test_no_rule_depends_on_the_conversation_start():
    """The store hands over recent turns only: a conversation_start rule would misfire."""
    for path in (settings.ROOT / "data").rglob("*.yml"):
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules", []):
            assert not rule.get("conversation_start"), f"{path.name}: {rule.get('rule')}"
