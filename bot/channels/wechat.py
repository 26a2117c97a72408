"""WeChat official account channel: POST/GET /webhooks/wechat/webhook.

credentials.yml lists `bot.channels.wechat.WeChatInput:` with no values; every setting comes
from the environment unless credentials.yml gives it (Rasa refuses an unset ${VAR} there):
WECHAT_TOKEN, WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_AES_KEY (safe mode),
WECHAT_API_BASE (default https://api.weixin.qq.com), WECHAT_REPLY_TIMEOUT (default 4 s).
Without a token every request is refused.

WeChat waits 5 s for the HTTP answer and retries three times. So the bot's turn gets
reply_timeout: done in time, its first message is the passive reply (the XML answer) and any
further ones go through the customer-service API; too slow, WeChat gets "success" at once and
all messages follow through that API. Retries are recognised by MsgId in the database and
never start a second turn. Messages for the API wait in a durable outbox (wechat_outbox.py)
that every replica's sender drains: a restart sends them later instead of losing them.

好差评 (wechat_rating.py): an answer from the knowledge base ends with a line of rating links;
ratings, typed or tapped, are answered here before Rasa, through the same turn machinery
(MsgId dedupe, passive reply or customer-service API when late).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import re
import secrets
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable

import requests
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.channels import inbound
from bot.channels import wechat_crypto as wx
from bot.channels import wechat_outbox as outbox
from bot.channels import wechat_rating
from bot.channels.wechat_store import WeChatStore
from bot.leads.workdays import CalendarFile
from bot.portal import followups
from knowledge.storage import database, utcnow

logger = logging.getLogger(__name__)
DEFAULT_API_BASE = "https://api.weixin.qq.com"
DEFAULT_REPLY_TIMEOUT = 4.0  # of WeChat's 5 s: what is left covers the network and our work

MAX_BODY = 64 * 1024  # WeChat's XML is well under 2 KB
PUSH_DELAY = 1.0  # seconds: lets the passive reply reach the user before the messages after it
TOKEN_MARGIN = 300  # seconds before expiry that a token is refreshed
TOKEN_ERRORS = {40001, 40014, 42001}  # invalid / not an access token / expired: refresh once
# Refusals no retry fixes: invalid openid, unsubscribed, past the 48 h window, too many
# messages without a reply from the user.
PERMANENT_ERRORS = {40003, 43004, 45015, 45047}
HTTP_TIMEOUT = 10.0
SEND_POLL = 2.0  # seconds between looks at the outbox when nothing new woke the sender
PRUNE_EVERY = 3600  # seconds between deletions of old outbox rows

ASK_TO_TYPE = "抱歉，没有听清您的语音。请直接输入文字提问，例如“专利费减的条件是什么”。"
TEXT_ONLY = "抱歉，我目前只能处理文字消息。请直接输入文字提问，例如“专利费减的条件是什么”。"
SORRY = "抱歉，系统暂时繁忙，请稍后再试，或拨打12345政务服务热线咨询。"
OPTION_LINE = "回复 {n} {title}"
_NUMBER = re.compile(r"^\d{1,2}$")


def mask(openid: str) -> str:
    """OpenIDs identify a person: logs carry a short hash that still links one user's lines."""
    return "u-" + hashlib.sha256(openid.encode("utf-8")).hexdigest()[:10]


class WeChatAPIError(RuntimeError):
    def __init__(self, errcode: Any, errmsg: Any = "") -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode = errcode


class WeChatAPI:
    """The customer-service API and its access token. Blocking: runs in executor threads.

    The token lives in the database: every replica uses the one the first fetched, since
    fetching a new token retires the old one a few minutes later."""

    def __init__(self, api_base: str, app_id: str, app_secret: str, store: WeChatStore) -> None:
        self.api_base = api_base.rstrip("/")
        self.app_id, self.app_secret, self.store = app_id, app_secret, store
        self._lock = threading.Lock()
        self._token: tuple[str, float] | None = None  # (token, refresh-by epoch)

    def token(self, stale: str | None = None) -> str:
        """A valid token; `stale` is one WeChat just refused, never handed out again."""
        with self._lock:  # one fetch per process even when several sends need a token
            now = time.time()

            def usable(candidate: tuple[str, float] | None) -> bool:
                return candidate is not None and candidate[0] != stale and now < candidate[1]

            # the database only when this process's own token will not do; a fetch only when
            # the database's will not do either, under its lock (one fetch for all replicas)
            candidate = self._token if usable(self._token) else self.store.load_token(self.app_id)
            if not usable(candidate):
                candidate = self.store.token(self.app_id, usable, self._fetch)
            self._token = candidate
            return candidate[0]

    def _fetch(self) -> tuple[str, float]:
        r = requests.get(f"{self.api_base}/cgi-bin/token", timeout=HTTP_TIMEOUT, params={
            "grant_type": "client_credential", "appid": self.app_id,
            "secret": self.app_secret})
        data = r.json()
        if not data.get("access_token"):
            raise WeChatAPIError(data.get("errcode"), data.get("errmsg"))
        logger.info("wechat access token fetched")
        return data["access_token"], \
            time.time() + int(data.get("expires_in") or 7200) - TOKEN_MARGIN

    def send_text(self, openid: str, text: str) -> None:
        # ensure_ascii=False: WeChat shows \\uXXXX escapes literally
        body = json.dumps({"touser": openid, "msgtype": "text", "text": {"content": text}},
                          ensure_ascii=False).encode("utf-8")
        token = self.token()
        for attempt in (1, 2):
            r = requests.post(f"{self.api_base}/cgi-bin/message/custom/send",
                              params={"access_token": token}, data=body, timeout=HTTP_TIMEOUT,
                              headers={"Content-Type": "application/json; charset=utf-8"})
            data = r.json()
            code = data.get("errcode", 0)
            if code == 0:
                return
            if code in TOKEN_ERRORS and attempt == 1:
                token = self.token(stale=token)
                continue
            raise WeChatAPIError(code, data.get("errmsg"))


def render(messages: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The bot's messages as plain texts, buttons as numbered lines; and the payloads in
    that numbering (one numbering across the whole turn)."""
    texts: list[str] = []
    payloads: list[str] = []
    for message in messages:
        lines = [message["text"]] if message.get("text") else []
        options = []
        for button in message.get("buttons") or []:
            title = button.get("title") or ""
            if button.get("payload"):
                payloads.append(str(button["payload"]))
                options.append(OPTION_LINE.format(n=len(payloads), title=title))
            elif button.get("url"):
                options.append(f"{title}：{button['url']}")
        if options:
            lines.append("\n".join(options))
        for key in ("image", "attachment"):
            if isinstance(message.get(key), str):
                lines.append(message[key])
        if lines:
            texts.append("\n\n".join(lines))
    return texts, payloads


def rated_answer(messages: list[dict[str, Any]]) -> tuple[int, str, str | None] | None:
    """The turn's last answer from the knowledge base: the index of its text among render's
    texts, its text as the bot said it (as in the tracker store), its id. The action sends the
    id as a custom message right after the answer's text (actions/answers.py)."""
    found = None
    for i, message in enumerate(messages):
        custom = message.get("custom")
        if i and isinstance(custom, dict) and isinstance(custom.get("answer_id"), str) \
                and messages[i - 1].get("text"):
            found = (len(render(messages[:i])[0]) - 1, messages[i - 1]["text"],
                     custom["answer_id"][:96])
    return found


def keeps_rated_answer(messages: list[dict[str, Any]]) -> bool:
    """Whether the turn only told the citizen how to rate (actions/service.py marks it with a
    custom {"rating_help": true}): then the answer before it stays the one a rating refers to,
    so that "评价 不满意" typed after the explanation rates that answer, as the explanation
    says. Any other turn without an answer leaves nothing to rate."""
    return any(isinstance(m.get("custom"), dict) and m["custom"].get("rating_help") is True
               for m in messages)


def _typed(text: str) -> str:
    """What the user typed never reaches Rasa as an intent payload ("/greet", WeChat's emoji
    codes "/::)"): options are numbered, so a leading slash is never meant as one. It becomes
    the division slash "∕", which the tokenizer's NFKC normalisation leaves alone (the
    full-width "／" would turn back into "/" before Rasa looks for payloads)."""
    return "\u2215" + text[1:] if text[:1] in ("/", "／") else text


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "WeChatInput":
        """credentials.yml may set any key; the environment the rest; defaults what is left."""
        values = {k: v for k, v in settings.wechat().items() if v}
        values.update({k: v for k, v in (credentials or {}).items()
                       if k in settings.WECHAT_KEYS and v not in (None, "")})
        if "reply_timeout" in values:
            values["reply_timeout"] = float(values["reply_timeout"])
        return cls(**values)

    def __init__(self, token: str = "", app_id: str = "", app_secret: str = "",
                 encoding_aes_key: str = "", api_base: str = DEFAULT_API_BASE,
                 reply_timeout: float = DEFAULT_REPLY_TIMEOUT) -> None:
        self.token = token
        self.app_id = app_id
        self.app_secret = app_secret
        self.api_base = api_base
        self.reply_timeout = reply_timeout
        # a wrong key fails the start, not every message
        self.crypto = wx.WeChatCrypto(encoding_aes_key, app_id) if encoding_aes_key else None
        self.store: WeChatStore | None = None
        self.ratings: wechat_rating.WeChatRatings | None = None
        self.api: WeChatAPI | None = None
        self._tasks: set[asyncio.Task] = set()  # slow turns, kept from the collector
        self._wake: asyncio.Event | None = None  # set: the outbox has something new
        self._sender: asyncio.Task | None = None
        self._pruned = 0.0
        # its own threads: a slow WeChat API never holds up the database calls of new messages
        self._api_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wechat-api")

    def _start(self) -> None:
        if not self.token:
            logger.warning("wechat channel refuses every request: WECHAT_TOKEN is not set")
            return
        self.store = WeChatStore(database(settings.database_url()))
        calendar = CalendarFile(settings.workday_calendar_file())
        calendar.get()  # a broken calendar file stops the start, not a rating later
        days, tracker_url = settings.rating_followup_working_days(), settings.tracker_db_url()
        self.ratings = wechat_rating.WeChatRatings(
            self.store, lambda: followups.Rules(calendar.get(), days, tracker_url))
        if self.app_id and self.app_secret:
            self.api = WeChatAPI(self.api_base, self.app_id, self.app_secret, self.store)
        else:
            logger.warning("wechat: no app id/secret, so no customer-service API: answers "
                           "slower than %.1f s and every message after the first are lost",
                           self.reply_timeout)
        logger.info("wechat channel on (%s mode accepted)",
                    "plaintext and safe" if self.crypto else "plaintext")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        self._start()
        hook = Blueprint("wechat_webhook", __name__)

        @hook.listener("after_server_start")
        async def start_sender(_app, _loop) -> None:
            if self.api is not None:
                self._wake = asyncio.Event()
                self._sender = asyncio.ensure_future(self._send_loop())

        @hook.listener("before_server_stop")
        async def stop_sender(_app, _loop) -> None:
            if self._sender is not None:
                self._sender.cancel()

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            """WeChat's URL check when the server address is saved in its console."""
            if not self._signed(request):
                return response.text("forbidden", status=403)
            return response.text(request.args.get("echostr", ""))

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._signed(request):
                return response.text("forbidden", status=403)
            if len(request.body or b"") > MAX_BODY:
                return response.text("too large", status=413)
            encrypt_type = request.args.get("encrypt_type")
            if encrypt_type not in (None, "", "raw", "aes"):
                return response.text("unknown encrypt_type", status=400)
            safe = encrypt_type == "aes"
            try:
                msg = self._open(request, safe)
            except PermissionError:
                return response.text("forbidden", status=403)
            except wx.XmlError as err:
                logger.warning("wechat: refused XML (%s)", err)
                return response.text("bad request", status=400)
            if not all(msg.get(k) for k in ("FromUserName", "ToUserName", "MsgType")):
                return response.text("bad request", status=400)
            reply = await self._handle(msg, on_new_message)
            if reply is None:
                return response.text("success")
            xml = wx.text_reply(msg["FromUserName"], msg["ToUserName"], reply, int(time.time()))
            if safe:
                xml = wx.encrypted_reply(self.crypto, self.token, xml, int(time.time()),
                                         str(secrets.randbelow(10**10)))
            return response.text(xml, content_type="application/xml; charset=utf-8")

        return hook

    # -- authentication and the envelope --------------------------------------------------
    def _signed(self, request: Request) -> bool:
        """Never open: no token configured refuses everything; stale timestamps are refused."""
        args = request.args
        return bool(self.token) and wx.fresh(args.get("timestamp"), time.time()) and \
            wx.check_signature(args.get("signature"), self.token, args.get("timestamp", ""),
                               args.get("nonce", ""))

    def _open(self, request: Request, safe: bool) -> dict[str, str]:
        outer = wx.parse_xml(request.body)
        if not safe:
            return outer
        encrypted = outer.get("Encrypt", "")
        if self.crypto is None:
            logger.error("wechat: a safe-mode message, but WECHAT_AES_KEY is not set")
            raise PermissionError
        if not encrypted or not wx.check_signature(
                request.args.get("msg_signature"), self.token, request.args.get("timestamp", ""),
                request.args.get("nonce", ""), encrypted):
            raise PermissionError  # before decrypting: no padding oracle for the unsigned
        try:
            return wx.parse_xml(self.crypto.decrypt(encrypted))
        except wx.CryptoError as err:
            logger.warning("wechat: refused encrypted message (%s)", err)
            raise PermissionError from err

    # -- what to do with a message --------------------------------------------------------
    async def _handle(self, msg: dict[str, str],
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> str | None:
        """The passive reply's text, or None for "success"."""
        openid, kind = msg["FromUserName"], msg["MsgType"]
        if kind == "event":
            event = msg.get("Event", "").lower()
            key = f"{openid}:{msg.get('CreateTime', '')}:{event}"
            if event == "subscribe":  # the bot's own greeting, with its menu numbered
                return await self._turn(openid, key, kind,
                                        self._bot(on_new_message, openid, "/greet", key))
            if event == "click" and msg.get("EventKey"):
                return await self._turn(openid, key, kind, self._bot(
                    on_new_message, openid, msg["EventKey"], key))
            return None  # unsubscribe, VIEW (a link), location reports …: nothing to say
        if kind == "text":
            text = msg.get("Content", "").strip()
        elif kind == "voice":
            text = msg.get("Recognition", "").strip()
            if not text:
                return ASK_TO_TYPE
        else:
            return TEXT_ONLY
        if not text:
            return None
        if inbound.too_long(text):  # answered at once: never parsed, nothing stored
            return inbound.TOO_LONG
        key = msg.get("MsgId") or f"{openid}:{msg.get('CreateTime', '')}:{kind}"
        # a tapped rating link's message carries bizmsgmenuid (verified accounts only)
        command = wechat_rating.parse(text, msg.get("bizmsgmenuid") or msg.get("BizMsgMenuId"))
        if command is not None and self.ratings is not None and \
                await asyncio.to_thread(self.ratings.wants, openid, command):
            return await self._turn(openid, key, "rating", self._rate(openid, command, text))
        number = unicodedata.normalize("NFKC", text)
        payload = None
        if _NUMBER.match(number):
            payload = await asyncio.to_thread(self.store.option, openid, int(number))
        return await self._turn(openid, key, kind, self._bot(
            on_new_message, openid, payload or _typed(text), key))

    async def _turn(self, openid: str, key: str, kind: str,
                    work: Callable[[], Awaitable[list[str]]]) -> str | None:
        """Runs `work` (a bot turn or a rating) once per message key; its first message is
        the passive reply when done in time, the rest (or all, when late) go by the API."""
        started, received = time.perf_counter(), utcnow()
        first = await asyncio.to_thread(self.store.claim, key)
        if first is not None:  # a WeChat retry: the turn ran or runs already
            logger.info("wechat %s %s: retry (%s)", mask(openid), kind, first.state)
            return first.reply if first.state == "passive" else None
        task = asyncio.ensure_future(work())
        done, _ = await asyncio.wait({task}, timeout=self.reply_timeout)
        if not done:
            self._later(self._queue_when_done(task, openid, key, received))
            logger.info("wechat %s %s: slower than %.1f s, answer follows by API",
                        mask(openid), kind, self.reply_timeout)
            return None
        chunks = task.result()
        if not chunks:
            await asyncio.to_thread(self.store.finish, key, "pushed")
            return None
        later = self._queued(openid, chunks[1:], received, delay=PUSH_DELAY)
        await asyncio.to_thread(self.store.finish, key, "passive", chunks[0], later)
        self._wake_sender(PUSH_DELAY)
        logger.info("wechat %s %s: passive reply + %d by API in %.0f ms", mask(openid), kind,
                    len(chunks) - 1, (time.perf_counter() - started) * 1000)
        return chunks[0]

    def _bot(self, on_new_message: Callable[[UserMessage], Awaitable[Any]],
             openid: str, text: str, key: str) -> Callable[[], Awaitable[list[str]]]:
        return lambda: self._run_bot(on_new_message, openid, text, key)

    def _rate(self, openid: str, command: wechat_rating.Command,
              text: str) -> Callable[[], Awaitable[list[str]]]:
        async def work() -> list[str]:
            try:
                reply = await asyncio.to_thread(self.ratings.reply, openid, command, text)
            except Exception:  # noqa: BLE001 (the user still gets an answer)
                logger.exception("wechat %s: the rating failed", mask(openid))
                return [SORRY]
            logger.info("wechat %s: rating (%s)", mask(openid), command.kind)
            return [reply]
        return work

    async def _run_bot(self, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                       openid: str, text: str, key: str) -> list[str]:
        collector = CollectingOutputChannel()
        try:
            await on_new_message(UserMessage(text, collector, openid, input_channel=self.name(),
                                             message_id=key))
        except Exception:  # noqa: BLE001 (the user still gets an answer)
            logger.exception("wechat %s: the bot failed", mask(openid))
            return [SORRY]
        texts, payloads = render(collector.messages)
        answer, found = None, rated_answer(collector.messages)
        if found is not None:  # one rating line, under the turn's answer
            index, answer_text, answer_id = found
            answer = wechat_rating.new_answer(key, answer_text, answer_id)
            texts[index] += "\n" + wechat_rating.rating_line(answer.menu_ref)
        keep = found is None and keeps_rated_answer(collector.messages)
        await asyncio.to_thread(self.store.save_options, openid, payloads, answer, keep)
        return wx.pack(texts)

    # -- the customer-service API, through the outbox -------------------------------------
    def _later(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _queued(self, openid: str, chunks: list[str], received: Any,
                delay: float = 0.0) -> outbox.Queued | None:
        if not chunks:
            return None
        if self.api is None:
            logger.error("wechat %s: %d message(s) lost: no customer-service API configured",
                         mask(openid), len(chunks))
            return None
        return outbox.Queued(openid, chunks, received,
                             utcnow() + dt.timedelta(seconds=delay) if delay else None)

    async def _queue_when_done(self, turn: asyncio.Future, openid: str, key: str,
                               received: Any) -> None:
        chunks = await turn
        await asyncio.to_thread(self.store.finish, key, "pushed", None,
                                self._queued(openid, chunks, received))
        self._wake_sender()

    def _wake_sender(self, delay: float = 0.0) -> None:
        if self._wake is None:
            return
        if delay:
            asyncio.get_running_loop().call_later(delay, self._wake.set)
        else:
            self._wake.set()

    async def _send_loop(self) -> None:
        """Drains the outbox: at once when woken, else every SEND_POLL seconds (rows another
        replica left behind, retries after backoff)."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                handled = await loop.run_in_executor(self._api_pool, self.deliver_now)
            except Exception:  # noqa: BLE001 (a database hiccup must not end the sender)
                logger.exception("wechat outbox: delivery round failed; trying again")
                handled = 0
            if handled:
                continue  # more may be due
            try:
                await asyncio.wait_for(self._wake.wait(), SEND_POLL)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()

    def deliver_now(self) -> int:
        """Sends what is due in the outbox (blocking); the number of rows it handled."""
        if time.monotonic() - self._pruned > PRUNE_EVERY:
            self._pruned = time.monotonic()
            outbox.prune(self.store.db)
        done = outbox.deliver(self.store.db, self.api.send_text, permanent_error)
        return done.sent + done.failed + done.expired + done.refused


def permanent_error(err: Exception) -> bool:
    """A refusal of the customer-service API that no retry fixes."""
    return isinstance(err, WeChatAPIError) and err.errcode in PERMANENT_ERRORS
