"""Prepare an Android emulator for an audit, and check it: ``piaudit device setup|doctor``.

``setup`` installs the mitmproxy CA where apps trust it, routes the device's traffic
to the proxy and starts frida-server. ``doctor`` checks the same things without
changing anything. Each step prints one ✓/✗ line, and a ✗ says what to do.
Every adb call goes through :class:`Adb`.

Exit codes are stable: 0 all good, 1 a check failed, 2 usage error.

One concern per module; this file only re-exports their public API:

- :mod:`.errors` exit codes and :class:`StepFailed`
- :mod:`.adb` the adb runner
- :mod:`.devices` choosing the device, reading its properties
- :mod:`.root` ``adb root``
- :mod:`.ca` the mitmproxy CA file and its ``subject_hash_old`` name
- :mod:`.ca_install` installing and checking the CA on the device (incl. the Android 14 script)
- :mod:`.proxy` / :mod:`.wireguard` routing the device's traffic
- :mod:`.frida_file` / :mod:`.frida_server` the frida-server file here, the process there
- :mod:`.checklist` / :mod:`.steps` the ✓/✗ output and the steps both commands share
- :mod:`.setup` / :mod:`.doctor` the two commands; :mod:`.cli` their argparse wiring

``WAITS`` is read from this package on every poll, so ``scripts.device.WAITS = Waits(...)`` tunes it.
"""

from piaudit.scripts.device.adb import Adb, AdbError, AdbResult
from piaudit.scripts.device.ca import (
    CA_CERT_FILE,
    DEFAULT_CONFDIR,
    CaFile,
    load_ca,
    raw_subject,
    same_certificate,
    subject_hash_old,
)
from piaudit.scripts.device.ca_install import (
    ANDROID14_CA_SCRIPT,
    ANDROID14_SCRIPT_NAME,
    DEVICE_WORK_DIR,
    check_device_ca,
    install_ca,
    install_ca_conscrypt_apex,
    install_ca_system_store,
    read_device_ca,
    verify_device_ca,
    zygote_namespace,
)
from piaudit.scripts.device.checklist import Checklist
from piaudit.scripts.device.cli import add_device_commands, handle_doctor, handle_setup
from piaudit.scripts.device.devices import (
    CONSCRYPT_CA_STORE,
    FIRST_CONSCRYPT_APEX_SDK,
    FRIDA_ARCH_BY_ABI,
    SYSTEM_CA_STORE,
    AttachedDevice,
    DeviceInfo,
    choose_device,
    connect,
    device_info,
    parse_devices,
    parse_getprop,
    read_device_info,
)
from piaudit.scripts.device.doctor import DoctorOptions, run_doctor
from piaudit.scripts.device.errors import EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, StepFailed
from piaudit.scripts.device.frida_file import (
    ELF_MACHINE_ARCH,
    FRIDA_SERVER_RELEASE_NAME,
    XZ_MAGIC,
    FridaServerFile,
    check_abi,
    elf_arch,
    frida_server_problem,
    inspect_frida_server,
    installed_frida_version,
    prepare_frida_server,
    require_frida_version,
    unpacked,
)
from piaudit.scripts.device.frida_server import (
    FRIDA_SERVER_PATH,
    WAITS,
    Waits,
    check_frida_server_running,
    check_frida_server_version,
    frida_server_pids,
    install_frida_server,
    poll,
    stop_frida_server,
)
from piaudit.scripts.device.proxy import (
    DEFAULT_PROXY,
    LOOPBACK_HOSTS,
    UNSET_PROXY_VALUES,
    ProxyAddress,
    check_no_proxy,
    check_proxy,
    clear_proxy,
    parse_proxy,
    parse_reverse_list,
    read_http_proxy,
    route_through_proxy,
)
from piaudit.scripts.device.root import check_root, describe_root, ensure_root, production_build_fix
from piaudit.scripts.device.setup import SetupOptions, run_setup
from piaudit.scripts.device.wireguard import (
    DEFAULT_WIREGUARD_ENDPOINT,
    WIREGUARD_KEYS_FILE,
    wireguard_client_config,
    wireguard_instructions,
)

__all__ = [
    "ANDROID14_CA_SCRIPT",
    "ANDROID14_SCRIPT_NAME",
    "CA_CERT_FILE",
    "CONSCRYPT_CA_STORE",
    "DEFAULT_CONFDIR",
    "DEFAULT_PROXY",
    "DEFAULT_WIREGUARD_ENDPOINT",
    "DEVICE_WORK_DIR",
    "ELF_MACHINE_ARCH",
    "EXIT_CHECK_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "FIRST_CONSCRYPT_APEX_SDK",
    "FRIDA_ARCH_BY_ABI",
    "FRIDA_SERVER_PATH",
    "FRIDA_SERVER_RELEASE_NAME",
    "LOOPBACK_HOSTS",
    "SYSTEM_CA_STORE",
    "UNSET_PROXY_VALUES",
    "WAITS",
    "WIREGUARD_KEYS_FILE",
    "XZ_MAGIC",
    "Adb",
    "AdbError",
    "AdbResult",
    "AttachedDevice",
    "CaFile",
    "Checklist",
    "DeviceInfo",
    "DoctorOptions",
    "FridaServerFile",
    "ProxyAddress",
    "SetupOptions",
    "StepFailed",
    "Waits",
    "add_device_commands",
    "check_abi",
    "check_device_ca",
    "check_frida_server_running",
    "check_frida_server_version",
    "check_no_proxy",
    "check_proxy",
    "check_root",
    "choose_device",
    "clear_proxy",
    "connect",
    "describe_root",
    "device_info",
    "elf_arch",
    "ensure_root",
    "frida_server_pids",
    "frida_server_problem",
    "handle_doctor",
    "handle_setup",
    "inspect_frida_server",
    "install_ca",
    "install_ca_conscrypt_apex",
    "install_ca_system_store",
    "install_frida_server",
    "installed_frida_version",
    "load_ca",
    "parse_devices",
    "parse_getprop",
    "parse_proxy",
    "parse_reverse_list",
    "poll",
    "prepare_frida_server",
    "production_build_fix",
    "raw_subject",
    "read_device_ca",
    "read_device_info",
    "read_http_proxy",
    "require_frida_version",
    "route_through_proxy",
    "run_doctor",
    "run_setup",
    "same_certificate",
    "stop_frida_server",
    "subject_hash_old",
    "unpacked",
    "verify_device_ca",
    "wireguard_client_config",
    "wireguard_instructions",
    "zygote_namespace",
]
