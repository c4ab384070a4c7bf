"""`loket up` on the embedded default: everything starts, a crashed service is restarted,
SIGTERM stops everything cleanly, and data survives a restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from loket.devstack.runtime_file import runtime_database_url

pytestmark = pytest.mark.slow


def ready(port: int) -> bool:
    return answers(f"http://127.0.0.1:{port}/health/ready")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def wait(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def start_up(data_dir: Path, ready_timeout_s: float = 90, **extra_env: str) -> tuple[subprocess.Popen[bytes], dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
    env["LOKET_DATA_DIR"] = str(data_dir)
    # Any free ports: the other test worker may run a whole system too, and its supervisor
    # restarts a killed service on that service's port.
    env["LOKET_WELL_KNOWN_PORTS"] = "false"
    env.update(extra_env)
    (data_dir / "runtime.json").unlink(missing_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "loket.cli", "up"], env=env,
        stdout=(data_dir / "up.out").open("ab"), stderr=subprocess.STDOUT,
    )
    try:
        wait(lambda: (data_dir / "runtime.json").exists(), 60, "runtime.json")
        runtime = json.loads((data_dir / "runtime.json").read_text())
        try:
            wait(lambda: all(ready(p) for p in runtime["ports"].values()), ready_timeout_s, "all services ready")
        except AssertionError as exc:
            not_ready = [name for name, port in runtime["ports"].items() if not ready(port)]
            output = (data_dir / "up.out").read_text(errors="replace")[-4000:]
            raise AssertionError(f"{exc}: not ready {not_ready}; loket up printed last:\n{output}") from None
        # The simulators start beside the services, not before them (the eBox one took 5 s longer in a CI run).
        simulators = [url for url in (runtime.get("ebox_simulator_url"), runtime.get("sms_simulator_url")) if url]
        wait(lambda: all(answers(f"{url}/health/live") for url in simulators), ready_timeout_s, "the simulators")
    except AssertionError:
        # A start that failed must not leave its system running for the rest of the session (a
        # CI run found its NATS server still running after the suite).
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    return proc, runtime


def stop_up(proc: subprocess.Popen[bytes]) -> list[psutil.Process]:
    family = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0
    return family


def service_process(supervisor_pid: int, name: str) -> psutil.Process:
    for child in psutil.Process(supervisor_pid).children():
        try:
            if child.cmdline()[-2:] == ["serve", name]:
                return child
        except (psutil.ZombieProcess, psutil.NoSuchProcess):
            continue  # a child that just exited, not yet restarted by the supervisor
    raise AssertionError(f"no process for {name}")


def server_process(supervisor_pid: int, program: str) -> psutil.Process | None:
    """The embedded server `loket up` started (in its own session, still its child), if running."""
    for child in psutil.Process(supervisor_pid).children():
        try:
            if Path(child.cmdline()[0]).name == program:
                return child
        except (psutil.ZombieProcess, psutil.NoSuchProcess, IndexError):
            continue
    return None


def test_up_supervises_restarts_and_stops_cleanly_with_data_kept(tmp_path: Path) -> None:
    proc, runtime = start_up(tmp_path)
    try:
        # The eBox simulator runs beside the services (no real eBox configured).
        with urllib.request.urlopen(f"{runtime['ebox_simulator_url']}/health/live", timeout=5) as r:
            assert r.status == 200
        booking = service_process(proc.pid, "booking")
        booking.kill()  # a crash
        wait(lambda: not ready(runtime["ports"]["booking"]), 10, "booking to go down")
        wait(lambda: ready(runtime["ports"]["booking"]), 60, "booking to be restarted")
        assert service_process(proc.pid, "booking").pid != booking.pid
        # The embedded servers are watched as well: killed, each is started again on its data and
        # port, and the services (which retry their connections) are ready again without a restart.
        for server in ("postgres", "nats-server"):
            killed = server_process(proc.pid, server)
            assert killed is not None, f"no {server} process"
            killed.kill()
            wait(lambda s=server, k=killed: (server_process(proc.pid, s) or k).pid != k.pid, 60, f"{server} started again")
            wait(lambda: all(ready(p) for p in runtime["ports"].values()), 90, f"the services after {server} came back")
        printed = (tmp_path / "up.out").read_text(errors="replace")
        assert "PostgreSQL: restarting" in printed and "PostgreSQL: back" in printed
        assert "nats-server: restarting" in printed and "nats-server: back" in printed
        subprocess.run(
            [sys.executable, "-c", "import asyncio, asyncpg, sys\n"
             "async def main():\n"
             "    c = await asyncpg.connect(sys.argv[1])\n"
             "    await c.execute('CREATE TABLE public.kept (v text); INSERT INTO public.kept VALUES (\\'still here\\')')\n"
             "asyncio.run(main())", runtime_database_url(runtime)],
            check=True, timeout=30,
        )
    finally:
        family = stop_up(proc)
    gone, alive = psutil.wait_procs(family, timeout=10)
    assert not alive, f"left running after SIGTERM: {[p.pid for p in alive]}"

    proc, runtime_again = start_up(tmp_path)
    try:
        assert runtime_database_url(runtime_again) == runtime_database_url(runtime)  # same port, same data
        out = subprocess.run(
            [sys.executable, "-c", "import asyncio, asyncpg, sys\n"
             "async def main():\n"
             "    c = await asyncpg.connect(sys.argv[1])\n"
             "    print(await c.fetchval('SELECT v FROM public.kept'))\n"
             "asyncio.run(main())", runtime_database_url(runtime_again)],
            check=True, timeout=30, capture_output=True, text=True,
        )
        assert out.stdout.strip() == "still here"
    finally:
        stop_up(proc)
