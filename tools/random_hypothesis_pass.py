"""Run pytest once with a fresh hypothesis seed, printed first, so that a failure can be replayed.

CI's ``ci`` hypothesis profile is derandomized: every run tries the same examples,
so a property that fails on one input in a thousand is never seen. This pass runs
the randomized ``ci-random`` profile with a seed drawn now (or given by
``$SGNAS_HYPOTHESIS_SEED``) and prints it before and, on failure, after the tests,
with the command that replays the same examples.

Usage: ``python tools/random_hypothesis_pass.py [pytest arguments]``, e.g. ``-m invariants``.
"""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
import sys

PROFILE = "ci-random"


def main(pytest_args: list[str]) -> int:
    seed = int(os.environ.get("SGNAS_HYPOTHESIS_SEED") or secrets.randbelow(2**32))
    args = [*pytest_args, f"--hypothesis-seed={seed}"]
    line = (f"hypothesis seed: {seed} (replay: HYPOTHESIS_PROFILE={PROFILE} "
            f"python -m pytest {shlex.join(args)})")
    print(line, flush=True)
    code = subprocess.call([sys.executable, "-m", "pytest", *args], env={**os.environ, "HYPOTHESIS_PROFILE": PROFILE})
    if code:
        print(line, flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
