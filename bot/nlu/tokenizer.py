"""Jieba tokenization for Rasa with two fixes for real citizen text.

- Whitespace tokens are dropped: Rasa's JiebaTokenizer keeps them, and DIET then breaks on
  text like "PCT 申请" (RasaHQ/rasa#7910).
- Traditional characters and full-width forms are normalised to simplified before anything
  else reads the message, so "專利費減" is understood as "专利费减"; a message typed a character
  at a time ("实 用 新 型") is joined up (knowledge.text.join_spaced; the actions read the
  message as the tokenizer left it).
- Typos from pinyin input in the user dictionary's words (专力 → 专利, 维全 → 维权: knowledge/typos.py)
  and dialect words become tokens of the words meant (我嘅专利俾人抄咗 is read as 我的专利被人抄了),
  the message's text is left as the citizen wrote it: the tokens keep their offsets, since each
  repair keeps the length (knowledge.text.DIALECT). The typo table is built from the dictionary
  the model holds, so a model reads typos as it was trained to.

Its user dictionary (domain terms jieba must keep whole) is the one `python -m bot kb` writes
from the knowledge base, at settings.JIEBA_DICT_DIR; training copies it into the model.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Text

import jieba
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

from bot import settings
from knowledge.text import join_spaced, to_mandarin, to_simplified
from knowledge.typos import TypoTable


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class ChineseTokenizer(JiebaTokenizer):
    typos: TypoTable | None = None

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**JiebaTokenizer.get_default_config(),
                "dictionary_path": str(settings.JIEBA_DICT_DIR)}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ChineseTokenizer":
        tokenizer = super().create(config, model_storage, resource, execution_context)
        if config.get("dictionary_path"):
            tokenizer.typos = typo_table(Path(config["dictionary_path"]))
        return tokenizer

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "ChineseTokenizer":
        tokenizer = super().load(config, model_storage, resource, execution_context, **kwargs)
        if config.get("dictionary_path"):
            try:
                with model_storage.read_from(resource) as folder:
                    tokenizer.typos = typo_table(Path(folder))
            except ValueError:  # a model trained without a dictionary
                tokenizer.typos = None
        return tokenizer

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        original = message.get(attribute)
        text = join_spaced(to_simplified(original))
        if text != original:
            message.set(attribute, text)
        read = to_mandarin(text)
        if self.typos is not None:
            read = self.typos.fix(read)
        tokens = [Token(word, start) for word, start, _ in jieba.tokenize(read)
                  if word.strip()]
        if not tokens:  # all blank: one token keeps the featurizers' shapes valid
            tokens = [Token(text, 0)]
        return self._apply_token_pattern(tokens)


def typo_table(folder: Path) -> TypoTable:
    """The typo table of the user dictionary's words (one word per line, as
    knowledge.nlp.write_user_dictionary writes them)."""
    words = []
    for path in sorted(folder.glob("*.txt")):
        words += [line.split()[0] for line in path.read_text(encoding="utf-8").splitlines()
                  if line.strip()]
    return TypoTable(words)
