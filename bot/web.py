"""The portal: a small web server beside Rasa for what citizens' browsers load.

It serves the chat widget (one script tag embeds it in any page), a demo page, the ratings
the widget posts, and the staff look-up (bot/staff.py, behind STAFF_TOKEN). Conversations
themselves go from the browser straight to Rasa's REST channel.

    python -m bot.web        # listens on BIND_HOST:WEB_PORT (127.0.0.1:5080)
"""
from __future__ import annotations

from sanic import Sanic

from bot import ratings, settings, staff, web_public
from bot.leads import staff_api as leads_staff
from knowledge import without_tensorflow
from knowledge.loader import read_topics
from knowledge.service import KnowledgeService

without_tensorflow()


def create_app(name: str = "ganzhou-ip-portal") -> Sanic:
    app = Sanic(name)
    # Nothing here takes uploads; Sanic's default (100 MB) would buffer whatever is sent.
    app.config.REQUEST_MAX_SIZE = 64 * 1024
    app.config.REQUEST_TIMEOUT = 15
    app.config.RASA_PUBLIC_URL = settings.RASA_PUBLIC_URL
    app.blueprint(web_public.bp)
    service = KnowledgeService()
    service.set_topics(read_topics(settings.KNOWLEDGE_DATA_DIR))
    app.blueprint(staff.blueprint(service))
    app.blueprint(leads_staff.blueprint())

    async def _tables(_app, _loop):
        ratings.create_tables()

    app.register_listener(_tables, "before_server_start")

    @app.on_response
    async def _no_sniff(_request, response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")

    return app


def main() -> None:
    create_app().run(host=settings.BIND_HOST, port=settings.WEB_PORT, access_log=False, motd=False)


if __name__ == "__main__":
    main()
