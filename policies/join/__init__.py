"""Joining what the hooks saw inside the app to what the proxy saw on the wire (pure core).

* :mod:`policies.join.crypto`: the input of an ``encrypt``/``compress``/``encode`` op is scanned
  where its output travels in a flow (the ``cipher:<algorithm>`` chain step);
* :mod:`policies.join.senders`: an ``http:request`` event names the code that sent a flow
  (``sent_by``);
* :mod:`policies.join.tlsplain`: the ``tls_write`` plaintext of connections the proxy did not
  inspect becomes flows of its own.

:class:`Joins` holds the two indexes a pipeline fills as events arrive; live and replay use it
the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from piaudit.policies.join.crypto import OpIndex
from piaudit.policies.join.senders import SenderIndex


@dataclass
class Joins:
    """The op index and the request index of one audit (filled by :class:`policies.pipeline.Pipeline`)."""

    ops: OpIndex = field(default_factory=OpIndex)
    senders: SenderIndex = field(default_factory=SenderIndex)


__all__ = ["Joins", "OpIndex", "SenderIndex"]
