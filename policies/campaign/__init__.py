"""Campaigns: a plan of apps audited over a pool of devices, and the state of its progress (pure logic)."""
