"""The vocabularies: data types and consent sources, one fixed list of names each, used by code, policies, reports and tests."""

from enum import StrEnum
from typing import Literal


class DataType(StrEnum):
    """A kind of personal data. The names are a contract other tools parse: never rename."""

    imei = "imei"
    meid = "meid"
    imsi = "imsi"
    iccid = "iccid"
    phone = "phone"
    android_id = "android_id"
    serial = "serial"
    mac = "mac"
    bluetooth_mac = "bluetooth_mac"
    bssid = "bssid"
    ssid = "ssid"
    ad_id = "ad_id"
    oaid = "oaid"
    location = "location"
    installed_apps = "installed_apps"
    running_apps = "running_apps"
    clipboard = "clipboard"
    contacts = "contacts"
    sms = "sms"
    call_log = "call_log"
    calendar = "calendar"
    media = "media"
    camera = "camera"
    microphone = "microphone"
    sensors = "sensors"
    accounts = "accounts"
    email = "email"
    ip = "ip"
    carrier = "carrier"  # operator names, MCC/MNC, SIM/network country ISO
    cell_location = "cell_location"  # cell ids, LAC/TAC: location-class data
    network_state = "network_state"  # connectivity, network type, Wi-Fi state
    device_info = "device_info"  # model, brand, build fingerprint, OS version (Build, system properties)


DATA_TYPES: tuple[str, ...] = tuple(t.value for t in DataType)

# Device identifiers: persistent ids that single out a device (ePrivacy 5(3), COPPA persistent identifiers).
DEVICE_IDENTIFIERS: frozenset[DataType] = frozenset(
    {
        DataType.imei,
        DataType.meid,
        DataType.imsi,
        DataType.iccid,
        DataType.android_id,
        DataType.serial,
        DataType.mac,
        DataType.bluetooth_mac,
        DataType.ad_id,
        DataType.oaid,
    }
)

# Types another type covers: declaring (or needing) ``location`` covers the cell location, which
# is location-class data (a cell id locates the device to within a few hundred metres).
COVERS: dict[DataType, frozenset[DataType]] = {DataType.location: frozenset({DataType.cell_location})}

# The types the location rules treat as location.
LOCATION_TYPES: frozenset[DataType] = frozenset({DataType.location, DataType.cell_location})


def covered(types: object) -> frozenset[DataType]:
    """``types`` plus every type they cover: ``covered(["location"])`` also holds ``cell_location``."""
    out = {DataType(t) for t in types}  # type: ignore[attr-defined]
    for t in list(out):
        out |= COVERS.get(t, frozenset())
    return frozenset(out)


def uncovered(types: frozenset[DataType]) -> list[DataType]:
    """``types`` without those another of them covers, sorted: the names a message should give."""
    implied = {c for t in types for c in COVERS.get(t, frozenset())}
    return sorted(t for t in types if t not in implied)


# Where a consent signal came from. A policy's consent.signals says which of them count.
ConsentSource = Literal["manual", "ui_click", "sdk_call", "network"]

DEFAULT_CONSENT_SIGNALS: tuple[ConsentSource, ...] = ("manual", "ui_click")
"""The signals a policy counts unless it says otherwise: the auditor's mark and a click on a consent button."""
