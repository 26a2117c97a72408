"""Personal data that expires, and one citizen's data on request (PIPL art. 19, 44–47).

`retention` runs every store's period (`python -m bot retention`, daily); `tracker` reads and
rewrites Rasa's tracker store (redaction, deletion, search); `subject` finds, exports or
deletes one citizen's data across all stores (the administrator's page in the portal).
"""
