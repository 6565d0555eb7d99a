"""One measurement, in a process of its own: import the system, connect, warm up once with
other inputs than the timed call's, collect garbage, time one call, check its count.

    python -m bench.worker '{"system": "teapot", "backend": "sqlite", "workload": "get_by_pk",
                             "scale": 1.0, "repetition": 0}'

The last line of stdout is ``RESULT {json}``: seconds (wall clock), cpu_seconds (the process's
CPU time, every thread's), count, operations, and the peak memory growth of the timed call in MB; or ``{"error": ...}`` / ``{"skipped": ...}``. bench/run.py
starts one per (system, workload, repetition), so no measurement inherits another's caches,
pools or heap.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
import traceback

from bench.config import Sizes
from bench.memory import PeakGrowth
from bench.workloads import WORKLOADS, Workload, inputs_for
from bench.workloads_django import DjangoUnavailable

RESULT_PREFIX = "RESULT "


class WrongCount(Exception):
    pass


def make_system(system: str, backend: str, sizes: Sizes):
    if system == "teapot":
        from bench.workloads_teapot import TeapotWorkloads

        return TeapotWorkloads(backend, sizes)
    if system == "django":
        from bench.workloads_django import DjangoWorkloads

        return DjangoWorkloads(backend, sizes)
    from bench.workloads_raw import workloads_class

    return workloads_class(backend)(backend, sizes)


def check(workload: Workload, sizes: Sizes, inputs: dict, count: int, phase: str) -> None:
    expected = workload.expected(sizes, inputs)
    if count != expected:
        raise WrongCount(f"{workload.name} {phase}: returned {count}, expected {expected}")


def outcome(workload: Workload, sizes: Sizes, timed: dict, count: int, seconds: float, cpu_seconds: float,
            memory: PeakGrowth) -> dict:
    check(workload, sizes, timed, count, "timed call")
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "count": count,
        "operations": workload.operations(timed),
        "rss_growth_mb": memory.mb if workload.measures_memory else None,
    }


async def measure_async(impl, workload: Workload, sizes: Sizes, timed: dict, warm: dict) -> dict:
    call = getattr(impl, workload.name)
    await impl.start(workload.name)
    try:
        warm = await impl.prepare(workload.name, warm)
        check(workload, sizes, warm, await call(warm), "warm-up")
        timed = await impl.prepare(workload.name, timed)
        gc.collect()
        with PeakGrowth() as memory:
            started, cpu_started = time.perf_counter(), time.process_time()
            count = await call(timed)
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        await impl.stop()
    return outcome(workload, sizes, timed, count, seconds, cpu_seconds, memory)


def measure_sync(impl, workload: Workload, sizes: Sizes, timed: dict, warm: dict) -> dict:
    # Django's sync ORM refuses to run inside an event loop: the same steps, without one.
    call = getattr(impl, workload.name)
    impl.start(workload.name)
    try:
        warm = impl.prepare(workload.name, warm)
        check(workload, sizes, warm, call(warm), "warm-up")
        timed = impl.prepare(workload.name, timed)
        gc.collect()
        with PeakGrowth() as memory:
            started, cpu_started = time.perf_counter(), time.process_time()
            count = call(timed)
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        impl.stop()
    return outcome(workload, sizes, timed, count, seconds, cpu_seconds, memory)


def measure(system: str, backend: str, workload: str, scale: float, repetition: int) -> dict:
    sizes = Sizes(scale)
    chosen = WORKLOADS[workload]
    timed, warm = inputs_for(chosen, sizes, repetition)
    impl = make_system(system, backend, sizes)
    if system == "django":
        return measure_sync(impl, chosen, sizes, timed, warm)
    return asyncio.run(measure_async(impl, chosen, sizes, timed, warm))


def main() -> int:
    job = json.loads(sys.argv[1])
    try:
        result = measure(**job)
    except DjangoUnavailable as exc:
        result = {"skipped": str(exc)}
    except Exception as exc:
        traceback.print_exc()
        result = {"error": f"{type(exc).__name__}: {exc}"}
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main())
