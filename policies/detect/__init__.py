"""Detection of personal data in traffic, however it is encoded (pure core: no mitmproxy, no frida).

``Detector(identifiers).scan_flow(flow)`` returns a :class:`ScanResult` whose detections say
what was found (data type; a known *value* or a *pattern*), how it was encoded
(``gzip>json>base64>md5``), where (``body:$.device.ids[0]``) and an excerpt.
"""

from piaudit.policies.detect.limits import Limits
from piaudit.policies.detect.matcher import BACKEND, Matcher
from piaudit.policies.detect.scanner import Detector, ScanResult, excerpt, render_where
from piaudit.policies.detect.variants import forms, needles_for
from piaudit.policies.identifiers import Identifiers, IdentifiersError, load_identifiers

__all__ = [
    "BACKEND",
    "Detector",
    "Identifiers",
    "IdentifiersError",
    "Limits",
    "Matcher",
    "ScanResult",
    "excerpt",
    "forms",
    "load_identifiers",
    "needles_for",
    "render_where",
]
