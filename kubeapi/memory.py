"""Give freed heap back to the system (glibc ``malloc_trim``).

CPython frees a large request's objects, but glibc keeps the pages of its
arenas mapped: one 300 MB body or 10k-item LIST left a worker at ~900 MB
for good. Trimming after such a request (and MALLOC_ARENA_MAX=2, set by
``manage.py serve``, against one arena per request thread) returns them;
README, "Request time and large responses", has the figures.
"""
import ctypes

try:
    _libc = ctypes.CDLL("libc.so.6")
    _libc.malloc_trim.argtypes = [ctypes.c_size_t]
except (OSError, AttributeError):  # not glibc
    _libc = None


def trim():
    if _libc is not None:
        _libc.malloc_trim(0)
