"""The conformance worker sets the warning filters of Django's suite: the warnings of features
Django is removing, runtime warnings and resource warnings are errors. Run in a process of its own, as the filters are global."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """\
    import sys, warnings
    sys.path.insert(0, sys.argv[1])
    from tools.conformance import worker
    from teapot.utils.deprecation import RemovedInDjango60Warning, RemovedInDjango61Warning

    worker.set_warning_filters()
    for category in (RemovedInDjango60Warning, RemovedInDjango61Warning, RuntimeWarning, ResourceWarning):
        try:
            warnings.warn("going away", category)
        except category:
            print("raised", category.__name__)
    """
)


def test_worker_makes_django_removal_runtime_and_resource_warnings_errors():
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split("\n")[:4] == [
        "raised RemovedInDjango60Warning",
        "raised RemovedInDjango61Warning",
        "raised RuntimeWarning",
        "raised ResourceWarning",
    ]
