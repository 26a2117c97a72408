"""Rasa plug-ins for Chinese NLU (config.yml names them): `tokenizer.ChineseTokenizer` and
`gazetteer.GazetteerEntityExtractor`.

Every Rasa process that loads or trains the model imports this package first, so it is where
bot/rasa_patches.py is applied for `rasa run`, `rasa shell`, `rasa test` and `rasa train`, and
where jieba gets its compact dictionary before Rasa's tokenizer loads jieba's own
(knowledge/jieba_dictionary.py)."""
from bot import rasa_patches
from knowledge import jieba_dictionary

rasa_patches.apply()
jieba_dictionary.install()
