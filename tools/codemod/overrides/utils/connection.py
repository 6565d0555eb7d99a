"""Overrides of django.utils.connection: closing every connection is done without I/O.

``connections.close_all()`` is called from sync code (a command's last step, Django's
request_finished receiver) where a coroutine cannot be awaited. In teapot it gives this
task's connections back to their pools; ``await teapot.close()`` closes the pools.
"""

from tools.codemod.overrides import override


@override("BaseConnectionHandler.close_all", upstream="46f21d12bcd4")
def close_all(self):
    for conn in self.all(initialized_only=True):
        conn.release_connection()
