"""Overrides of django.db.utils: connections are per asyncio task, not per thread.

Upstream keeps connections in a thread-local: every task of an event loop would share one
connection and its transaction. teapot keeps them in a task-local (teapot.tasks.TaskLocal):
each task gets a DatabaseWrapper of its own, whose connection comes from the alias's pool
and goes back when the task ends.
"""

from codemod.overrides import override
from teapot.tasks import TaskLocal, release_all


@override("ConnectionHandler.__init__", new=True)
def __init__(self, settings=None):
    super(ConnectionHandler, self).__init__(settings)
    self._connections = TaskLocal(on_task_done=release_all)
