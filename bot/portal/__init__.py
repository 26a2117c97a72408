"""The portal: a small web server beside Rasa for what browsers load — the chat widget (one
script tag embeds it in any page), a demo page, the ratings the widget posts — and the staff
pages and APIs. Conversations themselves go from the browser straight to Rasa's REST channel.

    python -m bot portal        # listens on BIND_HOST:WEB_PORT (127.0.0.1:5080)

app.py (the factory), public.py (what anyone may load), ratings.py, staff.py (look-up),
staff_leads.py (the leads API), static/ (the widget, the demo page, the staff page).
"""
