"""piaudit's mitmproxy entry script: ``mitmdump -s addons/piaudit.py --set piaudit_session=DIR``.

The addons in pipeline order. Each is thin: the audit itself lives in ``piaudit.policies``.
"""

import importlib.machinery
import importlib.util
import os
import sys


def _installed_piaudit() -> None:
    """Import the installed ``piaudit`` package, not this file.

    mitmproxy runs a script with the script's own folder first on ``sys.path``, and this file is
    called ``piaudit.py``: a plain ``import piaudit`` would find this file instead of the package.
    Ask the import system's finders for ``piaudit`` with that one folder left out of the search.
    """
    if hasattr(sys.modules.get("piaudit"), "__path__"):
        return
    here = os.path.dirname(os.path.abspath(__file__))
    search = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    for finder in sys.meta_path:
        if isinstance(finder, type) and issubclass(finder, importlib.machinery.PathFinder):
            spec = finder.find_spec("piaudit", search)
        elif hasattr(finder, "find_spec"):
            spec = finder.find_spec("piaudit", None)
        else:
            continue
        if spec is not None and spec.submodule_search_locations is not None:
            module = importlib.util.module_from_spec(spec)
            sys.modules["piaudit"] = module
            if spec.loader is not None:
                spec.loader.exec_module(module)
            return
    raise ImportError("piaudit is not installed in this Python: run `make demo` (or `pip install .`) first")


_installed_piaudit()

from piaudit.addons.recorder import Recorder  # noqa: E402
from piaudit.addons.sinkhole import Sinkhole  # noqa: E402

addons = [Sinkhole(), Recorder()]
