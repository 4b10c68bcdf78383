"""SQLite serves one ``agora run``: a second one on the same file is refused at start, in one clear line, while
the first keeps running; once the first is gone (even SIGKILLed), the file can be served again."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.support import AgoraProcess, agora, run_config

READY = "health endpoint ready"


def config_with_health(path: Path, url: str) -> Path:
    run_config(path, url, {})
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["health"] = {"enabled": True, "host": "127.0.0.1", "port": 0}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


async def test_a_second_agora_run_on_the_same_sqlite_file_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "agora.db"
    url = f"sqlite+aiosqlite:///{database}"
    first = AgoraProcess(config_with_health(tmp_path / "first.yaml", url))
    await first.start(READY)
    assert first.process is not None
    try:
        second = agora("run", "--config", config_with_health(tmp_path / "second.yaml", url), cwd=tmp_path)
        assert second.returncode == 1
        assert (
            f"{database} is already served by another `agora run` (pid {first.process.pid})" in second.stderr
        )
        assert "Traceback" not in second.stderr
        assert first.process.returncode is None  # the first one is untouched
    finally:
        await first.kill()
    again = AgoraProcess(config_with_health(tmp_path / "second.yaml", url))
    await again.start(READY)  # a SIGKILL leaves no stale lock behind
    await again.stop()
