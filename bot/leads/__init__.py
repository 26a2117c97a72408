"""What citizens ask staff to act on: complaint leads for the protection centre and call-back
requests from citizens who asked for a person.

`fields` checks what citizens type, `models` declares the tables, `store` files leads and
answers the citizen's status query, `callbacks` does the same for call-backs, `forwarder` sends
new leads to the protection centre from the outbox, `cases` is both as the staff desk works
them (list, open, move on, export, anonymise, find, delete), and `workdays` counts working
days with the holiday calendar (`workdays.yml`). The desk's pages live in the portal
(bot/portal/desk.py); the forms in actions/leads.py and actions/callbacks.py.
"""
