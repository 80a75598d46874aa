"""Benchmark: the APK reader's SDK inventory against Python's zipfile merely reading the same APK.

Builds a real APK with apktool (offline, from generated smali): ``--classes`` classes split
over ``classes.dex`` and ``classes2.dex`` and a DEX nested in ``assets/plugin.jar``, in the
packages of 40 catalog SDKs and the app's own. Then, each in its own subprocess (so peak RSS is
its own), several runs of:

- baseline: ``zipfile.ZipFile`` reading every entry (nested jar included);
- piaudit: ``read_apk`` — manifest, signers, every DEX's class table, catalog matching.

    .venv/bin/python scripts/bench/bench_apk.py [--classes 20000] [--runs 3]

No target: the figure says what an inventory costs next to merely reading the archive.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _smali(cls: str) -> str:
    return f".class public L{cls};\n.super Ljava/lang/Object;\n"


def build_apk(workdir: Path, n: int) -> Path:
    """A real APK with ``n`` classes (apktool b from generated smali)."""
    from piaudit.policies.catalog import default_catalog

    prefixes = [p for e in default_catalog() for p in e.package_prefixes if not p.startswith("regex:")][:40]
    project = workdir / "app"
    shutil.copytree(ROOT / "tests" / "policies" / "apk" / "apks" / "fixture", project)
    shutil.rmtree(project / "smali"), shutil.rmtree(project / "smali_classes2")
    plugin = workdir / "plugin"
    shutil.copytree(ROOT / "tests" / "policies" / "apk" / "apks" / "plugin", plugin)
    shutil.rmtree(plugin / "smali")
    for i in range(n):
        owner = prefixes[i % len(prefixes)] if i % 4 else "com.example.fixture"
        cls = f"{owner.replace('.', '/')}/gen{i // 1000}/C{i}"
        folder = [project / "smali", project / "smali_classes2", plugin / "smali"][i % 3]
        path = folder / f"{cls}.smali"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_smali(cls))
    subprocess.run(["apktool", "b", str(plugin), "-o", str(workdir / "plugin.apk")], check=True, capture_output=True)
    (project / "assets").mkdir(exist_ok=True)
    with zipfile.ZipFile(workdir / "plugin.apk") as z, zipfile.ZipFile(project / "assets" / "plugin.jar", "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("classes.dex", z.read("classes.dex"))
    apk = workdir / "big.apk"
    subprocess.run(["apktool", "b", str(project), "-o", str(apk)], check=True, capture_output=True)
    return apk


def _child(mode: str, apk: str) -> None:
    started = time.perf_counter()
    if mode == "zipfile":
        total = 0
        with zipfile.ZipFile(apk) as z:
            for name in z.namelist():
                data = z.read(name)
                total += len(data)
                if name.endswith(".jar"):
                    import io

                    with zipfile.ZipFile(io.BytesIO(data)) as inner:
                        total += sum(len(inner.read(n)) for n in inner.namelist())
        result = {"bytes": total}
    else:
        from piaudit.policies.apk.inventory import read_apk
        from piaudit.policies.catalog import default_catalog

        catalog = default_catalog()
        loaded = time.perf_counter()
        inv = read_apk(apk, catalog)
        result = {"classes": sum(inv.dex_files.values()), "sdks": len(inv.sdks), "dex": len(inv.dex_files)}
        result["startup"] = loaded - started  # imports and the catalog, paid once per process
        started = loaded
    result["seconds"] = time.perf_counter() - started
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classes", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-apk-") as tmp:
        t = time.perf_counter()
        apk = build_apk(Path(tmp), args.classes)
        print(f"built {apk.stat().st_size / 1e6:.1f} MB APK with {args.classes} classes in {time.perf_counter() - t:.0f} s")
        results: dict[str, list[dict]] = {"zipfile": [], "piaudit": []}
        for _ in range(args.runs):
            for mode in results:
                out = subprocess.run([sys.executable, __file__, "--child", mode, str(apk)], check=True, capture_output=True, text=True)
                results[mode].append(json.loads(out.stdout.strip().splitlines()[-1]))
    med = {m: statistics.median(r["seconds"] for r in rs) for m, rs in results.items()}
    rss = {m: statistics.median(r["peak_rss_mb"] for r in rs) for m, rs in results.items()}
    inv = results["piaudit"][0]
    startup = statistics.median(r["startup"] for r in results["piaudit"])
    print(f"zipfile read of every entry: {med['zipfile'] * 1000:.0f} ms, peak RSS {rss['zipfile']:.0f} MB (median of {args.runs})")
    print(
        f"piaudit inventory:           {med['piaudit'] * 1000:.0f} ms, peak RSS {rss['piaudit']:.0f} MB — "
        f"{inv['classes']} classes in {inv['dex']} DEX files, {inv['sdks']} catalog SDKs "
        f"(plus {startup * 1000:.0f} ms of imports and catalog loading, once per process)"
    )
    print(f"ratio piaudit ÷ zipfile: {med['piaudit'] / med['zipfile']:.2f} (time), {rss['piaudit'] / rss['zipfile']:.2f} (peak RSS)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
