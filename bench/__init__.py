"""Benchmarks (not tests): each script prints a table and exits non-zero on a broken promise."""
