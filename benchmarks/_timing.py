"""Run commands many times and keep medians: wall time and the child's peak memory.

Variants of one case run interleaved (A B C A B C ...), so that a slow moment of the machine
hits them all alike and their ratios stay meaningful.
"""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass, field


@dataclass
class Command:
    label: str
    argv: list[str]
    env: dict[str, str]
    cwd: str | None = None


@dataclass
class Result:
    label: str
    times: list[float] = field(default_factory=list)  # seconds
    maxrss_kib: int = 0  # the largest peak seen over all runs
    failures: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


RUNNER_C = r"""
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
extern char **environ;
int main(int argc, char **argv) {
    struct timespec a, b;
    struct rusage ru;
    int status;
    if (argc < 2) return 2;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_RDWR);
        dup2(fd, 0); dup2(fd, 1); dup2(fd, 2);
        execve(argv[1], argv + 1, environ);
        _exit(127);
    }
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) return 2;
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    printf("%lld %ld %d\n", ns, ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
    return 0;
}
"""

_runner: list[str] = []


def build_runner(work: str) -> str:
    """A tiny static C program that times one run and reads the child's peak RSS.

    A child started from this Python process (fork or posix_spawn) would count the benchmark's
    own memory in its peak; a child of the small runner counts only its own.
    """
    import subprocess

    src = os.path.join(work, "runner.c")
    exe = os.path.join(work, "runner")
    with open(src, "w") as f:
        f.write(RUNNER_C)
    for extra in (["-static"], []):
        if subprocess.run(["gcc", "-O2", *extra, src, "-o", exe]).returncode == 0:
            break
    else:
        raise RuntimeError("cannot compile the benchmark runner with gcc")
    _runner[:] = [exe]
    return exe


def run_once(cmd: Command) -> tuple[float, int, int]:
    """One run: (wall seconds, exit status, the child's peak RSS in KiB).

    Linux keeps a process's memory high-water mark across execve, so the peak covers the
    Python shim and the linker it became.
    """
    r, w = os.pipe()
    actions = [(os.POSIX_SPAWN_DUP2, w, 1), (os.POSIX_SPAWN_CLOSE, r)]
    old = os.getcwd()
    try:
        if cmd.cwd:
            os.chdir(cmd.cwd)  # posix_spawn has no portable chdir action before 3.13
        pid = os.posix_spawn(_runner[0], [_runner[0], *cmd.argv], cmd.env, file_actions=actions)
    finally:
        os.chdir(old)
        os.close(w)
    with os.fdopen(r) as f:
        out = f.read().split()
    _, status = os.waitpid(pid, 0)
    if status != 0 or len(out) != 3:
        raise RuntimeError(f"benchmark runner failed on {cmd.argv[0]}")
    return int(out[0]) / 1e9, int(out[2]), int(out[1])


def measure(cmds: list[Command], repeat: int, warmup: int = 2) -> list[Result]:
    """Run every command `repeat` times, interleaved, after `warmup` unrecorded rounds."""
    results = [Result(c.label) for c in cmds]
    for round_no in range(warmup + repeat):
        for cmd, res in zip(cmds, results):
            wall, status, rss = run_once(cmd)
            if round_no < warmup:
                continue
            res.times.append(wall)
            res.maxrss_kib = max(res.maxrss_kib, rss)
            if status != 0:
                res.failures += 1
    return results


def check_ok(cmd: Command) -> None:
    """Run once with output shown; raise if the command fails, so no number hides an error."""
    import subprocess

    proc = subprocess.run(cmd.argv, env=cmd.env, cwd=cmd.cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{cmd.label}: exit {proc.returncode}\n{' '.join(cmd.argv[:8])} ...\n"
            f"{proc.stderr[-2000:]}"
        )
