#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The small virtio drivers' test (issue 6): boot the plain system image with a
virtio device and check its driver from the shell, over the serial console,
with shelltest.py's machinery. Every step has its own timeout, the whole case
one too, and QEMU is killed at the end in every case.

Cases (each on x86_64 and aarch64 unless said):
  rng        -device virtio-rng-pci: `rngcheck` reads rng:// (two 8 KiB reads:
             not all equal, every byte value, no repeated 16-byte block, the
             reads differ; not seekable, not writable); the driver, killed,
             is restarted by init and serves again
  rng-cpu    x86_64, no device, -cpu max (TCG's model has RDRAND; the default
             qemu64 has not): virtio-rng started without a device answers
             from RDRAND, and `rngcheck` passes
  rng-none   aarch64, no device: rng:// answers ENODEV (no CPU source)
  rng-nocpu  x86_64, no device, QEMU's default CPU (qemu64, no RDRAND):
             rng:// answers ENODEV
  net        -nic user,model=virtio-net-pci,restrict=on: `netcheck` sends an
             ARP request for the gateway 10.0.2.2 through dev:///net0 and
             checks QEMU's ARP reply field by field, then plays a hostile
             client (bad ATTACHes, a bad slot length, an impossible index)
             and attaches again; the driver, killed, restarts and serves
  keyboard   -device virtio-keyboard-pci: keys typed with the monitor's
             sendkey reach the shell as a command line (virtio-input serves
             init's `input` endpoint, which the console reads), also after
             the driver was killed and restarted
  tablet     x86_64, -device virtio-tablet-pci: not a keyboard, logged and
             left alone
  poll       aarch64 with GICv3 (no GICv2m: devmgr routes no interrupt) and
             all three devices: each driver polls, and each works

    virtiotest.py --build BUILD_DIR ARCH-CASE     run one case (x86_64-rng …)
    virtiotest.py --list                          the cases, "ARCH-CASE" per line
    virtiotest.py --build BUILD_DIR all           every case
"""
import argparse
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boottest  # noqa: E402
import shelltest  # noqa: E402
from shelltest import Failure, Shell  # noqa: E402

CASE_TIMEOUT = 600  # seconds for a whole case
ARCHES = ("x86_64", "aarch64")


# --- the steps ----------------------------------------------------------------

DRIVER_TIMEOUT = 60  # seconds after the prompt for devmgr to have started a driver


def when_ready(sh, line, missing, **check):
    """Run line (sh.check) once its device is there: while its output matches missing
    (the driver is not started yet: the prompt may come before devmgr is done), again
    each second, for at most DRIVER_TIMEOUT seconds."""
    deadline = time.monotonic() + DRIVER_TIMEOUT
    while True:
        out = sh.run(line, check.get("timeout", shelltest.STEP_TIMEOUT))
        sh.status()
        if not re.search(missing, out, re.M) or time.monotonic() > deadline:
            break
        time.sleep(1)
    return sh.check(line, **check)


def wait_log(sh, pattern, what, count=1):
    """Wait (dmesg each second, at most DRIVER_TIMEOUT seconds) for count lines of the log
    matching pattern."""
    deadline = time.monotonic() + DRIVER_TIMEOUT
    while len(re.findall(pattern, sh.run("dmesg"), re.M)) < count:
        if time.monotonic() > deadline:
            raise Failure(f"{what}: no log line matching {pattern!r}")
        time.sleep(1)


def restart(sh, name):
    """Kill the driver name; init restarts it (its restart count in `svc list` goes up)."""
    state, pid, restarts = shelltest.services(sh)[name]
    if state != "running" or not pid.isdigit():
        raise Failure(f"driver {name} is {state} (pid {pid}) before the kill")
    sh.run(f"kill {pid}")
    deadline = time.monotonic() + DRIVER_TIMEOUT
    while True:
        time.sleep(1)
        now = shelltest.services(sh).get(name)
        if now and now[0] == "running" and now[2] == restarts + 1:
            return
        if time.monotonic() > deadline:
            raise Failure(f"driver {name} not restarted after the kill: {now}")


NOT_YET = r"cannot open \S+: No such file or directory"


def step_rng(sh):
    when_ready(sh, "rngcheck", NOT_YET,
               want=r"^rngcheck: passed, 16384 bytes from rng://$", absent=r"FAIL")
    # The same stream as devmgr forwards an OPEN of the device's name.
    sh.check("rngcheck dev:///rng0", r"^rngcheck: passed, 16384 bytes from dev:///rng0$",
             absent=r"FAIL")
    # Killed, the driver is restarted (and resets its device): rng:// works again.
    restart(sh, "virtio-rng-rng0")
    sh.check("rngcheck", r"^rngcheck: passed, 16384 bytes from rng://$", absent=r"FAIL")


def step_rng_cpu(sh):
    when_ready(sh, "rngcheck", NOT_YET,
               want=r"^rngcheck: passed, 16384 bytes from rng://$", absent=r"FAIL")
    sh.check("dmesg", r"virtio-rng\S*: no entropy device: serving the CPU's random numbers")


def step_rng_none(sh):
    when_ready(sh, "rngcheck", NOT_YET,
               want=r"^rngcheck: cannot read rng://: No such device$", status=2)


def step_net(sh):
    out = when_ready(sh, "netcheck", NOT_YET, want=r"^netcheck: passed", absent=r"FAIL",
                     timeout=60)
    if not re.search(r"^netcheck: ok ARP reply from 10\.0\.2\.2 is at 52:55:0a:00:02:02", out,
                     re.M):
        raise Failure(f"netcheck did not report the gateway's MAC: {out!r}")
    # Killed, the driver is restarted (and resets its device): a new client works.
    restart(sh, "virtio-net-net0")
    sh.check("netcheck", r"^netcheck: passed", absent=r"FAIL", timeout=60)


SENDKEY = {" ": "spc", "-": "minus", ".": "dot", "/": "slash"}


SERVING_KEYBOARD = r"virtio-input\S*: input0: serving the keyboard"


def type_line(sh, line, want):
    """Type line and Enter on the virtio keyboard; the shell's output must match want."""
    start = sh.c.pos
    keys = [SENDKEY.get(ch, ch) for ch in line] + ["ret"]
    boottest.monitor(sh.c.monitor, [f"sendkey {k}" for k in keys], wait=30.0)
    m, text = sh.c.expect(shelltest.PROMPT, shelltest.STEP_TIMEOUT,
                          f"`{line}` typed on the virtio keyboard")
    out = text[start:m.start()]
    if not re.search(want, out, re.M):
        raise Failure(f"`{line}` from the virtio keyboard printed {out!r}")


def step_keyboard(sh):
    """Typed on the virtio keyboard, a command line runs."""
    # Keys pressed before the driver has posted its buffers are lost by the device.
    wait_log(sh, SERVING_KEYBOARD, "virtio-input started")
    type_line(sh, "echo virtio", r"^echo virtio\nvirtio$")
    # On x86-64 the PS/2 keyboard is there too: the keys must have come through virtio.
    sh.check("dmesg", r"virtio-input\S*: input0: the first typed key")
    # Killed, the driver is restarted; the console reads the new one.
    restart(sh, "virtio-input-input0")
    wait_log(sh, SERVING_KEYBOARD, "virtio-input restarted", count=2)
    type_line(sh, "echo again", r"^echo again\nagain$")


def step_tablet(sh):
    """A virtio input device that is not a keyboard is logged and left alone."""
    wait_log(sh, r"virtio-input\S*: input0: \"QEMU Virtio Tablet\" is not a keyboard: ignored",
             "the tablet ignored")
    sh.check("echo still here", r"^still here$")


def step_poll(sh):
    """All three drivers without interrupts (GICv3 without GICv2m: devmgr routes none)."""
    wait_log(sh, SERVING_KEYBOARD + r' "[^"]*" \(polling\)', "virtio-input polling")
    type_line(sh, "echo polled", r"^echo polled\npolled$")
    when_ready(sh, "rngcheck", NOT_YET,
               want=r"^rngcheck: passed, 16384 bytes from rng://$", absent=r"FAIL")
    sh.check("netcheck", r"^netcheck: passed", absent=r"FAIL", timeout=60)
    sh.check("dmesg", r"virtio-net\S*: net0: .*, link up, polling")


CASES = {
    # name: (arches, QEMU arguments, step, monitor). devmgr starts the drivers
    # (etc/drivers); virtio-rng also without a device.
    "rng": (ARCHES, ["-device", "virtio-rng-pci"], step_rng, False),
    "rng-cpu": (("x86_64",), ["-cpu", "max"], step_rng_cpu, False),
    "rng-none": (("aarch64",), [], step_rng_none, False),
    "rng-nocpu": (("x86_64",), [], step_rng_none, False),
    "net": (ARCHES, ["-nic", "user,model=virtio-net-pci,restrict=on"], step_net, False),
    "keyboard": (ARCHES, ["-device", "virtio-keyboard-pci"], step_keyboard, True),
    "tablet": (("x86_64",), ["-device", "virtio-tablet-pci"], step_tablet, False),
    "poll": (("aarch64",), ["-machine", "gic-version=3", "-device", "virtio-keyboard-pci",
                            "-device", "virtio-rng-pci",
                            "-nic", "user,model=virtio-net-pci,restrict=on"], step_poll, True),
}


def case_names():
    return [f"{arch}-{name}" for name, (arches, *_rest) in CASES.items() for arch in arches]


def run(arch, name, build):
    arches, extra, step, use_monitor = CASES[name]
    log_dir = os.path.join(build, "test-logs")
    os.makedirs(log_dir, exist_ok=True)
    label = f"virtio-{arch}-{name}"
    log_path = os.path.join(log_dir, f"{label}.log")
    case = boottest.Case(label, arch)
    with tempfile.TemporaryDirectory(prefix="kosh-virtio-") as tmp:
        image = boottest.make_image(case, build, tmp)
        console = shelltest.Console(arch, image, log_path, 2,
                                    os.path.join(tmp, "monitor") if use_monitor else None, extra)
        console.deadline = time.monotonic() + CASE_TIMEOUT
        sh = Shell(console)
        what = "boot"
        try:
            sh.wait_prompt(shelltest.BOOT_TIMEOUT, "the first prompt")
            what = name
            step(sh)
        except Failure as e:
            print(console.text())
            print(f"FAIL {label} ({what}): {e}", file=sys.stderr)
            print(f"{label}: FAILED (log: {log_path})")
            return 1
        finally:
            console.close()
    print(f"{label}: passed (log: {log_path})")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(boottest.ROOT, "build"))
    ap.add_argument("--list", action="store_true")
    ap.add_argument("case", nargs="?", help="ARCH-CASE (see --list), or all")
    args = ap.parse_args()
    if args.list:
        print("\n".join(case_names()))
        return 0
    if not args.case:
        ap.error("a case is needed (see --list)")
    build = os.path.abspath(args.build)
    names = case_names() if args.case == "all" else [args.case]
    status = 0
    for full in names:
        if full not in case_names():
            ap.error(f"unknown case {full} (see --list)")
        arch = "x86_64" if full.startswith("x86_64-") else "aarch64"
        name = full[len(arch) + 1:]
        status |= run(arch, name, build)
    return status


if __name__ == "__main__":
    sys.exit(main())
