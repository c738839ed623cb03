"""lmbook.launch: torchrun workers and plain scripts, failures reported, nothing left running."""
import pytest
import torch

from lmbook import launch


def test_torchrun_two_gloo_workers_all_reduce(tmp_path):
    script = f'''
        import os
        import torch
        import torch.distributed as dist

        dist.init_process_group("gloo")
        rank = dist.get_rank()
        t = torch.tensor([float(rank + 1)])
        dist.all_reduce(t)                       # 1 + 2
        torch.save(t, os.path.join({str(tmp_path)!r}, f"rank{{rank}}.pt"))
        dist.destroy_process_group()
    '''
    result = launch.torchrun(script, nproc=2, timeout_s=120)
    assert result.returncode == 0
    assert [torch.load(tmp_path / f"rank{r}.pt").item() for r in range(2)] == [3.0, 3.0]


def test_run_script_reports_failures_with_stderr():
    assert launch.run_script("print('你好')").stdout.strip() == "你好"
    with pytest.raises(RuntimeError, match="(?s)返回码 1.*ZeroDivisionError"):
        launch.run_script("1 / 0")
    with pytest.raises(ValueError, match="nproc 必须是正整数"):
        launch.torchrun("pass", nproc=0)


def test_timeout_kills_everything():
    with pytest.raises(TimeoutError, match="已终止全部子进程"):
        launch.run_script("import time; time.sleep(30)", timeout_s=1)


HEALTH_SERVER = '''
    import os
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/health" else 404)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    print("listening", flush=True)
    HTTPServer(("127.0.0.1", int(os.environ["LMBOOK_PORT"])), Handler).serve_forever()
'''


def test_serve_waits_for_health_and_always_stops():
    import urllib.request

    with pytest.raises(ZeroDivisionError):
        with launch.serve(HEALTH_SERVER, timeout_s=30) as server:
            with urllib.request.urlopen(server.url + "/health") as r:
                assert r.status == 200
            assert server.running() and "listening" in server.output()
            1 / 0  # the block fails: the server must still be stopped
    assert not server.running()
    assert server.stop() is not None  # idempotent


def test_serve_reports_a_server_that_dies_or_never_becomes_healthy():
    with pytest.raises(RuntimeError, match="(?s)就绪前退出.*ZeroDivisionError"):
        launch.serve("1 / 0", timeout_s=30)
    with pytest.raises(TimeoutError, match="没有就绪"):
        launch.serve("import time; time.sleep(60)", timeout_s=1)


def test_serve_stops_the_server_when_the_interpreter_exits():
    import time

    import psutil

    script = f"from lmbook import launch\nserver = launch.serve({HEALTH_SERVER!r}, timeout_s=30)\nprint(server.pid)\n"
    pid = int(launch.run_script(script, timeout_s=90).stdout.split()[-1])  # the script never calls stop()
    deadline = time.monotonic() + 10
    while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the server outlived the interpreter that started it"
        time.sleep(0.1)
