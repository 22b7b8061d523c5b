"""Measuring a command: wall time, CPU time, peak memory of its whole process tree, and the machine."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Run:
    """One measured command."""

    wall: float  # seconds
    cpu: float  # user + system seconds of the command and every process it waited for
    others_cpu: float  # CPU seconds the rest of the machine used meanwhile
    peak_rss_mb: float  # the largest sum of RSS over the whole process tree at one moment
    peak_pss_mb: float  # the same with shared pages counted once (proportional set size)
    peak_processes: int  # the most processes alive in the tree at one moment
    returncode: int
    output: str

    @property
    def share(self) -> float:
        """The fraction of the machine's cores the rest of the machine left free meanwhile."""
        capacity = cores() * self.wall
        return max(0.0, 1 - self.others_cpu / capacity) if capacity else 1.0


def cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        memory = f"{int(meminfo.read_text().split()[1]) // 1024} MB"
    return {
        "cores": str(cores()),
        "cpu": model,
        "memory": memory,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load average before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _busy_seconds() -> float:
    """CPU seconds every core of the machine has spent busy since boot."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICKS


def _children() -> dict[int, list[int]]:
    """Parent pid → child pids, for every process visible in /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; zeros once it is gone."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    values = {}
    for line in text.splitlines()[1:]:
        name, _, rest = line.partition(":")
        values[name] = int(rest.split()[0]) if rest.split() else 0
    return values.get("Rss", 0), values.get("Pss", 0)


class TreeSampler(threading.Thread):
    """Samples the memory of a process and all its descendants until stopped."""

    def __init__(self, root: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak_rss = self.peak_pss = 0
        self.peak_processes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        """Sample until `stop()`."""
        while not self._stop_event.is_set():
            tree, pids, index = _children(), [self.root], 0
            while index < len(pids):
                pids.extend(tree.get(pids[index], []))
                index += 1
            sizes = [_memory_kb(pid) for pid in pids]
            alive = [s for s in sizes if s[0]]
            self.peak_rss = max(self.peak_rss, sum(s[0] for s in alive))
            self.peak_pss = max(self.peak_pss, sum(s[1] for s in alive))
            self.peak_processes = max(self.peak_processes, len(alive))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        """End sampling and wait for the thread."""
        self._stop_event.set()
        self.join()


def measure(command: Sequence[str], cwd: Path | None = None) -> Run:
    """Run `command` to completion, sampling its process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy, started = _busy_seconds(), time.perf_counter()
    process = subprocess.Popen(
        list(command), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    sampler = TreeSampler(process.pid)
    sampler.start()
    output, _ = process.communicate()
    wall = time.perf_counter() - started
    sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(
        wall=wall,
        cpu=cpu,
        others_cpu=max(0.0, _busy_seconds() - busy - cpu),
        peak_rss_mb=sampler.peak_rss / 1024,
        peak_pss_mb=sampler.peak_pss / 1024,
        peak_processes=sampler.peak_processes,
        returncode=process.returncode,
        output=output,
    )


def python(*args: str) -> list[str]:
    """A command line running this interpreter."""
    return [sys.executable, *args]
