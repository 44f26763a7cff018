"""Numba kernels: array-only functions with status codes, no Python objects."""
