"""Benchmarks: synthetic Hai Phong data at scale, and load against a real server."""
