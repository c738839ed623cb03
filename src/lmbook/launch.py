"""Start worker processes for the distributed-training demos, the way a real cluster does.

PyTorch jobs go through ``torchrun`` (``python -m torch.distributed.run``), PyTorch's own launcher:
it starts ``nproc`` copies of a script with ``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``,
``MASTER_ADDR`` and ``MASTER_PORT`` set, exactly as on a multi-GPU machine. TensorFlow demos run
one script in a fresh process (its logical devices must be configured before TF starts).
Either way the child processes never outlive the call. :func:`serve` starts a server script (a model
behind an HTTP API, chapter 5), waits until its health endpoint answers and stops it when the ``with``
block ends, even on failure.
"""
from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence


@dataclass
class LaunchResult:
    """What a launched job left behind: its folder (for files the workers wrote) and its output."""

    workdir: Path
    returncode: int
    stdout: str
    stderr: str
    command: list[str]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_script(source: str, name: str = "worker.py", workdir: str | Path | None = None) -> Path:
    """Write ``source`` (dedented) to ``workdir/name`` (a new temporary folder by default)."""
    folder = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="lmbook_launch_"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
    return path


def _as_script(script: str | Path) -> Path:
    """A path stays a path; anything else is the source text of a script, written to a temporary folder."""
    if isinstance(script, Path):
        return script
    if script.endswith(".py") and "\n" not in script and Path(script).is_file():
        return Path(script)
    return write_script(script)


def _run(command: list[str], workdir: Path, env: Mapping[str, str] | None, timeout_s: float) -> LaunchResult:
    child_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    proc = subprocess.Popen(command, cwd=workdir, env=child_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the launcher and every worker it started
        out, err = proc.communicate()
        raise TimeoutError(f"{' '.join(command[-3:])} 在 {timeout_s:g} s 内没有结束，已终止全部子进程。\n{err[-2000:]}") from None
    result = LaunchResult(workdir, proc.returncode, out, err, command)
    if proc.returncode != 0:
        raise RuntimeError(f"子进程失败（返回码 {proc.returncode}）：{' '.join(command)}\n--- stderr 末尾 ---\n{err[-3000:]}")
    return result


def torchrun(script: str | Path, *, nproc: int, args: Sequence[str] = (), env: Mapping[str, str] | None = None,
             timeout_s: float = 300) -> LaunchResult:
    """Run a PyTorch script under ``torchrun`` with ``nproc`` processes on this machine.

    ``script`` is a path, or the source text of a script (written to a temporary folder first).
    Each worker reads its rank from the environment (``int(os.environ["RANK"])``). Raises with the
    workers' stderr when any of them fails, and kills all of them after ``timeout_s``.
    """
    if not isinstance(nproc, int) or nproc < 1:
        raise ValueError(f"nproc 必须是正整数（进程数），收到 {nproc!r}。")
    path = _as_script(script)
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(nproc),
               "--master_addr", "127.0.0.1", "--master_port", str(free_port()), str(path), *args]
    threads = {"OMP_NUM_THREADS": "1"} if nproc > 1 else {}  # workers share the cores
    return _run(command, path.parent, {"LOGLEVEL": "WARNING", **threads, **(env or {})}, timeout_s)


def run_script(script: str | Path, *, args: Sequence[str] = (), env: Mapping[str, str] | None = None,
               timeout_s: float = 300) -> LaunchResult:
    """Run one Python script (a path or its source text) in a fresh interpreter; raise with its stderr on failure."""
    path = _as_script(script)
    return _run([sys.executable, str(path), *args], path.parent, env, timeout_s)


# --------------------------------------------------------------------------- servers (chapter 5: a model behind an API)
class Server:
    """A server process started by :func:`serve`: ``url`` to talk to it, ``stop()`` to end it (idempotent).

    Use it as a context manager so it is stopped even when the code inside fails::

        with launch.serve(script, args=[model_dir]) as server:
            httpx.get(server.url + "/health")
    """

    def __init__(self, proc: subprocess.Popen, port: int, log_path: Path, command: list[str]) -> None:
        self.proc, self.port, self.log_path, self.command = proc, port, log_path, command
        self.url = f"http://127.0.0.1:{port}"

    @property
    def pid(self) -> int:
        return int(self.proc.pid)

    def running(self) -> bool:
        """True while the process has not exited."""
        return self.proc.poll() is None

    def output(self, tail: int = 4000) -> str:
        """The last ``tail`` characters the server wrote to stdout and stderr."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-tail:]
        except OSError:
            return ""

    def stop(self, grace_s: float = 5.0) -> int | None:
        """SIGTERM to the server's process group, SIGKILL after ``grace_s``; returns the exit code."""
        atexit.unregister(self.stop)
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        return self.proc.returncode

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _health_ok(url: str) -> bool:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=1.0) as response:  # noqa: S310 - a local URL we built
            return 200 <= int(response.status) < 300
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def serve(script: str | Path, *, args: Sequence[str] = (), port: int | None = None, health_path: str = "/health",
          env: Mapping[str, str] | None = None, timeout_s: float = 60.0) -> Server:
    """Start a server script in a fresh interpreter and wait until ``GET health_path`` answers 2xx.

    ``script`` is a path or the source text of a script. It must listen on 127.0.0.1 at the port given in
    the environment variable ``LMBOOK_PORT`` (``{port}`` in ``args`` is replaced by it, too). Returns a
    :class:`Server`; use ``with serve(...) as server:`` so it is always stopped (when that is impossible, as
    across notebook cells, call ``server.stop()``; the interpreter's exit stops it too). If the process exits or
    does not become healthy within ``timeout_s``, it is killed and the error names its output.
    """
    path = _as_script(script)
    port = free_port() if port is None else int(port)
    log_path = path.parent / f"server_{port}.log"
    command = [sys.executable, str(path), *(a.replace("{port}", str(port)) for a in args)]
    child_env = {**os.environ, "PYTHONUNBUFFERED": "1", "LMBOOK_PORT": str(port), **(env or {})}
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(command, cwd=path.parent, env=child_env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    server = Server(proc, port, log_path, command)
    atexit.register(server.stop)  # a notebook kernel that exits (or a cell that fails before stop()) still stops it
    deadline = time.monotonic() + timeout_s
    while True:
        if not server.running():
            code = server.stop()
            raise RuntimeError(f"服务器进程在就绪前退出（返回码 {code}）：{' '.join(command)}\n--- 输出末尾 ---\n{server.output()}")
        if _health_ok(server.url + health_path):
            return server
        if time.monotonic() > deadline:
            server.stop()
            raise TimeoutError(f"服务器在 {timeout_s:g} s 内没有就绪（{server.url}{health_path}），已终止。\n"
                               f"--- 输出末尾 ---\n{server.output()}")
        time.sleep(0.1)
