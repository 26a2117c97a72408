"""Complaint leads: what a citizen reports through the form, kept for the protection centre.

`fields` checks what citizens type, `models` declares the tables, `store` keeps leads (one
transaction per function: filing, the citizen's status query, what staff list, view, change and
export, retention), and `forwarder` sends new leads to the protection centre from the outbox.
The staff pages and APIs live in the portal (bot/portal/staff_leads.py); the forms in
actions/leads.py.
"""
