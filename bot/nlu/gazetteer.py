"""Entity extraction with the spaCy Chinese pipeline built from the knowledge base's gazetteer.

The patterns are taken from the knowledge data files at training time and stored in the model,
so a trained model extracts the same entities wherever it runs.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
import rasa.shared.utils.io

import knowledge
from bot import settings
from knowledge import nlp as kb_nlp

PATTERNS_FILE = "patterns.json"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True
)
class GazetteerEntityExtractor(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"data_dir": None}  # None: the knowledge data files of this checkout

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource, patterns: Optional[List[dict]] = None) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.patterns = patterns or []
        self._nlp = kb_nlp.build(self.patterns) if self.patterns else None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext
               ) -> "GazetteerEntityExtractor":
        return cls(config, model_storage, resource)

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy", "jieba"]

    def train(self, training_data: TrainingData) -> Resource:
        data_dir = Path(self._config.get("data_dir") or settings.KNOWLEDGE_DATA_DIR)
        data = knowledge.check(data_dir)
        self.patterns = kb_nlp.patterns_from(
            data.terms, [(d["name"], d["aliases"]) for d in data.divisions])
        self._nlp = kb_nlp.build(self.patterns)
        with self._model_storage.write_to(self._resource) as path:
            rasa.shared.utils.io.dump_obj_as_json_to_file(path / PATTERNS_FILE, self.patterns)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any
             ) -> "GazetteerEntityExtractor":
        with model_storage.read_from(resource) as path:
            patterns = rasa.shared.utils.io.read_json_file(path / PATTERNS_FILE)
        return cls(config, model_storage, resource, patterns)

    def process(self, messages: List[Message]) -> List[Message]:
        if self._nlp is None:
            return messages
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = self.add_extractor_name(kb_nlp.entities(self._nlp, text))
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
