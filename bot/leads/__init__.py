"""Complaint leads: what a citizen reports through the form, kept for the protection centre.

`fields` checks what citizens type, `store` keeps leads (one transaction per change),
`forwarder` sends new leads to the protection centre, `staff_api` serves staff, and
`python -m bot.leads retention` anonymises closed leads after the retention period.
"""
