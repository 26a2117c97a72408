"""Starting and stopping the servers (`servers`), training when the inputs changed (`train`),
the held-out NLU report and the strict data validation: what `python -m bot …` runs."""
