"""The knowledge library: sourced answers with their dates, retrieval, and the replies built
from them. It stands alone: it reads nothing from the environment and imports nothing from the
application; the database URL, the data folder and "today" are passed in.

    import knowledge
    kb = knowledge.open(url, data_dir)        # the one front door: a KnowledgeService
    kb.answer("专利费减的条件是什么")            # a Reply: text with its source line, buttons
    kb.search("费减 材料")                      # Found records for staff
    knowledge.build(url, data_dir)            # validate the data files, load them atomically
    knowledge.export(url, out_dir)            # the published answers back in the files' format

Importing this package is cheap (nothing heavy is imported until `open`/`build`), so a process
can call `without_tensorflow()` first.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from knowledge.loader import KnowledgeData
    from knowledge.service import KnowledgeService


def __getattr__(name: str):
    if name == "LoadError":  # kept lazy like everything else here
        from knowledge.loader import LoadError
        return LoadError
    raise AttributeError(f"module 'knowledge' has no attribute {name!r}")


def without_tensorflow() -> None:
    """spaCy's thinc imports TensorFlow whenever it is installed. Rasa needs it; the action
    server, the portal and the staff commands do not: blocking it before spaCy loads saves
    them ~2 s of start-up and several hundred MB. thinc's optional h5py (Keras weights) goes
    with it: 11 MB. Call it at a process's entry point, before anything imports spaCy (it does
    nothing once they are in)."""
    sys.modules.setdefault("tensorflow", None)
    sys.modules.setdefault("h5py", None)


def open(url: str, data_dir: Path,  # noqa: A001 (the library's front door, like io.open)
         today: Callable[[], dt.date] = dt.date.today) -> "KnowledgeService":
    """The knowledge service over the database at `url`; topics from `data_dir`/topics.yml;
    `today()` says which rules are in force."""
    from knowledge.loader import read_topics
    from knowledge.service import KnowledgeService
    from knowledge.storage import database
    return KnowledgeService(database(url), read_topics(Path(data_dir)), today)


def check(data_dir: Path) -> "KnowledgeData":
    """Validates every data file; raises LoadError naming file:line [record] of each problem."""
    from knowledge.loader import read_data
    return read_data(Path(data_dir))


def build(url: str, data_dir: Path, overwrite: bool = False) -> "KnowledgeData":
    """Validates, then replaces the knowledge in the database in one transaction. The answers
    are imported as published versions; records edited in the staff portal are not
    overwritten (editing.Refused names them) unless `overwrite`."""
    from knowledge.loader import load
    from knowledge.storage import database
    return load(Path(data_dir), database(url), overwrite)


def export(url: str, out_dir: Path) -> list[Path]:
    """Writes the published answers to `out_dir` in the data files' format (one file a topic)."""
    from knowledge.editing import export as write
    from knowledge.storage import database
    return write(database(url), Path(out_dir))
