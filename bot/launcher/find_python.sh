#!/usr/bin/env bash
# Prints the path of a Python 3.8–3.10 interpreter (Rasa 3.6 installs on nothing newer).
# Looks at $PYTHON, then python3.10/3.9/3.8 on PATH, then pyenv's installed versions.
set -u
ok() {  # runs the candidate: pyenv shims exist on PATH even for versions that are not active
  "$1" -c 'import sys, venv; sys.exit(not ((3, 8) <= sys.version_info[:2] <= (3, 10)))' \
    >/dev/null 2>&1
}
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
for v in 3.10 3.9 3.8; do
  p=$(command -v "python$v" 2>/dev/null) && candidates+=("$p")
done
root=${PYENV_ROOT:-$HOME/.pyenv}
for v in 3.10 3.9 3.8; do
  for p in $(ls -d "$root"/versions/"$v".*/bin/python 2>/dev/null | sort -rV); do
    candidates+=("$p")
  done
done
p=$(command -v python3 2>/dev/null) && candidates+=("$p")
for c in "${candidates[@]}"; do
  if ok "$c"; then echo "$c"; exit 0; fi
done
cat >&2 <<'MSG'
No Python 3.8–3.10 found (Rasa 3.6 does not install on 3.11 or newer).
Install one, then run make again, e.g.:
  pyenv install 3.10.13        (with pyenv: https://github.com/pyenv/pyenv)
  apt-get install python3.10 python3.10-venv   (where your distribution has it)
or point to one:  make run PYTHON=/path/to/python3.10
MSG
exit 1
