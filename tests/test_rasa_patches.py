"""bot/rasa_patches.py: each patched Rasa function answers exactly as the original, and the
module refuses any Rasa version it was not checked against."""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

from bot import rasa_patches

rasa_patches.apply()


def test_other_rasa_versions_are_refused():
    rasa_patches.check_version("3.6.21")
    for other in ("3.6.20", "3.6.22", "3.7.0", "4.0.0"):
        with pytest.raises(rasa_patches.RasaVersionError, match="3.6.21"):
            rasa_patches.check_version(other)


def test_the_installed_rasa_is_the_checked_one():
    import rasa
    assert rasa.__version__ == rasa_patches.RASA_VERSION


GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "lead_kind", "value": "trademark"}],
     "responses": [{"text": "答复", "buttons": [{"title": "t", "payload": "/p"}]}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "x"}]},
]
BAD = [
    {"events": "not a list"},
    {"events": [{"event": "slot"}]},  # no name
    {"events": [{"event": "no_such_event"}]},
    {"responses": "text"},
]


@pytest.mark.parametrize("reply", GOOD)
def test_valid_action_replies_pass_as_before(reply):
    action = RemoteAction("action_answer", None)
    original = rasa_patches.ORIGINALS["RemoteAction._validate_action_result"]
    assert original(action, reply) is True
    assert action._validate_action_result(reply) is True


@pytest.mark.parametrize("reply", BAD)
def test_invalid_action_replies_fail_with_rasa_s_message(reply):
    action = RemoteAction("action_answer", None)
    original = rasa_patches.ORIGINALS["RemoteAction._validate_action_result"]
    with pytest.raises(jsonschema.ValidationError) as theirs:
        original(action, reply)
    with pytest.raises(jsonschema.ValidationError) as ours:
        action._validate_action_result(reply)
    assert ours.value.message == theirs.value.message
    assert "Failed to validate Action server response" in ours.value.message


def test_event_types_resolve_as_before():
    original = rasa_patches.ORIGINALS["Event.resolve_by_type"]
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert len(names) > 15
    for name in sorted(names) * 2:  # the second round comes from the cache
        assert Event.resolve_by_type(name) is original(name)
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=Event) is Event
    assert Event.resolve_by_type("topic") is None


def test_applying_twice_patches_once():
    patched = Event.resolve_by_type
    rasa_patches.apply()
    assert Event.resolve_by_type is patched
