#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The driver manager test (issue 6): boot the plain system image with PCI
devices added and drive the shell over the serial console (the machinery of
shelltest.py), checking what sbin/devmgr found and started.

QEMU is given -device virtio-rng-pci, a virtio-blk-pci disk (a small scratch
file) and, on x86-64, -device edu (a device no driver takes). Then:
  - the harness asks QEMU's monitor `info pci` and `lspci -n` in the shell must
    list exactly those functions: the same addresses, the same vendor:device;
  - `lspci` names them (classes, the virtio devices) and the drivers that own
    them; `lsdev` lists virtio-blk on vda and virtio-rng on rng0;
  - killing each of devmgr's drivers (the virtio-* services of `svc list`) is
    a restart: init starts it again, and `lsdev` still names it;
  - killing devmgr is a restart of devmgr alone: the drivers keep running,
    and the new devmgr lists them and forwards opens to them.

On AArch64 without ACPI (case aarch64-dtb: -machine acpi=off, and virtio-rng
without MSI-X, vectors=0), the ECAM window comes from the device tree and the
rng's interrupt is its INTx line from the interrupt-map.

    devtest.py --build BUILD_DIR CASE     x86_64, aarch64 or aarch64-dtb
    devtest.py --list                     the cases
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

DRIVER_TIMEOUT = 120  # seconds for devmgr's drivers to run after the first prompt


def devices(arch, disk, rng):
    """The QEMU arguments of the devices the test lists."""
    extra = ["-device", rng,
             "-drive", f"if=none,id=scratch,format=raw,file={disk}",
             "-device", "virtio-blk-pci,drive=scratch"]
    if arch == "x86_64":
        extra += ["-device", "edu"]
    return extra


def qemu_functions(monitor):
    """`info pci` as {(bus, device, function): (vendor, device)}."""
    reply = boottest.monitor(monitor, ["info pci"], until="Bus", wait=20.0)
    found = {}
    where = None
    for line in reply.splitlines():
        m = re.match(r"\s*Bus\s+(\d+), device\s+(\d+), function (\d+):", line)
        if m:
            where = tuple(int(x) for x in m.groups())
            continue
        m = re.search(r"PCI device ([0-9a-f]{4}):([0-9a-f]{4})", line)
        if m and where is not None:
            found[where] = (int(m.group(1), 16), int(m.group(2), 16))
            where = None
    if not found:
        raise shelltest.Failure(f"`info pci` listed no functions: {reply!r}")
    return found


def lspci_functions(sh):
    """`lspci -n` as {(bus, device, function): (vendor, device)}."""
    out = sh.check("lspci -n")
    found = {}
    for line in out.splitlines():
        m = re.match(r"([0-9a-f]{2}):([0-9a-f]{2})\.(\d) [0-9a-f]{4}: ([0-9a-f]{4}):([0-9a-f]{4})",
                     line)
        if m:
            found[(int(m.group(1), 16), int(m.group(2), 16), int(m.group(3)))] = (
                int(m.group(4), 16), int(m.group(5), 16))
    return found


def wait_drivers(sh, names, timeout=DRIVER_TIMEOUT):
    """Until every service in names runs; `svc list` then."""
    deadline = time.monotonic() + timeout
    while True:
        table = shelltest.services(sh)
        if all(table.get(n, ("",))[0] == "running" for n in names):
            return table
        if time.monotonic() > deadline:
            raise shelltest.Failure(f"drivers {names} not all running: {table}")
        time.sleep(2)


def steps_lspci(sh):
    wait_drivers(sh, ["devmgr", "virtio-rng-rng0", "virtio-blk-vda"])
    want = qemu_functions(sh.c.monitor)
    got = lspci_functions(sh)
    if got != want:
        raise shelltest.Failure(f"lspci -n listed {sorted(got.items())}, QEMU has "
                                f"{sorted(want.items())}")
    out = sh.check("lspci")
    for rx in (r"Mass storage controller \[0100\]: Red Hat, Inc\. Virtio (1\.0 )?block device "
               r"\[1af4:10(01|42)\] \(virtio-blk vda\)",
               r"\[1af4:10(05|44)\] \(virtio-rng rng0\)"):
        if not re.search(rx, out):
            raise shelltest.Failure(f"`lspci` printed {out!r}, expected {rx!r}")
    if (0x1234, 0x11e8) in want.values():
        if not re.search(r"\[1234:11e8\]$", out, re.M):
            raise shelltest.Failure(f"`lspci`: the edu device has a driver or is missing: {out!r}")


def steps_lsdev(sh):
    out = sh.check("lsdev")
    for rx in (r"^pci\s+\S+\s+.*virtio-blk\s+vda$", r"^pci\s+\S+\s+.*virtio-rng\s+rng0$"):
        if not re.search(rx, out, re.M):
            raise shelltest.Failure(f"`lsdev` printed {out!r}, expected {rx!r}")
    sh.check("cat dev:///devices", r"^pci 0000:\S+ 1af4:10(01|42) virtio-blk vda$")
    sh.check("ls dev:///", r"vda")
    # An open of dev:///rng0 is forwarded to the driver, whose file reads random bytes.
    sh.check("rngcheck dev:///rng0", r"rngcheck: ok")


def steps_restart(sh):
    """Kill each of devmgr's drivers: init starts it again."""
    table = wait_drivers(sh, ["virtio-rng-rng0", "virtio-blk-vda"])
    drivers = sorted(n for n in table if n.startswith("virtio-") and table[n][0] == "running")
    for name in drivers:
        state, pid, restarts = shelltest.services(sh)[name]
        sh.run(f"kill {pid}")
        deadline = time.monotonic() + 60
        while True:
            time.sleep(1)
            now = shelltest.services(sh).get(name)
            if now and now[0] == "running" and now[2] == restarts + 1:
                break
            if time.monotonic() > deadline:
                raise shelltest.Failure(f"driver {name} not restarted after kill: {now}")
    sh.check("lsdev", r"virtio-blk\s+vda")
    # devmgr itself: restarted, it finds its drivers registered (drvreg LOOKUP) and
    # leaves them running; dev:// forwards to them again.
    table = shelltest.services(sh)
    state, pid, restarts = table["devmgr"]
    sh.run(f"kill {pid}")
    deadline = time.monotonic() + 60
    while True:
        time.sleep(1)
        now = shelltest.services(sh)
        if now["devmgr"][0] == "running" and now["devmgr"][2] == restarts + 1:
            break
        if time.monotonic() > deadline:
            raise shelltest.Failure(f"devmgr not restarted after kill: {now['devmgr']}")
    for name in drivers:
        if now[name][1] != table[name][1]:
            raise shelltest.Failure(f"{name} was restarted with devmgr: {table[name]} -> {now[name]}")
    sh.check("lspci", r"\(virtio-blk vda\)")
    sh.check("rngcheck dev:///rng0", r"rngcheck: ok")


def steps_device_tree(sh):
    """AArch64 without ACPI: ECAM and INTx from the device tree."""
    sh.check("dmesg", r"devmgr: ECAM 0000:00-ff at 0x[0-9a-f]+ \(device tree\)")
    # virtio-rng has no MSI-X here (vectors=0): its line comes from the interrupt-map.
    sh.check("dmesg", r"devmgr: rng0: virtio-rng-rng0 \(\S+, INTx\)")
    sh.check("lsdev", r"^platform\s+/pcie@\S+\s+pci-host-ecam-generic\s+-\s+-$")


# Cases: (architecture, machine options, the virtio-rng device, extra steps).
CASES = {
    "x86_64": ("x86_64", None, "virtio-rng-pci", ()),
    "aarch64": ("aarch64", None, "virtio-rng-pci", ()),
    "aarch64-dtb": ("aarch64", "acpi=off", "virtio-rng-pci,vectors=0",
                    (("device-tree", steps_device_tree),)),
}


def run(name, build, smp):
    arch, machine, rng, extra_steps = CASES[name]
    log_dir = os.path.join(build, "test-logs")
    os.makedirs(log_dir, exist_ok=True)
    log_path = os.path.join(log_dir, f"dev-{name}.log")
    case = boottest.Case(f"dev-{name}", arch)
    with tempfile.TemporaryDirectory(prefix="kosh-dev-") as tmp:
        image = boottest.make_image(case, build, tmp)
        disk = os.path.join(tmp, "scratch.img")
        with open(disk, "wb") as f:
            f.truncate(1 << 20)
        console = shelltest.Console(arch, image, log_path, smp, os.path.join(tmp, "monitor"),
                                    devices(arch, disk, rng), machine)
        sh = shelltest.Shell(console)
        step = "boot"
        try:
            sh.wait_prompt(shelltest.BOOT_TIMEOUT, "the first prompt")
            for step, fn in (("lspci", steps_lspci), ("lsdev", steps_lsdev)) + extra_steps + (
                    ("restart", steps_restart),):
                fn(sh)
                print(f"dev-{name}: {step}: ok", flush=True)
        except shelltest.Failure as e:
            print(console.text())
            print(f"FAIL dev-{name} ({step}): {e}", file=sys.stderr)
            print(f"dev-{name}: FAILED (log: {log_path})")
            return 1
        finally:
            console.close()
    print(f"dev-{name}: passed (log: {log_path})")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(boottest.ROOT, "build"))
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--list", action="store_true", help="print the cases")
    ap.add_argument("case", nargs="?", choices=sorted(CASES))
    args = ap.parse_args()
    if args.list:
        print("\n".join(sorted(CASES)))
        return 0
    if not args.case:
        ap.error("a case is needed")
    return run(args.case, os.path.abspath(args.build), args.smp)


if __name__ == "__main__":
    sys.exit(main())
