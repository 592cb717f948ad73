"""How the suite times things and names the machine it ran on.

Compared variants run in one process, interleaved round by round (the order rotates
each round), so drifts of the machine hit every variant alike and cancel in ratios.
Each figure is the median of the rounds.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from importlib import metadata

Samples = dict[str, list[float]]
"""Variant name -> seconds taken by each round, in round order."""


def interleaved(variants: Mapping[str, Callable[[], object]], rounds: int) -> Samples:
    """Run every variant once per round (rotating who goes first); seconds per run.

    Each variant runs once untimed first, so imports and caches are warm. The
    garbage collector stays on, as it is in a host, but starts every run empty.
    """
    names = list(variants)
    for name in names:
        variants[name]()
    samples: Samples = {name: [] for name in names}
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            start = time.perf_counter()
            variants[name]()
            samples[name].append(time.perf_counter() - start)
    return samples


def median(values: list[float]) -> float:
    """The median of *values* (which must not be empty)."""
    return statistics.median(values)


def median_ratio(samples: Samples, numerator: str, denominator: str) -> float:
    """The median over rounds of ``numerator / denominator`` timed in the same round."""
    return median([a / b for a, b in zip(samples[numerator], samples[denominator], strict=True)])


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, str | int | None]:
    """What the figures were measured on: platform, CPU, Python and library versions."""
    return {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "service_recovery": _version("service-recovery"),
        "transitions": _version("transitions"),
        "attrs": _version("attrs"),
    }
