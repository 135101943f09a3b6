"""Create or update the one virtualenv that every tox environment of this project runs in.

tox 4 recreates an environment whose directory was last used under another
name, so environments cannot share ``env_dir``. Instead each tox environment is
an empty shell whose commands run in ``.tox/sgnas``, which this script keeps in
sync with ``constraints.txt`` and ``pyproject.toml``: torch is installed once,
and reinstalled only when the pins change.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PINS = ("constraints.txt", "pyproject.toml")


def main(env_dir: str) -> int:
    env = Path(env_dir)
    python = env / "bin" / "python"
    stamp = env / ".sgnas-pins"
    digest = hashlib.sha256(b"".join((ROOT / name).read_bytes() for name in PINS)).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == digest:
        return 0
    if not python.exists():
        venv.EnvBuilder(with_pip=True).create(env)
    constraints = str(ROOT / "constraints.txt")
    pip = [str(python), "-m", "pip", "install", "--quiet", "-c", constraints]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[test,lint]"], check=True)
    stamp.write_text(digest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
