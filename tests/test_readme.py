"""The README's quickstart, run as written against `revgate up`, and Ctrl-C stopping everything."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.stack import StackPorts

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
QUICKSTART = README[README.index("## Quickstart") :].split("\n## ", 1)[0]


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """``(language, body)`` of every fenced block, in order."""
    blocks: list[tuple[str, str]] = []
    language: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("```"):
            if language is None:
                language, lines = line[3:].strip(), []
            else:
                blocks.append((language, "\n".join(lines)))
                language = None
        elif language is not None:
            lines.append(line)
    return blocks


def _busy(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    ports = StackPorts()
    if busy := [p for p in msgspec_ports(ports) if _busy(p)]:
        pytest.skip(f"ports {busy} are taken (is `make up` running?)")
    workdir = tmp_path_factory.mktemp("newcomer")
    (workdir / ".venv").symlink_to(Path(sys.executable).parent.parent)
    log = (workdir / "up.log").open("w")
    process = subprocess.Popen(
        [str(workdir / ".venv" / "bin" / "revgate"), "up"],
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not _ready(ports):
            assert process.poll() is None, (workdir / "up.log").read_text()
            assert time.monotonic() < deadline, "the stack did not come up in 60 s"
            time.sleep(0.2)
        yield workdir, process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def msgspec_ports(ports: StackPorts) -> list[int]:
    return [getattr(ports, name) for name in ports.__struct_fields__]


def _ready(ports: StackPorts) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{ports.admin}/readyz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def test_the_quickstart_answers_as_shown(stack: tuple[Path, subprocess.Popen[str]]) -> None:
    workdir, _ = stack
    blocks = fenced_blocks(QUICKSTART)
    commands = [body for language, body in blocks if language == "sh"]
    shown = "\n".join(body for language, body in blocks if language == "")
    assert commands
    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", "\n".join(commands)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TMPDIR": str(workdir)},
    )
    assert run.returncode == 0, run.stderr
    # Ids, timestamps and tokens differ from run to run; statuses and problem types must not.
    markers = re.findall(r"HTTP/1\.1 \d{3}[^\n]*|https://revgate\.dev/problems/[a-z-]+|^\d{3}$", shown, re.M)
    assert markers
    position = 0
    for marker in markers:
        found = run.stdout.find(marker, position)
        assert found >= 0, f"{marker!r} not answered (in order); got:\n{run.stdout}"
        position = found + len(marker)


def test_ctrl_c_stops_everything(stack: tuple[Path, subprocess.Popen[str]]) -> None:
    _, process = stack
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    assert [p for p in msgspec_ports(StackPorts()) if _busy(p)] == []
