"""Peak memory growth of this process during one call, from Linux's /proc.

Writing 5 to /proc/self/clear_refs resets the peak resident set size (VmHWM) to the current
one, so the peak read after the call is the call's own, whatever the warm-up used before it.
Where that is refused, the peak since the process started stands in (the warm-up reads few
rows, so it stays far below a measured call's)."""

from __future__ import annotations

import resource


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def resident_kb() -> int:
    kb = _status_kb("VmRSS")
    return kb if kb is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


def peak_kb() -> int:
    kb = _status_kb("VmHWM")
    return kb if kb is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class PeakGrowth:
    """``with PeakGrowth() as growth: ...`` then ``growth.mb``: the peak resident set size
    during the block minus the resident set size at its start."""

    def __enter__(self):
        reset_peak()
        self.start_kb = resident_kb()
        self.mb = 0.0
        return self

    def __exit__(self, *exc):
        self.mb = max(0, peak_kb() - self.start_kb) / 1024
        return False
