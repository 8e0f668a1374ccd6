"""Speed and accuracy benchmarks for trilat: each module runs with ``python -m benchmarks.NAME``."""
