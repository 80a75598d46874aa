"""piaudit's mitmproxy entry script: ``mitmdump -s addons/piaudit.py --set piaudit_session=DIR``.

The addons in pipeline order. Each is thin: the audit itself lives in ``policies``.
"""

import sys
from pathlib import Path

# loaded by path with `mitmdump -s`: make the project importable when it is not installed
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from addons.recorder import Recorder  # noqa: E402
from addons.sinkhole import Sinkhole  # noqa: E402

addons = [Sinkhole(), Recorder()]
