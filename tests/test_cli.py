"""The `rapport` command as an operator meets it."""

from __future__ import annotations

import os
import subprocess
import sys


def test_a_weak_secret_key_is_one_line_and_exit_status_2() -> None:
    env = {**os.environ, "SECRET_KEY": "short", "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    result = subprocess.run(
        [sys.executable, "-m", "rapport", "worker"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("rapport: configuration error:") and "SECRET_KEY" in line
