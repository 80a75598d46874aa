"""Build the Frida agent (TypeScript) into one cached JavaScript bundle.

The bundle ``hooks/agent/_build/agent.js`` is keyed by a hash of the agent's sources, its
``package-lock.json`` and the Frida version; it is rebuilt only when one of them changes.
``npm ci`` installs ``frida-java-bridge`` when ``node_modules`` is missing (a set-up step).

    python -m piaudit.hooks.build            # build if stale, print the bundle path
    python -m piaudit.hooks.build --force    # rebuild
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import frida

AGENT_DIR = Path(__file__).with_name("agent")
BUILD_DIR = AGENT_DIR / "_build"
BUNDLE = BUILD_DIR / "agent.js"
BUNDLE_KEY = BUILD_DIR / "agent.sha256"
ENTRY = "index.ts"
_INPUTS = ("package.json", "package-lock.json", "tsconfig.json")


class AgentBuildError(RuntimeError):
    """The agent could not be built; the message says what to install or fix."""


def _sources() -> list[Path]:
    files = [AGENT_DIR / name for name in _INPUTS]
    for path in sorted(AGENT_DIR.rglob("*.ts")):
        relative = path.relative_to(AGENT_DIR).parts
        if relative[0] not in ("node_modules", "_build"):
            files.append(path)
    return files


def source_hash() -> str:
    """Hash of everything the bundle depends on: sources, lock file, Frida version."""
    digest = hashlib.sha256(f"frida {frida.__version__}\n".encode())
    for path in _sources():
        digest.update(str(path.relative_to(AGENT_DIR)).encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


def ensure_node_modules() -> None:
    """Run ``npm ci`` in the agent directory when ``frida-java-bridge`` is not installed."""
    if (AGENT_DIR / "node_modules" / "frida-java-bridge" / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise AgentBuildError(
            "npm is not installed: install Node.js 18+ with npm (e.g. `apt-get install nodejs npm`),"
            " then run `python -m piaudit.hooks.build`"
        )
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=AGENT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AgentBuildError(f"`npm ci` failed in {AGENT_DIR} (is the npm registry reachable?):\n{result.stderr.strip()}")


def _compile() -> str:
    compiler = frida.Compiler()
    problems: list[str] = []

    def on_diagnostics(diagnostics: list[dict]) -> None:
        for item in diagnostics:
            where = item.get("file") or {}
            location = f"{where.get('path', '?')}:{where.get('line', 0) + 1}" if where else "?"
            code = item.get("code")
            tag = f" TS{code}" if isinstance(code, int) and code > 0 else ""
            problems.append(f"{location}: {item.get('category', 'error')}{tag}: {item.get('text', '')}")

    compiler.on("diagnostics", on_diagnostics)
    try:
        return compiler.build(ENTRY, project_root=str(AGENT_DIR))
    except frida.InvalidArgumentError as error:
        detail = "\n".join(problems) or str(error)
        raise AgentBuildError(f"the agent does not compile:\n{detail}") from None


def build_agent(*, force: bool = False) -> Path:
    """Return the path of an up-to-date bundle, building it if the sources changed."""
    BUILD_DIR.mkdir(exist_ok=True)
    with open(BUILD_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # concurrent test processes build once
        key = source_hash()
        if not force and BUNDLE.exists() and BUNDLE_KEY.exists() and BUNDLE_KEY.read_text().strip() == key:
            return BUNDLE
        ensure_node_modules()
        bundle = _compile()
        partial = BUNDLE.with_suffix(".js.partial")
        partial.write_text(bundle, encoding="utf-8")
        os.replace(partial, BUNDLE)
        BUNDLE_KEY.write_text(key + "\n")
        return BUNDLE


def agent_source() -> str:
    """The bundle's JavaScript, built if needed."""
    return build_agent().read_text(encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """``python -m piaudit.hooks.build [--force]``: build the agent bundle and print its path."""
    parser = argparse.ArgumentParser(prog="python -m piaudit.hooks.build", description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if the bundle is up to date")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        path = build_agent(force=options.force)
    except AgentBuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{path} ({path.stat().st_size // 1024} KiB, {time.perf_counter() - started:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
