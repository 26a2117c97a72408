"""Rasa plug-in input channels (credentials.yml names them): the WeChat official account
(`wechat.WeChatInput`, with its signing/encryption in `wechat_crypto` and its shared state in
`wechat_store`) and the REST channel the web widget uses (`rest.RestInput`: Rasa's, with
overlong messages refused and no shared conversation for requests without a sender).
`inbound` holds what every channel checks before a message reaches NLU."""
