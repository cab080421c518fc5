#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Emit the kernel's symbol table as assembly, for the second link stage.

    gensyms.py NM KERNEL.ELF OUT.S      table of KERNEL.ELF's text symbols
    gensyms.py --empty OUT.S            an empty table, for the first stage

The table goes in .rodata.ksymtab, which the kernel's link places after all
other read-only data: text addresses are the same in both stages, so the table
made from the first stage is right for the second (the build checks it).
"""
import subprocess
import sys


def text_symbols(nm, elf):
    out = subprocess.run([nm, "--defined-only", "-n", elf], check=True,
                         capture_output=True, text=True).stdout
    syms, end = [], None
    for line in out.splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        addr, kind, name = int(parts[0], 16), parts[1], parts[2]
        if name == "__text_end" or name == "__kernel_text_end":
            end = addr
        if kind in "tT" and not name.startswith(".L") and not name.startswith("$"):
            syms.append((addr, name))
    if end is None and syms:
        end = syms[-1][0] + 4096
    return syms, end or 0


def emit(syms, end, out):
    lines = ['\t.section .rodata.ksymtab, "a"', "\t.balign 8",
             "\t.globl ksym_count", "ksym_count:", f"\t.quad {len(syms)}",
             "\t.globl ksym_text_end", "ksym_text_end:", f"\t.quad {end:#x}",
             "\t.globl ksym_addrs", "ksym_addrs:"]
    lines += [f"\t.quad {a:#x}" for a, _ in syms]
    lines += ["\t.balign 4", "\t.globl ksym_name_offsets", "ksym_name_offsets:"]
    off = 0
    for _, name in syms:
        lines.append(f"\t.long {off}")
        off += len(name) + 1
    lines += ["\t.globl ksym_names", "ksym_names:"]
    lines += [f'\t.asciz "{name}"' for _, name in syms]
    lines.append('\t.byte 0')
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    if sys.argv[1:2] == ["--empty"]:
        emit([], 0, sys.argv[2])
        return 0
    nm, elf, out = sys.argv[1:4]
    syms, end = text_symbols(nm, elf)
    emit(syms, end, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
