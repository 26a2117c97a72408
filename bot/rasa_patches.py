"""The one place where Rasa's internals are changed, and why each change is safe.

Checked against Rasa Open Source 3.6.21 (rasa-sdk is not patched). `apply()` refuses to
start with any other Rasa version: each patch replaces a private method whose code was read
in exactly that version, and a silent mismatch would be worse than a loud start-up failure.
Re-read the patched functions (named in each patch) before changing RASA_VERSION.

How every Rasa process loads it: Rasa imports the modules config.yml, endpoints.yml and
credentials.yml name, and each of ours calls `apply()` at import:
  - `bot.nlu` (config.yml's tokenizer and entity extractor): every process that loads or
    trains the model — `rasa run`, `rasa shell`, `rasa test`, `rasa train`, `rasa interactive`;
  - `bot.tracker_store` (endpoints.yml) and `bot.channels.rest` (credentials.yml): `rasa run`.
`apply()` runs once per process, whichever comes first. The action server (rasa-sdk) does not
import Rasa and needs no patch. Nothing here changes what Rasa decides or stores; tests in
tests/test_rasa_patches.py compare every patched function with the original.

The patches (costs measured with bench/latency.py and py-spy, README "What a turn costs"):
  1. RemoteAction._validate_action_result: `jsonschema.validate()` first checks the large
     events schema against its meta-schema, on every action call (≈ 20–28 ms). The schema is
     a constant, so it is checked once and one validator is kept (≈ 0.3 ms per call). The same
     ValidationError, with the same message, is raised for a bad reply.
  2. Event.resolve_by_type: walks every Event subclass for every stored event it rebuilds
     (≈ 15–22 ms for 600 events). The lookup is cached per type name; a name not found is
     looked up the original way every time (new subclasses may be imported later).
"""
from __future__ import annotations

import functools
import logging
from typing import Any, Callable

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"
ORIGINALS: dict[str, Callable] = {}  # what each patch replaced, for the tests to compare
_applied = False


class RasaVersionError(RuntimeError):
    pass


def check_version(installed: str | None = None) -> None:
    if installed is None:
        import rasa
        installed = rasa.__version__
    if installed != RASA_VERSION:
        raise RasaVersionError(
            f"bot/rasa_patches.py was checked against Rasa {RASA_VERSION}, but Rasa "
            f"{installed} is installed. Re-read every patched function in the new version, "
            f"then update RASA_VERSION (or remove the patch the new version no longer needs).")


def _validate_action_result(self, result: dict[str, Any]) -> bool:
    """Rasa 3.6.21 `RemoteAction._validate_action_result` with the validator built once."""
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL
    try:
        _action_result_validator(type(self)).validate(result)
        return True
    except ValidationError as e:
        e.message += (  # word for word as Rasa 3.6.21 words it
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise e


@functools.lru_cache(maxsize=None)
def _action_result_validator(action_class: type):
    from jsonschema.validators import validator_for
    schema = action_class.action_response_format_spec()
    validator = validator_for(schema)
    validator.check_schema(schema)  # what jsonschema.validate() did on every call
    return validator(schema)


def _cached_resolve_by_type(original: Callable) -> Callable:
    found: dict[str, type] = {}

    def resolve_by_type(type_name, default=None):
        cls = found.get(type_name)
        if cls is not None:
            return cls
        cls = original(type_name, default)
        if cls is not None and cls is not default:
            found[type_name] = cls
        return cls

    resolve_by_type.__wrapped__ = original
    return resolve_by_type


def apply() -> None:
    """Checks the Rasa version, then patches; once per process."""
    global _applied
    if _applied:
        return
    check_version()
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event

    ORIGINALS["RemoteAction._validate_action_result"] = RemoteAction._validate_action_result
    ORIGINALS["Event.resolve_by_type"] = Event.resolve_by_type
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_cached_resolve_by_type(Event.resolve_by_type))
    _applied = True
    logger.debug("Rasa %s patched (bot/rasa_patches.py)", RASA_VERSION)
