"""From the measurements of one backend to its Markdown table: medians over repetitions of
each system's throughput and µs per operation, and of the ratio teapot ÷ baseline computed
within each repetition (so a repetition that ran on a busier machine moves both sides)."""

from __future__ import annotations

import dataclasses
import statistics

from bench.workloads import DRIVER, ORM, Workload

BASELINES = {DRIVER: "raw", ORM: "django"}
BASELINE_TITLES = {"raw": "raw driver", "django": "Django sync"}


@dataclasses.dataclass
class Measurement:
    """One worker's answer: its result (seconds, count, operations, rss_growth_mb) or its error."""

    result: dict | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None and self.error is None


def throughput(workload: Workload, result: dict) -> float:
    done = result["count"] if workload.rate_counts_rows else result["operations"]
    return done / result["seconds"]


def micros_per_operation(result: dict) -> float:
    return result["seconds"] / result["operations"] * 1e6


def cpu_micros_per_operation(result: dict) -> float | None:
    """The process's own CPU time per operation: what the system costs the client, without the
    time spent waiting for the server or the disk (a commit's flush), which a wall-clock
    figure of a small write is mostly made of."""
    if result.get("cpu_seconds") is None:
        return None  # a measurement saved before the CPU time was taken
    return result["cpu_seconds"] / result["operations"] * 1e6


@dataclasses.dataclass
class Row:
    """A workload's line of the table: one measurement per repetition for each system."""

    workload: Workload
    teapot: list[Measurement] = dataclasses.field(default_factory=list)
    baseline: list[Measurement] = dataclasses.field(default_factory=list)

    def ratios(self) -> list[float]:
        """teapot's throughput ÷ the baseline's, for each repetition where both worked."""
        return [
            throughput(self.workload, t.result) / throughput(self.workload, b.result)
            for t, b in zip(self.teapot, self.baseline)
            if t.ok and b.ok
        ]

    def failures(self, baseline_name: str) -> list[str]:
        found = []
        for system, runs in (("teapot", self.teapot), (baseline_name, self.baseline)):
            found += [f"{system}, repetition {n + 1}: {m.error}" for n, m in enumerate(runs) if m.error]
        return found


def median_of(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def number(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def micros(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


@dataclasses.dataclass
class Medians:
    """One system's medians over its successful repetitions."""

    throughput: float | None
    micros_per_operation: float | None
    cpu_micros_per_operation: float | None
    memory_mb: float | None

    @classmethod
    def of(cls, workload: Workload, runs: list[Measurement]) -> Medians:
        good = [m.result for m in runs if m.ok]
        return cls(
            median_of([throughput(workload, r) for r in good]),
            median_of([micros_per_operation(r) for r in good]),
            median_of([cpu for r in good if (cpu := cpu_micros_per_operation(r)) is not None]),
            median_of([r["rss_growth_mb"] for r in good if r.get("rss_growth_mb") is not None]),
        )


def table(group: str, rows: list[Row]) -> str:
    """The Markdown table of one group of workloads, with its failures under it."""
    short = "raw" if group == DRIVER else "Django"
    header = ["workload", "unit", "teapot", BASELINE_TITLES[BASELINES[group]], f"teapot ÷ {short}",
              "teapot µs/op", f"{short} µs/op", "teapot CPU µs/op", f"{short} CPU µs/op", "µs/op is per"]
    with_memory = any(row.workload.measures_memory for row in rows)
    if with_memory:
        header.append(f"peak RSS growth MB (teapot / {short})")
    text_columns = ("workload", "unit", "µs/op is per")
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" if title in text_columns else "---:" for title in header) + "|",
    ]
    failures = []
    for row in rows:
        ours, theirs = Medians.of(row.workload, row.teapot), Medians.of(row.workload, row.baseline)
        ratio = median_of(row.ratios())
        name = row.workload.name
        if row.failures(short):
            name += " (failed)"
            failures += [f"- {row.workload.name}: {failure}" for failure in row.failures(short)]
        cells = [name, row.workload.unit, number(ours.throughput), number(theirs.throughput),
                 "—" if ratio is None else f"{ratio:.2f}", micros(ours.micros_per_operation),
                 micros(theirs.micros_per_operation), micros(ours.cpu_micros_per_operation),
                 micros(theirs.cpu_micros_per_operation), row.workload.operation]
        if with_memory:
            memory = f"{number(ours.memory_mb, 1)} / {number(theirs.memory_mb, 1)}"
            cells.append(memory if row.workload.measures_memory else "")
        lines.append("| " + " | ".join(cells) + " |")
    if failures:
        lines += ["", "Failures (a failed measurement gives no number):", *failures]
    return "\n".join(lines)
