"""Rasa plug-ins for Chinese NLU (config.yml names them): `tokenizer.ChineseTokenizer` and
`gazetteer.GazetteerEntityExtractor`."""
