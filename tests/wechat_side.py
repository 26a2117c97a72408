"""WeChat's side of the official account, written independently of the channel: what WeChat's
servers post to the account's URL (signed, plaintext or AES safe mode) and a local fake of
WeChat's API (the token and customer-service endpoints) that counts what it receives. Used by
the channel's tests and the production shape's; nothing leaves the machine."""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

TOKEN = "ganzhou-test-token"
AES_KEY = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")  # 43 characters
ACCOUNT = "gh_ganzhou_ip"  # the official account's own id: ToUserName of what users send


# -- WeChat's side, written independently of the channel ----------------------------------
def sha1_sorted(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def aes_encrypt(key43: str, app_id: str, message: str) -> str:
    key = base64.b64decode(key43 + "=")
    body = message.encode()
    plain = secrets.token_bytes(16) + struct.pack(">I", len(body)) + body + app_id.encode()
    pad = 32 - len(plain) % 32
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(plain + bytes([pad]) * pad) + enc.finalize()).decode()


def aes_decrypt(key43: str, encrypted: str) -> tuple[str, str]:
    key = base64.b64decode(key43 + "=")
    dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = dec.update(base64.b64decode(encrypted)) + dec.finalize()
    plain = plain[:-plain[-1]]
    length = struct.unpack(">I", plain[16:20])[0]
    return plain[20:20 + length].decode(), plain[20 + length:].decode()


def xml_fields(body: str) -> dict[str, str]:
    return {c.tag: c.text or "" for c in ET.fromstring(body)}


class WeChatSide:
    """Sends what WeChat's servers send to the account's URL."""

    def __init__(self, base: str, app_id: str) -> None:
        self.url = f"{base}/webhooks/wechat/webhook"
        self.app_id = app_id

    @staticmethod
    def query(timestamp: int | None = None, token: str = TOKEN, openid: str = "") -> dict:
        """The URL's parameters. WeChat adds the sender's openid (the channel reads the one in
        the signed body; a proxy may rate-limit by this one)."""
        ts, nonce = str(timestamp or int(time.time())), str(secrets.randbelow(10**9))
        return {"timestamp": ts, "nonce": nonce, "signature": sha1_sorted(token, ts, nonce),
                "openid": openid or "ignored-by-the-channel"}

    @staticmethod
    def message(openid: str, kind: str, msg_id: str | None = None, **fields: str) -> str:
        parts = [f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>",
                 f"<FromUserName><![CDATA[{openid}]]></FromUserName>",
                 f"<CreateTime>{fields.pop('CreateTime', int(time.time()))}</CreateTime>",
                 f"<MsgType><![CDATA[{kind}]]></MsgType>"]
        parts += [f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()]
        if msg_id:
            parts.append(f"<MsgId>{msg_id}</MsgId>")
        return "<xml>" + "".join(parts) + "</xml>"

    def post(self, body: str, timestamp: int | None = None, safe: bool = False,
             app_id: str | None = None, bad_msg_signature: bool = False,
             openid: str = "") -> requests.Response:
        params = self.query(timestamp, openid=openid)
        if safe:
            encrypted = aes_encrypt(AES_KEY, app_id or self.app_id, body)
            params["encrypt_type"] = "aes"
            params["msg_signature"] = sha1_sorted(
                TOKEN, params["timestamp"], params["nonce"],
                encrypted + ("x" if bad_msg_signature else ""))
            body = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                    f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
        return requests.post(self.url, params=params, data=body.encode(), timeout=30,
                             headers={"Content-Type": "text/xml"})

    def say(self, openid: str, content: str, msg_id: str | None = None, **kw) -> requests.Response:
        msg_id = msg_id or str(secrets.randbelow(10**18))
        return self.post(self.message(openid, "text", msg_id, Content=content), openid=openid,
                         **kw)


def reply_text(r: requests.Response, openid: str) -> str:
    assert r.status_code == 200, r.text
    fields = xml_fields(r.text)
    assert fields["ToUserName"] == openid and fields["FromUserName"] == ACCOUNT
    assert fields["MsgType"] == "text" and len(fields["Content"].encode()) <= 2048
    return fields["Content"]


def new_user() -> str:
    return "o" + secrets.token_hex(13)


# -- the fake WeChat API -----------------------------------------------------------------
class FakeWeChatAPI:
    """/cgi-bin/token and /cgi-bin/message/custom/send, as WeChat answers them."""

    def __init__(self, app_id: str, secret: str) -> None:
        self.app_id, self.secret = app_id, secret
        self.token_fetches = 0
        self.refused = 0  # sends answered 40001
        self.sent: list[dict] = []
        self.valid: set[str] = set()
        self.cond = threading.Condition()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, data: dict) -> None:
                body = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlsplit(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path != "/cgi-bin/token" or q.get("grant_type") != "client_credential":
                    return self._json({"errcode": 40002, "errmsg": "invalid grant_type"})
                if (q.get("appid"), q.get("secret")) != (fake.app_id, fake.secret):
                    return self._json({"errcode": 40125, "errmsg": "invalid appsecret"})
                with fake.cond:
                    fake.token_fetches += 1
                    token = f"TOKEN-{fake.token_fetches}"
                    fake.valid.add(token)
                self._json({"access_token": token, "expires_in": 7200})

            def do_POST(self):
                url = urlsplit(self.path)
                token = parse_qs(url.query).get("access_token", [""])[0]
                data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fake.cond:
                    if url.path != "/cgi-bin/message/custom/send":
                        return self._json({"errcode": 404, "errmsg": "unknown"})
                    if token not in fake.valid:
                        fake.refused += 1
                        return self._json({"errcode": 40001, "errmsg": "invalid credential"})
                    fake.sent.append(data)
                    fake.cond.notify_all()
                self._json({"errcode": 0, "errmsg": "ok"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def revoke_tokens(self) -> None:
        with self.cond:
            self.valid.clear()

    def texts_for(self, openid: str) -> list[str]:
        with self.cond:
            return [m["text"]["content"] for m in self.sent if m["touser"] == openid]

    def wait_for(self, openid: str, count: int = 1, timeout: float = 60) -> list[str]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while len([m for m in self.sent if m["touser"] == openid]) < count:
                if not self.cond.wait(max(0.0, deadline - time.monotonic())):
                    break
        return self.texts_for(openid)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
