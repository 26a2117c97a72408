"""The action server's shared services: the knowledge base, the lead store and the call-back
store, one each."""
from __future__ import annotations

import logging

import knowledge
from bot import settings
from bot.leads.callbacks import CallbackStore
from bot.leads.store import LeadStore
from knowledge.storage import database

logger = logging.getLogger(__name__)

KNOWLEDGE = knowledge.open(settings.database_url(), settings.KNOWLEDGE_DATA_DIR, settings.today)
LEADS = LeadStore(database(settings.database_url()))
CALLBACKS = CallbackStore(database(settings.database_url()))


def warm_up() -> None:
    """Builds the search index at start-up rather than on the first citizen's question."""
    try:
        KNOWLEDGE.warm_up()
    except Exception:  # an empty database: the first question will say so loudly
        logger.exception("knowledge base not ready; run `make kb`")
