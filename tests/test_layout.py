"""The parts keep to their front doors: the knowledge library imports nothing from the
application, nobody imports another package's private names, the README's layout table shows
every folder, and the environment is read in bot/settings.py alone."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from bot import settings

ROOT = settings.ROOT
PACKAGES = ["actions", "bench", "bot", "knowledge", "tests"]
IGNORED_DIRS = {".git", ".venv", "var", "node_modules", "__pycache__", ".pytest_cache", ".ci",
                ".rasa", "results", "models"}


def sources(*packages: str) -> list[Path]:
    return [p for pkg in packages for p in (ROOT / pkg).rglob("*.py")
            if "__pycache__" not in p.parts]


def imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, names, line) of every import in a file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.module, [a.name for a in node.names], node.lineno))
    return out


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_the_knowledge_library_imports_nothing_from_the_application():
    found = [f"{p.relative_to(ROOT)}:{line} imports {module}"
             for p in sources("knowledge") for module, _, line in imports(p)
             if module.split(".")[0] in ("bot", "actions")]
    assert found == []


def test_nobody_imports_another_packages_private_names():
    found = []
    for path in sources(*PACKAGES):
        own = path.relative_to(ROOT).parts[0]
        for module, names, line in imports(path):
            if module.split(".")[0] not in PACKAGES or module.split(".")[0] == own:
                continue
            bad = [n for n in names if private(n)] + [m for m in module.split(".") if private(m)]
            if bad:
                found.append(f"{path.relative_to(ROOT)}:{line} {module}: {', '.join(bad)}")
    assert found == []


def test_checker_sees_a_private_import():
    tree = ast.parse("from bot.launcher.servers import _start\n")
    node = tree.body[0]
    assert [n.name for n in node.names if private(n.name)] == ["_start"]


def test_only_settings_reads_the_environment():
    pattern = re.compile(r"os\.environ|os\.getenv|getenv\(")
    allowed = {ROOT / "bot" / "settings.py"}
    found = [str(p.relative_to(ROOT)) for p in sources("actions", "bot", "knowledge")
             if p not in allowed and pattern.search(p.read_text(encoding="utf-8"))]
    assert found == []


def layout_rows() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.M))


def test_the_readme_layout_table_shows_every_folder():
    folders = {f"{p.name}/" for p in ROOT.iterdir() if p.is_dir() and p.name not in IGNORED_DIRS}
    folders |= {f"bot/{p.name}/" for p in (ROOT / "bot").iterdir()
                if p.is_dir() and p.name not in IGNORED_DIRS}
    folders |= {f"knowledge/{p.name}/" for p in (ROOT / "knowledge").iterdir()
                if p.is_dir() and p.name not in IGNORED_DIRS}
    rows = layout_rows()
    assert folders - rows == set(), "folders missing from the README's layout table"
    assert {r for r in rows if r.endswith("/")} - folders == set(), "rows for no folder"


def test_every_bot_subpackage_says_what_it_holds():
    for init in (ROOT / "bot").glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, init.parent.name
