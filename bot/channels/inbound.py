"""What every channel checks before a citizen's text reaches NLU.

One overlong message used to hold Rasa's event loop for seconds (jieba, the featurizers and
the entity ruler over 100,000 characters), and every other citizen waited. A message longer
than MAX_CHARS is refused with a clear reply and never parsed; nothing is stored, so the
citizen still has the text and can send it in parts. 500 characters is more than any answer
the bot asks for (the longest lead field, 经过, takes 500) and what the web widget lets one type.
"""
from __future__ import annotations

MAX_CHARS = 500
TOO_LONG = (f"您的消息太长了（超过{MAX_CHARS}字），我没有处理。请只写要点，或分几次发送；"
            "描述侵权经过时每次请控制在500字以内。")


def too_long(text: str | None) -> bool:
    return text is not None and len(text.strip()) > MAX_CHARS
