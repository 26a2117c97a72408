"""The REST channel the web widget and the smoke tests use, with two guards Rasa's lacks.

credentials.yml names `bot.channels.rest.RestInput` in place of Rasa's `rest:`. Its name is
still "rest", so the URL (POST /webhooks/rest/webhook), the request
({"sender": …, "message": …, "metadata": …}) and the response (a JSON list of messages, or
the `?stream=true` lines) are Rasa's own, unchanged.

- A message longer than inbound.MAX_CHARS is answered with inbound.TOO_LONG and never parsed:
  NLU over 100,000 characters held the event loop for seconds for every citizen.
- A request without a sender id gets a fresh one (returned as each message's recipient_id):
  Rasa would put every such request into one shared "default" conversation, form answers and
  all. A sender id that is not a short string (or a number) is refused with 400: Rasa's
  tracker table holds at most 255 characters.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from bot import rasa_patches
from bot.channels import inbound

rasa_patches.apply()  # every `rasa run` with our credentials imports this module

logger = logging.getLogger(__name__)
MAX_SENDER = 128


def fresh_sender() -> str:
    return f"rest-{uuid.uuid4().hex}"


class RestInput(RasaRestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        body = req.json
        if not isinstance(body, dict):
            raise InvalidUsage("the body must be a JSON object")
        sender = body.get("sender")
        if isinstance(sender, (int, float)) and not isinstance(sender, bool):
            sender = str(sender)
        if sender is None or (isinstance(sender, str) and not sender.strip()):
            return fresh_sender()
        if not isinstance(sender, str) or len(sender) > MAX_SENDER:
            raise InvalidUsage(f"sender must be a string of at most {MAX_SENDER} characters")
        return sender

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = req.json.get("message")
        if message is not None and not isinstance(message, str):
            raise InvalidUsage("message must be a string")
        return message

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def guarded(message: UserMessage) -> Any:
            if inbound.too_long(message.text):
                logger.info("rest: refused a message of %d characters", len(message.text))
                await message.output_channel.send_text_message(message.sender_id,
                                                               inbound.TOO_LONG)
                return None
            return await on_new_message(message)

        return super().blueprint(guarded)
