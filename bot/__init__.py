"""The application around the knowledge library, one subpackage per role:

    nlu/        Rasa plug-ins for Chinese: tokenizer, gazetteer entity extractor
    channels/   Rasa plug-in: the WeChat official account channel (REST is Rasa's own)
    lock_store  Rasa plug-in: the lock store chosen by LOCK_STORE_URL
    portal/     the web app: widget, demo page, ratings, staff pages and APIs
    leads/      complaint leads: checks, storage, forwarding to the protection centre
    migrations/ the application database's schema (Alembic)
    launcher/   starting the servers, training, reports, `python -m bot …`
    settings    every setting, from the environment (the only module that reads it)

A message flows: channel → Rasa (NLU, rules) → action server (actions/) → knowledge library
(knowledge/) → reply. Leads and ratings are stored beside it, in the same database.
"""
