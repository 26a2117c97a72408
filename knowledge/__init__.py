"""The knowledge base: data model, loader, search and the replies built from them."""
import sys


def without_tensorflow() -> None:
    """spaCy's thinc imports TensorFlow whenever it is installed. Rasa needs it; the action
    server, the portal and the staff commands do not: blocking it before spaCy loads saves
    them ~2 s of start-up and several hundred MB. Call it only at a process's entry point."""
    sys.modules.setdefault("tensorflow", None)
