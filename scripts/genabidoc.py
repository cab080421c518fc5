#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the tables of docs/abi.md from the ABI's .def files (between the
<!-- generated --> markers), or with --check fail if the document is stale.

    genabidoc.py [--check] ROOT
"""
import re
import sys

ROW = re.compile(r"^KOSH_(SYSCALL|ERROR|OBJECT|RIGHT)\((.*)\)\s*$")


def rows(path, kind):
    out = []
    for line in open(path):
        m = ROW.match(line)
        if m and m.group(1) == kind:
            fields = [f.strip() for f in re.split(r",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", m.group(2))]
            out.append([f.strip('"') for f in fields])
    return out


def tables(root):
    inc = f"{root}/shared/include/kosh"
    lines = ["| # | call | args | handle | right | what |", "| --- | --- | --- | --- | --- | --- |"]
    for num, name, args, obj, right, text in rows(f"{inc}/syscalls.def", "SYSCALL"):
        right = "—" if right == "0" else right.replace("KOSH_RIGHT_", "").lower()
        handle = obj.lower()
        if obj == "NONE":  # no handle at all, or one of any type (handle_*)
            handle = "any" if name.startswith("handle_") else "—"
        lines.append(f"| {num} | `kosh_{name}` | {args} | {handle} | {right} | {text} |")
    lines += ["", "| error | value | meaning |", "| --- | --- | --- |"]
    for name, value, text in rows(f"{inc}/errors.def", "ERROR"):
        lines.append(f"| `KOSH_E_{name}` | {value} | {text} |")
    lines += ["", "| object type | value | | right | bit |", "| --- | --- | --- | --- | --- |"]
    objs = rows(f"{inc}/objects.def", "OBJECT")
    rights = rows(f"{inc}/rights.def", "RIGHT")
    for i in range(max(len(objs), len(rights))):
        o = objs[i] if i < len(objs) else ["", "", ""]
        r = rights[i] if i < len(rights) else ["", "", ""]
        left = f"`KOSH_OBJ_{o[0]}` | {o[1]}" if o[0] else " | "
        right = f"`KOSH_RIGHT_{r[0]}` | {r[1]}" if r[0] else " | "
        lines.append(f"| {left} | | {right} |")
    return "\n".join(lines)


def main():
    check = "--check" in sys.argv
    root = [a for a in sys.argv[1:] if a != "--check"][0]
    path = f"{root}/docs/abi.md"
    doc = open(path).read()
    begin, end = "<!-- generated -->\n", "<!-- end generated -->"
    a, b = doc.index(begin) + len(begin), doc.index(end)
    new = doc[:a] + tables(root) + "\n" + doc[b:]
    if check:
        if new != doc:
            print("docs/abi.md is stale: run scripts/genabidoc.py .", file=sys.stderr)
            return 1
        print("docs/abi.md matches the .def tables")
        return 0
    open(path, "w").write(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
