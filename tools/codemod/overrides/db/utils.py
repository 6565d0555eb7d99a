"""Overrides of django.db.utils: connections are per asyncio task, not per thread.

Upstream keeps connections in a thread-local: every task of an event loop would share one
connection and its transaction. teapot keeps them in a task-local (teapot.tasks.TaskLocal):
each task gets a DatabaseWrapper of its own, whose connection comes from the alias's pool
and goes back when the task ends.
"""

from tools.codemod.overrides import override
from teapot import shared_transaction
from teapot.tasks import TaskLocal, release_all


@override("ConnectionHandler.__init__", new=True)
def __init__(self, settings=None):
    super(ConnectionHandler, self).__init__(settings)
    self._connections = TaskLocal(on_task_done=release_all)


@override("ConnectionHandler.__getitem__", new=True)
def __getitem__(self, alias):
    # The task's own wrapper, read without the attribute lookup the base class makes: a miss
    # there raises (and formats) an AttributeError before TaskLocal.__getattr__ answers.
    conn = self._connections.get(alias)
    if conn is None:
        conn = super(ConnectionHandler, self).__getitem__(alias)
    if conn.__dict__.get("_mode_generation", 0) != shared_transaction.generation:
        # The test mode started or ended since this wrapper was last set up.
        shared_transaction.adopt(conn)
    return conn
