#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turn the "acpidump:" lines of a Kosh boot log (booted with kosh.acpidump on
the command line) back into one binary file per table: OUTDIR/SIG[N].dat.

    scripts/acpidump.py BOOT.LOG OUTDIR
"""
import os
import re
import sys


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    log, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    head = re.compile(r"acpidump: (\S{4}) at 0x([0-9a-f]+), (\d+) bytes")
    line = re.compile(r"acpidump: ([0-9a-f]{6}): ([0-9a-f]+)")
    tables, cur = [], None
    for text in open(log, encoding="latin-1"):
        m = head.search(text)
        if m:
            cur = [m.group(1), int(m.group(3)), bytearray()]
            tables.append(cur)
            continue
        m = line.search(text)
        if m and cur and int(m.group(1), 16) == len(cur[2]):
            cur[2] += bytes.fromhex(m.group(2))
    seen = {}
    for sig, length, data in tables:
        if len(data) != length:
            print(f"acpidump: {sig}: {len(data)} of {length} bytes", file=sys.stderr)
            return 1
        n = seen.get(sig, 0)
        seen[sig] = n + 1
        name = f"{sig}{n if n else ''}.dat".replace("/", "_")
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        print(f"{name}: {length} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
