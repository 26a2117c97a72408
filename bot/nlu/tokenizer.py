"""Jieba tokenization for Rasa with two fixes for real citizen text.

- Whitespace tokens are dropped: Rasa's JiebaTokenizer keeps them, and DIET then breaks on
  text like "PCT 申请" (RasaHQ/rasa#7910).
- Traditional characters and full-width forms are normalised to simplified before anything
  else reads the message, so "專利費減" is understood as "专利费减".
- Dialect words become tokens of their Mandarin words (我嘅专利俾人抄咗 is read as 我的专利被人抄了),
  the message's text is left as the citizen wrote it: the tokens keep their offsets, since each
  dialect word has a Mandarin word of the same length (knowledge.text.DIALECT).

Its user dictionary (domain terms jieba must keep whole) is the one `python -m bot kb` writes
from the knowledge base, at settings.JIEBA_DICT_DIR; training copies it into the model.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

import jieba
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

from bot import settings
from knowledge.text import to_mandarin, to_simplified


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class ChineseTokenizer(JiebaTokenizer):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**JiebaTokenizer.get_default_config(),
                "dictionary_path": str(settings.JIEBA_DICT_DIR)}

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        original = message.get(attribute)
        text = to_simplified(original)
        if text != original:
            message.set(attribute, text)
        tokens = [Token(word, start) for word, start, _ in jieba.tokenize(to_mandarin(text))
                  if word.strip()]
        if not tokens:  # all blank: one token keeps the featurizers' shapes valid
            tokens = [Token(text, 0)]
        return self._apply_token_pattern(tokens)
