"""The portal: a small web server beside Rasa for what browsers load — the chat widget (one
script tag embeds it in any page), a demo page, the ratings the widget posts — and the staff
desk. Conversations themselves go from the browser straight to Rasa's REST channel.

    python -m bot portal        # listens on BIND_HOST:WEB_PORT (127.0.0.1:5080)

app.py (the factory), public.py (what anyone may load), ratings.py. The staff side: roles.py
(who may do what), accounts.py (accounts, passwords, API tokens), sessions.py, auth.py (who
is asking, CSRF), audit.py (the audit log), pages.py (templates and headers), and one module
per group of pages — signin.py, tokens.py, desk.py (leads and call-backs), rating_desk.py,
staff.py (look-up and the review of unanswered questions, rules in review.py), dashboard.py,
admin.py, privacy.py (PIPL requests), audit_pages.py — and staff_api.py (JSON for scripts);
templates/staff/, static/.
"""
