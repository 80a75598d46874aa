"""Prepare an Android emulator for an audit, and check it: ``piaudit device setup|doctor``.

``setup`` installs the mitmproxy CA where apps trust it, routes the device's traffic to the
proxy and starts frida-server; ``doctor`` checks the same things without changing anything.
Each step prints one ✓/✗ line, and a ✗ says what to do. Exit codes: 0 all good, 1 a check
failed, 2 usage error (:mod:`scripts.usage`).

One concern per module: :mod:`.adb` (every adb call), :mod:`.devices` (choosing the device,
its properties, root), :mod:`.ca` (the CA file and installing it), :mod:`.network` (proxy
setting, reverse tunnel, WireGuard), :mod:`.fridaserver` (the file here, the process there),
:mod:`.checklist` (the ✓/✗ lines), :mod:`.commands` (setup and doctor), :mod:`.cli` (their
argparse wiring).
"""

from piaudit.scripts.device.cli import add_device_commands

__all__ = ["add_device_commands"]
