#!/usr/bin/python3
"""Raw read speed of the disk for given files: reads each with O_DIRECT (bypassing the page cache)
into an aligned buffer and prints "BYTES SECONDS". Used next to the whole-study retrieve."""
import mmap, os, sys, time

BLOCK = 1 << 20
buffer = mmap.mmap(-1, BLOCK)  # page-aligned, as O_DIRECT requires
total, start = 0, time.perf_counter()
for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECT)
    try:
        while True:
            n = os.readv(fd, [buffer])
            total += n
            if n < BLOCK:
                break
    finally:
        os.close(fd)
print(total, time.perf_counter() - start)
