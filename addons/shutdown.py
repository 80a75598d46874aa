"""Stopping the proxy quietly: end the clients' open connections before the event loop goes.

With client connections still open, SIGTERM printed an ``asyncio.CancelledError`` traceback
("Exception in callback StreamReaderProtocol.connection_made.<locals>.callback"). The cause:
``asyncio.run`` cancels every task still running when the main coroutine returns, including
each connection's ``client_connected_cb`` task, and Python 3.12.1's ``StreamReaderProtocol``
then calls ``task.exception()`` on a *cancelled* task in its done-callback, which raises.
The fix is not to silence the log but to end the connections ourselves while the proxy still
runs, the way mitmproxy's own idle timeout does (cancel the connection's handler task): each
client task then finishes normally, its ``client_disconnected`` hook runs, and nothing is left
for ``asyncio.run`` to cancel.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)

CLOSE_TIMEOUT = 5.0  # seconds to wait for the connections to finish after they were told to


async def close_connections(master: Any, timeout: float = CLOSE_TIMEOUT) -> int:
    """End every open client connection of ``master``; returns how many were still open after ``timeout``."""
    proxyserver = master.addons.get("proxyserver")
    if proxyserver is None:
        return 0
    for handler in list(proxyserver.connections.values()):
        io = getattr(handler, "transports", {}).get(getattr(handler, "client", None))
        if io is not None and io.handler is not None and not io.handler.done():
            io.handler.cancel("the proxy is stopping")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while proxyserver.connections and loop.time() < deadline:
        await asyncio.sleep(0.02)
    if proxyserver.connections:
        log.debug("piaudit: %d connections still open at shutdown", len(proxyserver.connections))
    return len(proxyserver.connections)
