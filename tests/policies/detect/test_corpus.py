"""Clean realistic traffic (no identifiers) gives no value hits and few pattern hits."""

from __future__ import annotations

import gzip
import json
import random
import struct
import zlib
from collections import Counter
from pathlib import Path

import brotli

from piaudit.policies.detect import Detector
from piaudit.policies.identifiers import Identifiers, luhn_digit
from piaudit.policies.models import FlowRecord
from tests.policies.detect.helpers import COMPRESSORS, flow, pb_field

CORPUS = Path(__file__).with_name("corpus")
MAX_PATTERN_HITS = 6  # the page's service e-mail and hotline are real pattern hits; the rest would be noise
UA = "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.66 Mobile Safari/537.36"
CDN = {
    "Server": "Tengine",
    "Cache-Control": "public, max-age=31536000, immutable",
    "ETag": '"5f2c9a7e3b1d4c6a8e0f2b4d6c8a0e1f"',
    "Last-Modified": "Tue, 14 Nov 2023 02:22:01 GMT",
    "Via": "cache23.l2cn1809[0,200-0,H], cache7.cn1520[0,0]",
    "X-Cache": "HIT TCP_MEM_HIT dirn:-2:-2",
    "X-Swift-CacheTime": "31536000",
    "Age": "86417",
    "Timing-Allow-Origin": "*",
    "EagleId": "3b9c52a417000001234567890e",
    "Content-Security-Policy": "default-src 'self' https://*.cdn-example.cn; img-src * data:; script-src 'self' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
}


def random_identifiers(n: int = 50) -> Identifiers:
    """50 identifiers of the device under test, none of which is in the corpus."""
    rng = random.Random(5)
    ids = Identifiers()

    def hx(k: int) -> str:
        return "".join(rng.choice("0123456789abcdef") for _ in range(k))

    makers = [
        lambda: ("imei", (b := "35" + "".join(rng.choice("0123456789") for _ in range(12))) + luhn_digit(b)),
        lambda: ("mac", ":".join(hx(2) for _ in range(6))),
        lambda: ("android_id", hx(16)),
        lambda: ("ad_id", f"{hx(8)}-{hx(4)}-4{hx(3)}-a{hx(3)}-{hx(12)}"),
        lambda: ("oaid", hx(16)),
        lambda: ("serial", "R58M" + hx(8).upper()),
        lambda: ("imsi", "46000" + "".join(rng.choice("0123456789") for _ in range(10))),
        lambda: ("phone", "139" + "".join(rng.choice("0123456789") for _ in range(8))),
        lambda: ("email", f"user{rng.randint(100, 999)}@mail.example.net"),
        lambda: ("bssid", ":".join(hx(2) for _ in range(6))),
    ]
    while len(ids) < n:
        ids.add(*rng.choice(makers)())
    ids.add_location(31.2304, 121.4737)
    return ids


def png(width: int = 64, height: int = 48) -> bytes:
    rng = random.Random(1)
    raw = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(width * 3)) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    text = b"Software\x00piaudit-test 1.0"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", text)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg_shaped(size: int = 20000) -> bytes:
    """JPEG markers (SOI, APP0 JFIF, APP1 Exif date, DQT, SOF0, SOS) around entropy-coded noise."""
    rng = random.Random(2)
    noise = bytes(rng.randrange(256) for _ in range(size)).replace(b"\xff", b"\xff\x00")
    exif = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08" + b"2023:11:14 10:22:01\x00" + b"Google\x00Pixel 7\x00"
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\xff\xe1"
        + struct.pack(">H", len(exif) + 2)
        + exif
        + b"\xff\xdb\x00\x43\x00"
        + bytes(rng.randrange(1, 100) for _ in range(64))
        + b"\xff\xc0\x00\x11\x08\x01\xe0\x02\x80\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
        + b"\xff\xda\x00\x0c\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00"
        + noise
        + b"\xff\xd9"
    )


def protobuf_feed() -> bytes:
    rng = random.Random(3)
    items = b"".join(
        pb_field(
            1,
            pb_field(1, rng.randint(10**15, 10**18))
            + pb_field(2, "无线蓝牙耳机 降噪长续航".encode())
            + pb_field(3, f"https://img.cdn-example.cn/{rng.getrandbits(128):032x}.jpg".encode())
            + pb_field(4, rng.randint(100, 99999))
            + pb_field(5, bytes(rng.randrange(256) for _ in range(16))),
        )
        for _ in range(40)
    )
    return items + pb_field(2, b"cursor-" + bytes(f"{rng.getrandbits(64):016x}", "ascii")) + pb_field(3, 1700000000123)


def corpus_flows() -> list[FlowRecord]:
    def text(name: str) -> bytes:
        return (CORPUS / name).read_bytes()

    api = {
        "User-Agent": "okhttp/4.11.0",
        "Accept-Encoding": "gzip",
        "Accept-Language": "zh-CN,zh;q=0.9",
        "X-Request-Id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    }
    web = {
        "User-Agent": UA,
        "Accept": "*/*",
        "Referer": "https://www.example-shop.cn/",
        "If-None-Match": '"5f2c9a7e3b1d4c6a8e0f2b4d6c8a0e1f"',
    }
    json_gz = {"Content-Type": "application/json; charset=utf-8", "Content-Encoding": "gzip"}
    return [
        flow(
            "https://log.example-shop.cn/collect?appkey=5f3c2a9b8e7d6c5b4a3f2e1d&v=5.0.3&t=1700000000123",
            {**api, **json_gz},
            COMPRESSORS["gzip"](text("analytics_request.json")),
            response=b'{"code":0,"msg":"ok","data":{"interval":60}}',
            response_headers={"Content-Type": "application/json", "Date": "Tue, 14 Nov 2023 02:22:01 GMT"},
        ),
        flow(
            "https://api.example-shop.cn/v3/feed?page=2&size=60&cursor=eyJwIjoyfQ&_t=1700000000123",
            api,
            response=COMPRESSORS["br"](text("api_feed.json")),
            response_headers={
                "Content-Type": "application/json",
                "Content-Encoding": "br",
                "X-Trace-Id": "0b8f4c2e17000001234567891e",
            },
        ),
        flow(
            "https://api.example-shop.cn/v3/config?ver=9.5.2&os=android",
            api,
            response=text("config.json"),
            response_headers={"Content-Type": "application/json"},
        ),
        flow(
            "https://static.cdn-example.cn/js/main.3f2a1b9c.js",
            web,
            response=COMPRESSORS["gzip"](text("app.min.js")),
            response_headers={**CDN, "Content-Encoding": "gzip", "Content-Type": "application/javascript"},
        ),
        flow(
            "https://www.example-shop.cn/",
            web,
            response=text("page.html"),
            response_headers={
                "Content-Type": "text/html; charset=utf-8",
                "Set-Cookie": "acw_tc=2f6a1a2b17000001234567890e; path=/; HttpOnly; Max-Age=1800",
            },
        ),
        flow(
            "https://static.cdn-example.cn/css/main.8d1e2f3a.css",
            web,
            response=text("styles.css"),
            response_headers={**CDN, "Content-Type": "text/css"},
        ),
        flow(
            "https://vod.cdn-example.cn/hls/index.m3u8",
            web,
            response=text("playlist.m3u8"),
            response_headers={**CDN, "Content-Type": "application/vnd.apple.mpegurl"},
        ),
        flow(
            "https://static.cdn-example.cn/asset-manifest.json",
            web,
            response=text("asset-manifest.json"),
            response_headers={**CDN, "Content-Type": "application/json"},
        ),
        flow(
            "https://img.cdn-example.cn/a1/0f9e8d7c6b5a49382716a5b4c3d2e1f0.png",
            web,
            response=png(),
            response_headers={**CDN, "Content-Type": "image/png"},
        ),
        flow(
            "https://img.cdn-example.cn/b2/1a2b3c4d5e6f708192a3b4c5d6e7f809.jpg",
            web,
            response=jpeg_shaped(),
            response_headers={**CDN, "Content-Type": "image/jpeg"},
        ),
        flow(
            "https://api.example-shop.cn/pb/feed",
            {**api, "Content-Type": "application/x-protobuf"},
            pb_field(1, 2) + pb_field(2, b"home") + pb_field(3, 1700000000123),
            response=protobuf_feed(),
            response_headers={"Content-Type": "application/x-protobuf"},
        ),
        flow(
            "https://push.example-shop.cn/ws",
            {"Upgrade": "websocket", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13"},
            messages=[(True, json.dumps({"op": "ping", "seq": i, "ts": 1700000000123 + i}).encode()) for i in range(5)]
            + [(False, json.dumps({"op": "pong", "seq": 4, "server": "edge-cn-sh-07"}).encode())],
        ),
    ]


def scanned_bytes(record: FlowRecord, decoded: bool = False) -> int:
    """URL, headers, bodies and messages; ``decoded`` counts bodies after their Content-Encoding."""

    def body(data: bytes, headers: list) -> int:
        enc = next((h.value for h in headers if h.name.lower() == "content-encoding"), "")
        return len({"gzip": gzip.decompress, "br": brotli.decompress}.get(enc, bytes)(data)) if decoded else len(data)

    headers = sum(len(h.name) + len(h.value) for h in record.request_headers + record.response_headers)
    bodies = body(record.request_body, record.request_headers) + body(record.response_body, record.response_headers)
    return len(record.url) + headers + bodies + sum(len(m.content) for m in record.messages)


def test_clean_corpus_has_no_value_hits_and_few_pattern_hits() -> None:
    det = Detector(random_identifiers())
    value_hits, pattern_hits, notes, total, content = [], [], [], 0, 0
    for record in corpus_flows():
        result = det.scan_flow(record)
        total += scanned_bytes(record)
        content += scanned_bytes(record, decoded=True)
        notes += result.notes
        for d in result.detections:
            (value_hits if d.source == "value" else pattern_hits).append((record.url, d))
    kinds = Counter(d.data_type.value for _, d in pattern_hits)
    print(
        f"\nclean corpus: {len(corpus_flows())} flows, {content} bytes scanned ({total} on the wire), "
        f"value hits {len(value_hits)}, pattern hits {len(pattern_hits)} {dict(kinds)}"
    )
    for url, d in pattern_hits:
        print(f"  pattern {d.data_type.value} {d.where} {d.direction} {url}: {d.excerpt}")
    assert not value_hits, [(u, d.excerpt) for u, d in value_hits]
    assert len(pattern_hits) <= MAX_PATTERN_HITS, [(u, d.excerpt) for u, d in pattern_hits]
    assert not notes, notes
