"""The benchmark: Footprint beside the raw-SQL floor and PostGraphile, on one machine, in one run.

Run it with `python -m bench` (see docs/performance.md).
"""
