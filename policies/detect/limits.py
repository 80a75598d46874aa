"""Bounds on the work one scan may do (decoding, depth, hits, nodes walked): outside input is hostile."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Bounds on the work one scan may do; every limit reached is recorded as a note."""

    max_body_bytes: int = 8 << 20  # of a request body or message scanned (the rest is not)
    max_response_bytes: int = 2 << 20  # of a response body scanned: a lower-priority signal
    max_decoded_bytes: int = 16 << 20  # output of one decompression
    max_total_decoded: int = 64 << 20  # all decoding in one scan call
    max_depth: int = 12  # decoding steps in one chain
    max_hits: int = 500  # detections kept per scan call
    max_runs: int = 256  # encoded runs decoded per layer
    max_nodes: int = 50_000  # JSON nodes walked per layer
    location_tolerance: float = 1e-3  # degrees (about 110 m of latitude)
    min_package_list: int = 5  # package names that make an installed-app list (pattern)
    min_known_packages: int = 3  # known installed/running apps that count as a list hit
