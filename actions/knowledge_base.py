"""The action server's one knowledge-base service, shared by every action module."""
from __future__ import annotations

import logging

from bot import settings
from knowledge.loader import read_topics
from knowledge.service import KnowledgeService

logger = logging.getLogger(__name__)

SERVICE = KnowledgeService()
SERVICE.set_topics(read_topics(settings.KNOWLEDGE_DATA_DIR))


def warm_up() -> None:
    """Builds the search index at start-up rather than on the first citizen's question."""
    try:
        SERVICE.snapshot()
    except Exception:  # an empty database: the first question will say so loudly
        logger.exception("knowledge base not ready; run `make kb`")
