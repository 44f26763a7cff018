"""``-o FILE`` is written to a temporary file beside it and renamed: an error or Ctrl-C
never leaves a partial file and never destroys the previous one."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rackplan import _io

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "enterprise-pod.yaml"
PREVIOUS = "previous contents\n"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_output_equals_standard_output_and_keeps_permissions(run, tmp_path):
    out = tmp_path / "plan.json"
    out.write_text(PREVIOUS)
    out.chmod(0o640)
    printed = run("plan", str(EXAMPLE), "--format", "json")
    written = run("plan", str(EXAMPLE), "--format", "json", "-o", str(out))
    assert written.exit_code == 0 and written.stdout == ""
    assert out.read_text() == printed.stdout
    assert out.stat().st_mode & 0o777 == 0o640
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(("failure", "code", "message"), [
    (KeyboardInterrupt(), 130, "interrupted"),
    (OSError(28, "No space left on device"), 2, "cannot write output: No space left on device"),
])
def test_failure_part_way_keeps_the_previous_file(run, tmp_path, monkeypatch, failure, code, message):
    """The text is written and flushed to the temporary file, then the write fails."""
    out = tmp_path / "plan.json"
    out.write_text(PREVIOUS)
    seen = []

    def fail(fd: int) -> None:
        seen.append(leftovers(tmp_path))
        raise failure

    monkeypatch.setattr(_io.os, "fsync", fail)
    result = run("plan", str(EXAMPLE), "--format", "json", "-o", str(out))
    assert seen and len(seen[0]) == 1, "the failure happened with the temporary file in place"
    assert result.exit_code == code
    assert result.stderr.splitlines() == [message if code == 130 else f"error: {out}: {message}"]
    assert out.read_text() == PREVIOUS
    assert leftovers(tmp_path) == []


def test_failure_leaves_no_file_where_there_was_none(run, tmp_path, monkeypatch):
    monkeypatch.setattr(_io.os, "replace", lambda a, b: (_ for _ in ()).throw(KeyboardInterrupt()))
    result = run("plan", str(EXAMPLE), "-o", str(tmp_path / "new.txt"))
    assert result.exit_code == 130
    assert list(tmp_path.iterdir()) == []


_SLOW_WRITE = """
import os, sys, time
real_fsync = os.fsync
def slow_fsync(fd):
    print("writing", flush=True)
    time.sleep(60)
    real_fsync(fd)
os.fsync = slow_fsync
from rackplan.cli import main
sys.argv[0] = "rackplan"
main()
"""


def test_ctrl_c_during_the_write_in_a_real_process(tmp_path):
    """SIGINT arrives while the plan is on disk in the temporary file, before the rename."""
    out = tmp_path / "plan.json"
    out.write_text(PREVIOUS)
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITE, "plan", str(EXAMPLE), "--format",
                             "json", "-o", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline() == "writing\n"
    assert len(leftovers(tmp_path)) == 1
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert err == "interrupted\n"
    assert out.read_text() == PREVIOUS
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("delay", [0.3, 1.0, 2.0, 4.0])
def test_ctrl_c_at_any_moment_leaves_old_or_whole_file(tmp_path, delay):
    """Wherever the interrupt lands (import, planning, writing), the file is either the
    previous one or a complete plan."""
    out = tmp_path / "plan.json"
    out.write_text(PREVIOUS)
    proc = subprocess.Popen([sys.executable, "-m", "rackplan", "plan", str(EXAMPLE), "--format",
                             "json", "-o", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    text = out.read_text()
    if text != PREVIOUS:
        assert json.loads(text)["totals"]["gpus"] == 256
    assert leftovers(tmp_path) == []
    assert proc.returncode in (0, 130, -signal.SIGINT)


# --------------------------------------------------------------------------- special targets


def test_a_symlink_is_followed_and_kept(tmp_path):
    from rackplan._io import write_atomic

    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_a_device_or_pipe_is_written_to_not_replaced(tmp_path):
    import os
    import threading

    from rackplan._io import write_atomic

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, "through the pipe")
    reader.join(timeout=10)
    assert got == [b"through the pipe"]
    assert fifo.exists() and not fifo.is_file()  # still a FIFO
    write_atomic("/dev/null", "nothing")  # a character device stays one
    assert Path("/dev/null").is_char_device()


def test_dash_is_standard_output(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("catalog", "list", "--kind", "racks", "-o", "-")
    assert result.exit_code == 0 and "air-42u-15kw" in result.stdout
    assert not (tmp_path / "-").exists()


def test_a_binary_format_goes_to_standard_output_with_dash(tmp_path):
    from click.testing import CliRunner

    from rackplan.cli import cli

    example = Path(__file__).resolve().parent.parent / "examples" / "enterprise-pod.yaml"
    result = CliRunner().invoke(cli, ["plan", str(example), "--format", "xlsx", "-o", "-"])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"PK\x03\x04")  # a zip: the workbook


def test_an_exception_before_ctrl_c_is_released_still_releases_it(tmp_path, monkeypatch):
    """SIGINT is blocked while the temporary file is created and released first thing in the
    block that cleans it up; an exception landing before that release (a SIGALRM handler's,
    say) must not leave SIGINT blocked for the rest of the process, nor the file behind."""
    import signal

    from rackplan import _io

    if not hasattr(signal, "pthread_sigmask"):
        pytest.skip("no signal masks on this platform")
    real = _io._release_ctrl_c
    calls = [0]

    class Alarm(BaseException):
        pass

    def release_late(held: object) -> None:
        calls[0] += 1
        if calls[0] == 1:  # the release that opens the cleanup block: the alarm comes first
            raise Alarm
        real(held)

    monkeypatch.setattr(_io, "_release_ctrl_c", release_late)
    with pytest.raises(Alarm):
        _io.write_atomic(tmp_path / "plan.json", "{}")
    assert not signal.pthread_sigmask(signal.SIG_BLOCK, set()) & {signal.SIGINT}
    assert leftovers(tmp_path) == [] and not (tmp_path / "plan.json").exists()
