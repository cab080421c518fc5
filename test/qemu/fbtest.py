#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The framebuffer console test: boot the plain system image (no kosh.cfg) with a
framebuffer (x86-64: OVMF's GOP on QEMU's VGA; AArch64: AAVMF's GOP on -device
ramfb), run commands at the shell, take a `screendump` through the QEMU monitor
and check that sbin/fbcon shows the prompt, the commands and their output.

The expected screen lines are drawn on the host by <build>/tools/fbrender, built
from the very code fbcon runs (shared/lib/term.c, user/servers/fbcon/render.c,
shared/lib/font.c), and compared with the dump cell by cell: in each 8x16 cell the
pixels the font lights must all have one colour, the others all another, so the
check does not depend on the colours, only on the glyphs and their places. The
lines must be found one under the other, each starting in the first column.

On x86-64 the second command is typed on the PS/2 keyboard (the monitor's
sendkey), so what `scripts/run.sh --gui` offers, a shell on the screen that takes
keys, is what is tested. Then 60 lines of output scroll the screen (the last
ones must end on its last row), and fbcon is killed: init restarts it, and the
screen shows the next command and its output again.

The case "aarch64-serial" boots without any display device: fbcon finds no
framebuffer, exits 0 and is not restarted, and the shell works on serial alone.

    fbtest.py --build BUILD_DIR CASE      x86_64 | aarch64 | aarch64-serial
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boottest  # noqa: E402  (make_image, monitor, ROOT)
import shelltest  # noqa: E402  (Console, Shell, sendkeys)

BOOT_TIMEOUT = 240   # seconds to the first prompt
SCREEN_TIMEOUT = 30  # seconds for the screen to show what the serial line did
CELL_W, CELL_H = 8, 16
CASES = {
    "x86_64": ("x86_64", []),
    "aarch64": ("aarch64", ["-device", "ramfb"]),
    "aarch64-serial": ("aarch64", []),
}


class Failure(Exception):
    pass


# --- the screen -------------------------------------------------------------------

def read_ppm(path):
    """A binary PPM (P6, 8 bits): width, height, the RGB bytes. The header is read
    token by token, so pixel bytes that look like blanks are not taken for it."""
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while end < len(data) and not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise Failure(f"{path}: not an 8-bit P6 PPM")
    width, height = int(fields[1]), int(fields[2])
    px = data[pos + 1:]
    if len(px) < width * height * 3:
        raise Failure(f"{path}: {len(px)} bytes of pixels for {width}x{height}")
    return width, height, px


def render(build, lines):
    """The lines as fbcon draws them (cursor hidden): width, height, pixels."""
    tool = os.path.join(build, "tools", "fbrender")
    if not os.access(tool, os.X_OK):
        raise Failure(f"{tool} is missing: build the tree first")
    width = max(16, (max(len(l) for l in lines) + 1) * CELL_W)
    height = len(lines) * CELL_H
    text = "\x1b[?25l" + "\r\n".join(lines)
    with tempfile.NamedTemporaryFile(suffix=".ppm") as out:
        subprocess.run([tool, str(width), str(height)], input=text.encode(), stdout=out,
                       check=True)
        return read_ppm(out.name)


def expected_masks(build, lines):
    """For each line, for each character, the 8x16 booleans the font lights."""
    width, _, px = render(build, lines)
    masks = []
    for row, line in enumerate(lines):
        cells = []
        for col in range(len(line)):
            cell = []
            for y in range(CELL_H):
                base = ((row * CELL_H + y) * width + col * CELL_W) * 3
                cell.append([px[base + x * 3:base + x * 3 + 3] != b"\0\0\0"
                             for x in range(CELL_W)])
            cells.append(cell)
        masks.append(cells)
    return masks


def cell_matches(px, width, col, row, mask):
    """Lit pixels of the mask all one colour, unlit all another (or all one, for a blank)."""
    fg, bg = set(), set()
    for y in range(CELL_H):
        base = ((row * CELL_H + y) * width + col * CELL_W) * 3
        for x in range(CELL_W):
            (fg if mask[y][x] else bg).add(px[base + x * 3:base + x * 3 + 3])
            if len(fg) > 1 or len(bg) > 1:
                return False
    return not (fg and bg) or fg != bg


def line_matches(px, width, row, cells):
    return all(cell_matches(px, width, col, row, m) for col, m in enumerate(cells))


def find_lines(ppm, masks):
    """The text row where the lines start, one under the other, or None."""
    width, height, px = read_ppm(ppm)
    rows = height // CELL_H
    if max(len(m) for m in masks) * CELL_W > width:
        return None
    for top in range(rows - len(masks) + 1):
        if all(line_matches(px, width, top + k, m) for k, m in enumerate(masks)):
            return top
    return None


def read_screen(ppm, glyphs):
    """The text the screen shows, as far as the font can tell (for the failure report)."""
    width, height, px = read_ppm(ppm)
    out = []
    for row in range(height // CELL_H):
        line = ""
        for col in range(width // CELL_W):
            ch = next((c for c, m in glyphs if c != " " and cell_matches(px, width, col, row, m)),
                      None)
            line += ch if ch else (" " if cell_matches(px, width, col, row, glyphs[0][1])
                                   else "?")
        out.append(line.rstrip())
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def screendump(monitor, path):
    if os.path.exists(path):
        os.unlink(path)
    boottest.monitor(monitor, [f"screendump {path}"], wait=10.0)
    for _ in range(50):
        if os.path.exists(path) and os.path.getsize(path) > 0:
            time.sleep(0.2)  # QEMU writes the file in one go, but let it finish
            return
        time.sleep(0.1)
    raise Failure("QEMU wrote no screen dump")


def check_screen(build, c, lines, ppm):
    masks = expected_masks(build, lines)
    deadline = time.monotonic() + SCREEN_TIMEOUT
    while True:
        screendump(c.monitor, ppm)
        top = find_lines(ppm, masks)
        if top is not None:
            return top
        if time.monotonic() > deadline:
            alphabet = [chr(i) for i in range(0x20, 0x7f)]
            glyphs = list(zip(alphabet, expected_masks(build, ["".join(alphabet)])[0]))
            raise Failure("the screen does not show\n  " + "\n  ".join(lines) +
                          "\nit shows:\n" + read_screen(ppm, glyphs))
        time.sleep(1)


# --- the cases --------------------------------------------------------------------

def type_on_keyboard(sh, line):
    """x86-64: type line + Enter on the PS/2 keyboard; its output."""
    start = sh.c.pos
    shelltest.sendkeys(sh, [shelltest.SENDKEY.get(ch, ch) for ch in line] + ["ret"])
    m, text = sh.c.expect(shelltest.PROMPT, shelltest.STEP_TIMEOUT, f"`{line}` typed")
    sh.cwd = m.group(1)
    first, _, rest = text[start:m.start()].partition("\n")
    if line not in first:
        raise Failure(f"`{line}` typed on the keyboard was echoed as {first!r}")
    return rest


def screen_case(build, arch, c, sh, log_dir):
    prompt = f"kosh:{sh.cwd}$ "
    out = sh.run("echo fb-check-42")
    if out.strip() != "fb-check-42":
        raise Failure(f"`echo fb-check-42` printed {out!r}")
    lines = [prompt + "echo fb-check-42", "fb-check-42"]
    if arch == "x86_64":
        out = type_on_keyboard(sh, "uname")
    else:
        out = sh.run("uname")
    if not out.strip():
        raise Failure("`uname` printed nothing")
    lines += [prompt + "uname"] + out.rstrip("\n").split("\n") + [prompt]
    ppm = os.path.join(log_dir, f"fb-{arch}.ppm")
    top = check_screen(build, c, lines, ppm)
    print(f"fb-{arch}: the screen shows the {len(lines)} lines from text row {top}"
          f" (dump: {ppm})", flush=True)
    scroll_case(build, arch, c, sh, log_dir, prompt)
    restart_fbcon(sh)
    out = sh.run("echo after-restart")
    if out.strip() != "after-restart":
        raise Failure(f"`echo after-restart` printed {out!r}")
    lines = [prompt + "echo after-restart", "after-restart", prompt]
    ppm = os.path.join(log_dir, f"fb-{arch}-restarted.ppm")
    top = check_screen(build, c, lines, ppm)
    print(f"fb-{arch}: after fbcon's restart the screen shows the new lines from text row"
          f" {top} (dump: {ppm})", flush=True)


def scroll_case(build, arch, c, sh, log_dir, prompt):
    """More lines than the screen has: it scrolls, the last ones end on its last row."""
    count, batch = 60, 20  # the shell takes at most 31 commands a line
    for first in range(1, count + 1, batch):
        out = sh.run("; ".join(f"echo line-{i}" for i in range(first, first + batch)))
        if out.split() != [f"line-{i}" for i in range(first, first + batch)]:
            raise Failure(f"echo line-{first} … line-{first + batch - 1} printed {out!r}")
    lines = [f"line-{i}" for i in range(count - 9, count + 1)] + [prompt]
    ppm = os.path.join(log_dir, f"fb-{arch}-scrolled.ppm")
    top = check_screen(build, c, lines, ppm)
    _, height, _ = read_ppm(ppm)
    if top + len(lines) != height // CELL_H:
        raise Failure(f"after {count} lines the prompt is on text row {top + len(lines) - 1}"
                      f" of {height // CELL_H}: the screen did not scroll")
    print(f"fb-{arch}: {count} lines scrolled the screen; the last ones and the prompt end"
          f" on its last row (dump: {ppm})", flush=True)


def restart_fbcon(sh):
    """Kill fbcon; init restarts it (the kernel had the screen meanwhile)."""
    state, pid, restarts = shelltest.services(sh)["fbcon"]
    if state != "running" or not pid.isdigit():
        raise Failure(f"fbcon is {state} (pid {pid}) with a framebuffer")
    sh.run(f"kill {pid}")
    deadline = time.monotonic() + 60
    while True:
        time.sleep(1)
        now = shelltest.services(sh).get("fbcon")
        if now and now[0] == "running" and now[2] == restarts + 1:
            return
        if time.monotonic() > deadline:
            raise Failure(f"fbcon not restarted after its kill: {now}")


def serial_case(build, arch, c, sh, log_dir):
    out = sh.run("echo serial-only")
    if out.strip() != "serial-only":
        raise Failure(f"`echo serial-only` printed {out!r}")
    table = shelltest.services(sh)
    if "fbcon" not in table:
        raise Failure("`svc list` has no fbcon")
    state, _, restarts = table["fbcon"]
    if state == "running" or restarts:
        raise Failure(f"fbcon without a framebuffer is {state} after {restarts} restarts;"
                      " it should have exited 0 and stayed down")


def run(case, build):
    arch, extra = CASES[case]
    log_dir = os.path.join(build, "test-logs")
    os.makedirs(log_dir, exist_ok=True)
    log_path = os.path.join(log_dir, f"fb-{case}.log")
    with tempfile.TemporaryDirectory(prefix="kosh-fb-") as tmp:
        image = boottest.make_image(boottest.Case(f"fb-{case}", arch), build, tmp)
        c = shelltest.Console(arch, image, log_path, 2, os.path.join(tmp, "monitor"), extra)
        sh = shelltest.Shell(c)
        try:
            sh.wait_prompt(BOOT_TIMEOUT, "the first prompt")
            if case == "aarch64-serial":
                serial_case(build, arch, c, sh, log_dir)
            else:
                screen_case(build, arch, c, sh, log_dir)
        except (Failure, shelltest.Failure) as e:
            print(c.text())
            print(f"FAIL fb-{case}: {e}", file=sys.stderr)
            print(f"fb-{case}: FAILED (log: {log_path})")
            return 1
        finally:
            c.close()
    print(f"fb-{case}: passed (log: {log_path})")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(boottest.ROOT, "build"))
    ap.add_argument("case", choices=sorted(CASES))
    args = ap.parse_args()
    return run(args.case, os.path.abspath(args.build))


if __name__ == "__main__":
    sys.exit(main())
