"""Load a benchmark module (``scripts/bench/NAME.py``) by path.

Benchmarks are development code outside the installed package; a test that wants the same
synthetic data as a benchmark (e.g. a large session) takes it from there, not from a copy.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH_DIR = Path(__file__).resolve().parents[2] / "scripts" / "bench"


def bench_module(name: str) -> ModuleType:
    """Import ``scripts/bench/<name>.py`` once, as ``piaudit_bench_<name>``."""
    qualified = f"piaudit_bench_{name}"
    if qualified not in sys.modules:
        spec = importlib.util.spec_from_file_location(qualified, BENCH_DIR / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[qualified] = module
        spec.loader.exec_module(module)
    return sys.modules[qualified]
