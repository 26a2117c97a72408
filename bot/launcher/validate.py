"""`rasa data validate --fail-on-warnings`, minus the warnings Rasa 3.6 gives about valid data.

Rasa 3.6's validator only counts a response as used when a story or rule names it. Three kinds of
responses are used without that, and it warns about each: the questions forms ask
(`utter_ask_<slot>`, asked by the form itself), responses an action sends by name
(`dispatcher.utter_message(response="utter_x")`), and `utter_default`, which Rasa's own
`action_default_fallback` sends. Those warnings — and only those — are accepted here; any other
warning or error fails, naming it.
"""
from __future__ import annotations

import re
import warnings

from bot import settings

UNUSED = re.compile(r"The utterance '(\w+)' is not used in any story or rule\.")
SENT_BY_ACTION = re.compile(r"""response\s*=\s*["'](utter_\w+)["']""")
RASA_DEFAULTS = {"utter_default"}  # action_default_fallback sends it


def used_outside_stories(domain) -> set[str]:
    """Responses forms, actions and Rasa's default actions send without a story naming them."""
    used = set(RASA_DEFAULTS)
    for form, spec in domain.forms.items():
        for slot in spec.get("required_slots", []):
            used |= {f"utter_ask_{slot}", f"utter_ask_{form}_{slot}"}
    for path in (settings.ROOT / "actions").glob("*.py"):
        used |= set(SENT_BY_ACTION.findall(path.read_text(encoding="utf-8")))
    return used


def validate() -> int:
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    importer = TrainingDataImporter.load_from_config(
        config_path=str(settings.ROOT / "config.yml"),
        domain_path=str(settings.ROOT / "domain.yml"),
        training_data_paths=[str(settings.ROOT / "data")])
    validator = Validator.from_importer(importer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        checks = [validator.verify_domain_validity(),
                  validator.verify_actions_in_stories_rules(),
                  validator.verify_forms_in_stories_rules(),
                  validator.verify_form_slots(),
                  validator.verify_slot_mappings(),
                  validator.verify_nlu(ignore_warnings=True),
                  validator.verify_story_structure(ignore_warnings=True)]
    accepted = used_outside_stories(validator.domain)
    problems = []
    for w in caught:
        text = str(w.message)
        unused = UNUSED.search(text)
        if unused and unused.group(1) in accepted:
            continue
        if issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning)):
            continue  # library internals, not our data
        problems.append(text.splitlines()[0])
    for problem in problems:
        print(f"validate: {problem}")
    if not all(checks) or problems:
        print(f"validate: FAILED ({len(problems)} warnings, "
              f"{sum(not ok for ok in checks)} failed checks)")
        return 1
    print("validate: domain, NLU data, stories and rules are consistent")
    return 0
