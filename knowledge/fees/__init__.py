"""The calculators: is an applicant eligible for 专利费减, what a patent fee or a trademark
filing costs. Every number comes from knowledge/data/fees.yml (through the database), never from
code; the computations are pure Python and need no Rasa.

    loader.py     validates fees.yml (file:line errors like the other data files)
    schedule.py   the fees, rules and applicant kinds in force on a day, as plain records
    facts.py      what a citizen's message says: kind, income, patent type, fee, year, classes …
    calculate.py  the three computations, each returning a plain result record
    replies.py    a result as the bot says it: the number, the rule with its source and date,
                  that it is an estimate, and the official system that decides
"""
