"""Rasa plug-in input channels (credentials.yml names them): the WeChat official account
(`wechat.WeChatInput`, with its signing/encryption in `wechat_crypto` and its shared state in
`wechat_store`). The web widget uses Rasa's own REST channel."""
