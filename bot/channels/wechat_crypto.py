"""What WeChat's message protocol needs, as pure functions: signatures, the safe-mode AES
envelope, XML in and out, and splitting text to WeChat's length limit.

Protocol (WeChat official account "消息加解密" documentation):
- signature     = sha1 of the sorted, concatenated token, timestamp, nonce;
- msg_signature = the same over token, timestamp, nonce and the Encrypt text;
- Encrypt       = base64(AES-256-CBC(key, iv=key[:16], PKCS#7 to 32 bytes,
                  16 random bytes + 4-byte big-endian length + message + app id)),
  key = base64-decoded EncodingAESKey (43 characters plus "=").
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import struct
from xml.sax.saxutils import escape

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

MAX_TEXT_BYTES = 2048  # a text message's content, passive reply or customer-service API
REPLAY_WINDOW = 300  # seconds a request's timestamp may be away from our clock
_BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16


class CryptoError(ValueError):
    """A message that does not decrypt, is padded wrongly or is for another app id."""


class XmlError(ValueError):
    """Malformed XML, or XML with a DTD or entities (never parsed)."""


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_signature(expected: str | None, *parts: str) -> bool:
    # compare_digest: how much of a guess matched must not show in the response time
    return bool(expected) and hmac.compare_digest(signature(*parts), expected.lower())


def fresh(timestamp: str | None, now: float, window: int = REPLAY_WINDOW) -> bool:
    """A captured request replayed later is refused even with its valid signature."""
    try:
        return abs(now - int(timestamp or "")) <= window
    except ValueError:
        return False


class WeChatCrypto:
    def __init__(self, encoding_aes_key: str, app_id: str) -> None:
        if len(encoding_aes_key) != 43:
            raise ValueError("the EncodingAESKey has 43 characters")
        try:
            self.key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except ValueError as err:
            raise ValueError("the EncodingAESKey is not base64") from err
        if not app_id:
            raise ValueError("safe mode needs the app id: every message is checked against it")
        self.app_id = app_id.encode("utf-8")

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, message: str, random: bytes | None = None) -> str:
        body = message.encode("utf-8")
        plain = (random or os.urandom(16)) + struct.pack(">I", len(body)) + body + self.app_id
        pad = _BLOCK - len(plain) % _BLOCK
        plain += bytes([pad]) * pad
        enc = self._cipher().encryptor()
        return base64.b64encode(enc.update(plain) + enc.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except ValueError as err:
            raise CryptoError("not base64") from err
        if not data or len(data) % 16:
            raise CryptoError("not a whole number of AES blocks")
        dec = self._cipher().decryptor()
        plain = dec.update(data) + dec.finalize()
        pad = plain[-1]
        if not 1 <= pad <= _BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise CryptoError("bad padding")
        plain = plain[:-pad]
        if len(plain) < 20:
            raise CryptoError("too short")
        (length,) = struct.unpack(">I", plain[16:20])
        body, app_id = plain[20:20 + length], plain[20 + length:]
        if len(body) != length or not hmac.compare_digest(app_id, self.app_id):
            raise CryptoError("for another app id")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as err:
            raise CryptoError("not UTF-8") from err


def parse_xml(data: bytes | str) -> dict[str, str]:
    """The children of WeChat's flat <xml> root as a dict of their texts.

    defusedxml refuses any DOCTYPE, entity declaration or external reference before
    expanding anything (billion laughs, XXE)."""
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError) as err:
        raise XmlError(type(err).__name__) from err
    if root.tag != "xml":
        raise XmlError("the root element is not <xml>")
    return {child.tag: child.text or "" for child in root}


def _cdata(text: str) -> str:
    # "]]>" would end the section early: split it across two sections
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def build_xml(fields: dict[str, str | int]) -> str:
    """Numbers bare, text in CDATA, as WeChat writes its own XML."""
    inner = "".join(
        f"<{escape(k)}>{v if isinstance(v, int) else _cdata(str(v))}</{escape(k)}>"
        for k, v in fields.items())
    return f"<xml>{inner}</xml>"


def text_reply(to_user: str, from_user: str, content: str, now: int) -> str:
    return build_xml({"ToUserName": to_user, "FromUserName": from_user, "CreateTime": now,
                      "MsgType": "text", "Content": content})


def encrypted_reply(crypto: WeChatCrypto, token: str, xml: str, timestamp: int,
                    nonce: str) -> str:
    encrypted = crypto.encrypt(xml)
    return build_xml({"Encrypt": encrypted,
                      "MsgSignature": signature(token, str(timestamp), nonce, encrypted),
                      "TimeStamp": timestamp, "Nonce": nonce})


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


_LINES = re.compile(r"(?<=\n)")
_SENTENCES = re.compile(r"(?<=[。！？；!?;])")


def _pieces(text: str, limit: int):
    """Lines; a line over the limit by sentences; a sentence over it by characters."""
    for line in _LINES.split(text):
        if _size(line) <= limit:
            yield line
            continue
        for sentence in _SENTENCES.split(line):
            while _size(sentence) > limit:
                cut = limit
                while _size(sentence[:cut]) > limit:
                    cut -= 1
                yield sentence[:cut]
                sentence = sentence[cut:]
            if sentence:
                yield sentence


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """Pieces of at most `limit` UTF-8 bytes, cut between lines, else between sentences."""
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        if current and _size(current + piece) > limit:
            chunks.append(current)
            current = ""
        current += piece
    chunks.append(current)
    chunks = [c.strip() for c in chunks]
    return [c for c in chunks if c]


def pack(texts: list[str], limit: int = MAX_TEXT_BYTES) -> list[str]:
    """The bot's messages as few WeChat messages as fit: a passive reply carries only one,
    and every further one needs the customer-service API (not every account has it)."""
    out: list[str] = []
    for text in texts:
        for chunk in split_text(text, limit):
            if out and _size(out[-1] + "\n\n" + chunk) <= limit:
                out[-1] += "\n\n" + chunk
            else:
                out.append(chunk)
    return out
