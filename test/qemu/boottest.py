#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot tests: build a disk image for one case, boot it in QEMU (TCG, no network,
under a timeout) and check what the serial console shows.

A good boot must print the banner and the boot-info summary with figures that
match the QEMU configuration, run the in-kernel self-checks (TAP, all "ok") and
power the machine off. With kosh.test it must also start the root task, whose
in-OS test suite (user/tests, run by sbin/bootstrap) prints its own TAP, all
"ok", before bootstrap exits with status 0. A bad-input case must show the loader's one-line
diagnosis naming the file, return to the firmware, and never reach the kernel.
Any "panic", "not ok", missing line or timeout fails the test.

    boottest.py --build BUILD_DIR CASE      run one case
    boottest.py --list                      print the case names
"""
import argparse
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b=?[0-9]*[a-z]?")
MiB = 1 << 20
# OVMF's and AAVMF's boot manager, once a boot option returned an error.
RETURNED = re.compile(r"kosh: boot failed; returning to the firmware\n(?:.*\n)*?"
                      r"BdsDxe: failed to start .*: ([A-Za-z ]+)\n", re.M)

EFI_NAME = {"x86_64": "BOOTX64.EFI", "aarch64": "BOOTAA64.EFI"}
OTHER = {"x86_64": "aarch64", "aarch64": "x86_64"}
ARCH_LABEL = {"x86_64": "x86-64", "aarch64": "AArch64"}


class Case:
    def __init__(self, name, arch, memory="512M", machine=None, extra=(), cfg=None,
                 layout="boot", mutate=None, expect_fail=None, status=None, loader=None,
                 checks=(), screen=False, panic=(), timeout=120, until=None):
        self.name, self.arch, self.memory, self.machine = name, arch, memory, machine
        self.extra, self.cfg, self.layout, self.mutate = list(extra), cfg, layout, mutate
        self.expect_fail, self.loader, self.checks = expect_fail, loader, checks
        self.status = status  # the EFI status the firmware reports for the loader
        self.screen = screen  # check the framebuffer shows the banner in our font
        self.panic = panic    # a panic is expected: these lines must be in its report
        self.timeout = timeout
        self.until = until    # the run is over when this matches (default: the power-off)


# --- checks on a good boot ------------------------------------------------------

def field(log, pattern):
    m = re.search(pattern, log, re.M)
    if not m:
        raise AssertionError(f"missing line matching {pattern!r}")
    return m


def mem_bytes(spec):
    units = {"M": MiB, "G": 1 << 30}
    return int(spec[:-1]) * units[spec[-1]]


def check_memory(case, log):
    total = int(field(log, r"^memory: total (\d+) KiB, usable (\d+) KiB, (\d+) map entries")
                .group(1)) * 1024
    want = mem_bytes(case.memory)
    # Firmware keeps a little for itself (SMRAM, holes); within 3% of -m is "close".
    if not (want * 0.97 <= total <= want):
        raise AssertionError(f"memory total {total} bytes, QEMU has {want}")


def check_framebuffer(present):
    def check(case, log):
        m = field(log, r"^framebuffer: (none|(\d+)x(\d+))")
        if present and m.group(1) == "none":
            raise AssertionError("no framebuffer, but the firmware has a GOP")
        if not present and m.group(1) != "none":
            raise AssertionError(f"framebuffer {m.group(1)} reported without a display device")
        if present and (int(m.group(2)) < 320 or int(m.group(3)) < 200):
            raise AssertionError(f"implausible framebuffer {m.group(1)}")
    return check


def check_resolution(width, height):
    def check(case, log):
        got = field(log, r"^framebuffer: (\d+)x(\d+)")
        if (int(got.group(1)), int(got.group(2))) != (width, height):
            raise AssertionError(f"framebuffer {got.group(1)}x{got.group(2)}, "
                                 f"kosh.cfg asked for {width}x{height}")
    return check


def check_tables(acpi, dtb, console):
    def check(case, log):
        rsdp = int(field(log, r"^acpi: rsdp 0x([0-9a-f]+)").group(1), 16)
        blob = int(field(log, r"^dtb: 0x([0-9a-f]+)").group(1), 16)
        if bool(rsdp) != acpi:
            raise AssertionError(f"ACPI RSDP {rsdp:#x}, expected {'one' if acpi else 'none'}")
        if bool(blob) != dtb:
            raise AssertionError(f"DTB {blob:#x}, expected {'one' if dtb else 'none'}")
        got = field(log, r"^console: (.*)$").group(1).strip()
        if got != console:
            raise AssertionError(f"console from {got!r}, expected {console!r}")
    return check


def check_flag(flag, present=True):
    def check(case, log):
        flags = field(log, r"^boot: flags:(.*)$").group(1).split()
        if (flag in flags) != present:
            raise AssertionError(f"boot flag {flag} {'missing' if present else 'unexpected'}")
    return check


def check_cpus(n):
    """Every CPU QEMU has is online, as the kernel counts them."""
    def check(case, log):
        m = field(log, r"^smp: (\d+) of (\d+) CPUs online$")
        if (int(m.group(1)), int(m.group(2))) != (n, n):
            raise AssertionError(f"{m.group(1)} of {m.group(2)} CPUs online, QEMU has {n}")
        field(log, rf"^kosh: {n} CPUs online, \d+ us after kmain; counter \d+ Hz$")
    return check


def check_gic(version):
    def check(case, log):
        field(log, rf"^platform: GICv{version} ")
    return check


def check_aarch64(gic, timer, redistributors=None):
    """The AArch64 port's own summary: the GIC version the hardware reports, the
    generic timer it chose (CNTP on PPI 30 when entered at EL2, else CNTV on 27,
    QEMU virt's numbers) and, on GICv3/v4, how many redistributors it walked."""
    ppi = {"CNTP": 30, "CNTV": 27}[timer]
    def check(case, log):
        m = field(log, r"^aarch64: GICv(\d), (.*), timer (CNT[PV]) PPI (\d+), counter (\d+) Hz$")
        got = (int(m.group(1)), m.group(3), int(m.group(4)))
        if got != (gic, timer, ppi):
            raise AssertionError(f"GICv{got[0]} timer {got[1]} PPI {got[2]}, "
                                 f"expected GICv{gic} timer {timer} PPI {ppi}")
        if redistributors is not None and f"{redistributors} redistributors" not in m.group(2):
            raise AssertionError(f"{m.group(2)!r}: expected {redistributors} redistributors")
        if int(m.group(5)) == 0:
            raise AssertionError("counter frequency 0")
    return check


def check_x86(reference=None, apic_ids=None):
    """The x86-64 port's summary: x2APIC exactly when QEMU gives the CPU x2APIC
    (TCG before QEMU 8 drops +x2apic with a warning), the calibration reference,
    and the APIC ids (not sequential with several sockets) all started."""
    def check(case, log):
        m = field(log, r"^x86: (xAPIC|x2APIC), LAPIC timer (TSC-deadline|one-shot), "
                       r"TSC (\d+) MHz \((.*)\), (.*IOAPIC.*)$")
        asked = any("+x2apic" in a for a in case.extra)
        dropped = "doesn't support requested feature: CPUID.01H:ECX.x2apic" in log
        want = "x2APIC" if asked and not dropped else "xAPIC"
        if m.group(1) != want:
            raise AssertionError(f"{m.group(1)} in use, expected {want}")
        if int(m.group(3)) < 100:
            raise AssertionError(f"implausible TSC rate {m.group(3)} MHz")
        if reference and m.group(4) != reference:
            raise AssertionError(f"calibrated against {m.group(4)}, expected {reference}")
        if apic_ids:
            field(log, rf"^platform: {len(apic_ids)} CPUs from ACPI \(APIC ids "
                       rf"{' '.join(str(i) for i in apic_ids)}\)$")
            for i in apic_ids[1:]:
                field(log, rf"^smp: cpu \d+ \(id {i:#x}\) online$")
    return check


def check_loader_above_4g(case, log):
    """The case exists to run the loader from above 4 GiB (64-bit cleanliness)."""
    base = int(field(log, r"^Kosh loader \S+ \(.*\) at 0x([0-9a-f]+)$").group(1), 16)
    if base < 1 << 32:
        raise AssertionError(f"the firmware loaded the loader at {base:#x}, below 4 GiB")


def check_common(case, log):
    field(log, rf"^Kosh \S+ \({re.escape(ARCH_LABEL[case.arch])}\)$")
    us = int(field(log, r"^boot: loader start to kmain (\d+) us").group(1))
    if not 0 < us < 600_000_000:
        raise AssertionError(f"implausible boot time {us} us")
    if not case.until:
        field(log, r"^kosh: powering off$")


def check_selftests(case, log):
    plan = int(field(log, r"^1\.\.(\d+)$").group(1))
    oks = re.findall(r"^ok \d+ ", log, re.M)
    if plan == 0 or len(oks) != plan:
        raise AssertionError(f"{len(oks)} of {plan} self-checks passed")


# The kernel's report of a process it stopped for a fault. Only processes whose
# name starts with EXPECTED_FAULT (helpers of the fault tests) may be stopped.
KILLED = re.compile(r"^kosh: process \d+ \((.*?)\) thread \d+ killed")
EXPECTED_FAULT = "expected-fault"


def smp(case):
    """The CPU count QEMU is given (-smp N[,...]; 1 without)."""
    extra = list(case.extra)
    if "-smp" in extra:
        return int(extra[extra.index("-smp") + 1].split(",")[0])
    return 1


def check_user_suite(case, log):
    """The root task started and ran the in-OS test suite: bootstrap's banner with
    this machine's architecture and CPUs, its TAP plan and every result "ok" in
    order, no process stopped for a fault but the fault tests' helpers, and the
    root task's exit with status 0."""
    m = field(log, r"^bootstrap: Kosh \S+ root task on (\S+), (\d+) CPUs?, (\d+) MiB, "
                   r"initfs (\d+) KiB, (\d+) frames?$")
    if m.group(1) != ARCH_LABEL[case.arch]:
        raise AssertionError(f"bootstrap runs on {m.group(1)}, expected {ARCH_LABEL[case.arch]}")
    if int(m.group(2)) != smp(case):
        raise AssertionError(f"bootstrap sees {m.group(2)} CPUs, QEMU has {smp(case)}")
    if not 0 < int(m.group(3)) <= mem_bytes(case.memory) // MiB:
        raise AssertionError(f"bootstrap's memory {m.group(3)} MiB, QEMU has {case.memory}")
    plan = int(field(log, r"^bootstrap: 1\.\.(\d+)$").group(1))
    results = re.findall(r"^bootstrap: (not ok|ok) (\d+) - (.*)$", log, re.M)
    failed = [f"{n} - {what}" for status, n, what in results if status == "not ok"]
    if failed:
        raise AssertionError("in-OS tests failed: " + "; ".join(failed))
    numbers = [int(n) for _, n, _ in results]
    if plan == 0 or numbers != list(range(1, plan + 1)):
        raise AssertionError(f"in-OS tests: {len(results)} results for the plan 1..{plan}")
    for line in re.findall(r"^.*\bkilled\b.*$", log, re.M):
        k = KILLED.match(line)
        if not (k and k.group(1).startswith(EXPECTED_FAULT)):
            raise AssertionError(f"unexpected: {line!r}")
    status = field(log, r"^kosh: root task exited with status (\d+)$").group(1)
    if status != "0":
        raise AssertionError(f"the root task exited with status {status}")


def font_glyphs():
    """The 8x16 glyphs of shared/lib/font.c, 0x20..0x7e, as 16 row bytes each."""
    text = open(os.path.join(ROOT, "shared", "lib", "font.c")).read()
    table = text[text.index("font_glyphs["):text.index("font_replacement")]
    rows = [int(v, 16) for v in re.findall(r"\b(0x[0-9a-fA-F]{2}),", table)]
    assert len(rows) == 95 * 16, f"font.c: {len(rows)} rows"
    return [rows[i * 16:(i + 1) * 16] for i in range(95)]


def read_ppm(path):
    data = open(path, "rb").read()
    fields = data.split(maxsplit=4)
    assert fields[0] == b"P6" and fields[3] == b"255", "not an 8-bit P6 PPM"
    return int(fields[1]), int(fields[2]), fields[4]


def text_row_matches(px, width, row, text, glyphs):
    for i, ch in enumerate(text):
        glyph = glyphs[ord(ch) - 0x20]
        for y in range(16):
            base = ((row * 16 + y) * width + i * 8) * 3
            for x in range(8):
                lit = sum(px[base + x * 3:base + x * 3 + 3]) > 3 * 128
                if lit != bool(glyph[y] & (0x80 >> x)):
                    return False
    return True


def check_screen(case, raw_log, ppm):
    """The framebuffer console shows the last line printed, drawn in our font."""
    width, height, px = read_ppm(ppm)
    last = field(raw_log, r"^(.*kosh: powering off)$").group(1)
    glyphs = font_glyphs()
    if len(last) * 8 > width:
        raise AssertionError(f"screen {width}x{height} too narrow")
    if not any(text_row_matches(px, width, row, last, glyphs) for row in range(height // 16)):
        raise AssertionError(f"{last!r} is not on the framebuffer in the kernel's font")


# --- image layouts and mutations -------------------------------------------------

def truncate(size):
    def mutate(files, arch):
        with open(files["kernel"], "r+b") as f:
            f.truncate(size)
    return mutate


def corrupt_magic(files, arch):
    with open(files["kernel"], "r+b") as f:
        f.write(b"\x7fXYZ")


def remove(key):
    def mutate(files, arch):
        os.unlink(files[key])
        del files[key]
    return mutate


def other_arch_kernel(build):
    def mutate(files, arch):
        shutil.copyfile(os.path.join(build, OTHER[arch], f"kernel-{OTHER[arch]}.elf"),
                        files["kernel"])
    return mutate


def garbage_initfs(files, arch):
    with open(files["initfs"], "r+b") as f:
        f.seek(100)
        f.write(b"this is not a ustar header")


CFG_TEST = "cmdline = kosh.test\n"
# The shell's prompt (user/apps/sh): "kosh:<working directory>$ ".
PROMPT = r"kosh:\S+\$ $"


def check_system(case, log):
    """A plain boot: bootstrap started init, and the shell prompted (the kernel's
    own lines stop at the serial driver's start, so only those before it show)."""
    field(log, r"^bootstrap: .*init")
    field(log, PROMPT)
# A deliberate fault's report: registers, then a backtrace through the kernel's symbols.
FAULT_REPORT = (r"^backtrace:$", r"^  #0 0xffffffff8[0-9a-f]+ selftest_fault\+0x[0-9a-f]+$",
                r"^  #1 0xffffffff8[0-9a-f]+ kmain_continue\+0x[0-9a-f]+$", r"^kosh: halted$")


def cases(build):
    c = []
    for arch in ("x86_64", "aarch64"):
        c += [
            Case(f"{arch}-missing-kernel", arch, mutate=remove("kernel"), status="Not Found",
                 expect_fail=rf"kosh: kernel-{arch}\.elf: not found in \\EFI\\BOOT"),
            Case(f"{arch}-missing-initfs", arch, mutate=remove("initfs"), status="Not Found",
                 expect_fail=r"kosh: initfs\.tar: not found in \\EFI\\BOOT"),
            Case(f"{arch}-wrong-arch-kernel", arch, mutate=other_arch_kernel(build),
                 status="Unsupported",
                 expect_fail=rf"kosh: kernel-{arch}\.elf: built for {ARCH_LABEL[OTHER[arch]]},"
                             rf" but this loader is {ARCH_LABEL[arch]}"),
            Case(f"{arch}-truncated-kernel", arch, mutate=truncate(6000), status="Load Error",
                 expect_fail=rf"kosh: kernel-{arch}\.elf: .*outside the file"),
            Case(f"{arch}-short-kernel", arch, mutate=truncate(40), status="Load Error",
                 expect_fail=rf"kosh: kernel-{arch}\.elf: truncated"),
            Case(f"{arch}-corrupt-kernel", arch, mutate=corrupt_magic, status="Load Error",
                 expect_fail=rf"kosh: kernel-{arch}\.elf: not an ELF file"),
            Case(f"{arch}-corrupt-initfs", arch, mutate=garbage_initfs, status="Load Error",
                 expect_fail=r"kosh: initfs\.tar: not a valid initfs archive"),
            Case(f"{arch}-cfg-unknown-key", arch, cfg=CFG_TEST + "colour = blue\n",
                 status="Invalid Parameter",
                 expect_fail=r"kosh: \\EFI\\BOOT\\kosh\.cfg:2: unknown key"),
            Case(f"{arch}-cfg-malformed", arch, cfg="# comment\nkernel kernel.elf\n",
                 status="Invalid Parameter",
                 expect_fail=r"kosh: \\EFI\\BOOT\\kosh\.cfg:2: "),
        ]
    c += [
        Case("x86_64-512M", "x86_64", cfg=CFG_TEST, screen=True,
             checks=(check_memory, check_framebuffer(True),
                     check_tables(True, False, "built-in default"), check_cpus(1))),
        Case("x86_64-6G", "x86_64", memory="6G", cfg=CFG_TEST,
             checks=(check_memory, check_framebuffer(True), check_loader_above_4g,
                     check_cpus(1))),
        Case("x86_64-smp4-4G", "x86_64", memory="4G", extra=("-smp", "4"), cfg=CFG_TEST,
             checks=(check_memory, check_cpus(4))),
        # edu (MSI0001): a PCI device whose MSI the test raises; on each MSI-capable case.
        Case("x86_64-smp2-128M", "x86_64", memory="128M", extra=("-smp", "2", "-device", "edu"),
             cfg=CFG_TEST,
             checks=(check_memory, check_cpus(2))),
        Case("x86_64-from-shell", "x86_64", cfg=CFG_TEST, layout="shell",
             checks=(check_memory,)),
        # Without kosh.cfg (so without kosh.test) the system itself runs: bootstrap
        # starts init, init the services, and the shell prompts on the serial console.
        Case("x86_64-no-cfg", "x86_64", checks=(check_memory, check_system), until=PROMPT,
             timeout=240),
        Case("x86_64-video-mode", "x86_64", cfg=CFG_TEST + "video = 1024x768\n",
             checks=(check_resolution(1024, 768),)),
        Case("x86_64-bad-bootinfo-magic", "x86_64", cfg=CFG_TEST, loader="badmagic",
             expect_fail=r"kosh: refusing to start: boot info: bad magic"),
        Case("x86_64-fault", "x86_64", cfg="cmdline = kosh.fault\n",
             expect_fail=r"^kosh: panic on cpu 0: page fault \(vector 14\) at 0xffffffff7ffff000: "
                         r"write of a page not present in kernel mode",
             panic=FAULT_REPORT + (r"^rip ffffffff8[0-9a-f]{7} cs 0008 ",)),
        Case("x86_64-no-hpet", "x86_64", machine="hpet=off", extra=("-smp", "2"), cfg=CFG_TEST,
             checks=(check_memory, check_cpus(2), check_x86(reference="ACPI PM timer"))),
        Case("x86_64-smp6-sparse-ids", "x86_64", memory="1G",
             extra=("-smp", "6,sockets=2,cores=3,threads=1"), cfg=CFG_TEST,
             checks=(check_cpus(6), check_x86(reference="HPET", apic_ids=(0, 1, 2, 4, 5, 6)))),
        Case("x86_64-x2apic", "x86_64", extra=("-smp", "2", "-cpu", "qemu64,+x2apic"),
             cfg=CFG_TEST, checks=(check_cpus(2), check_x86(reference="HPET"))),
        Case("aarch64-fault", "aarch64", cfg="cmdline = kosh.fault\n",
             expect_fail=r"^kosh: panic on cpu 0: data abort from EL1 at 0xffffffff7ffff000: "
                         r"translation fault \(level [0-3]\), write",
             panic=FAULT_REPORT + (r"^elr ffffffff8[0-9a-f]{7} spsr [0-9a-f]{8} esr 9[0-9a-f]{7} ",)),
        Case("aarch64-acpi", "aarch64", extra=("-device", "edu"), cfg=CFG_TEST,
             checks=(check_memory, check_framebuffer(False),
                     check_tables(True, False, "ACPI SPCR"), check_flag("el2", False),
                     check_cpus(1), check_aarch64(2, "CNTV"))),
        Case("aarch64-dtb", "aarch64", machine="acpi=off", extra=("-smp", "2", "-device", "edu"),
             cfg=CFG_TEST,
             checks=(check_memory, check_framebuffer(False),
                     check_tables(False, True, "device tree"), check_cpus(2),
                     check_aarch64(2, "CNTV"))),
        Case("aarch64-el2", "aarch64", machine="virtualization=on", extra=("-smp", "4"),
             cfg=CFG_TEST,
             checks=(check_memory, check_flag("el2"), check_tables(True, False, "ACPI SPCR"),
                     check_cpus(4), check_aarch64(2, "CNTP"))),
        Case("aarch64-gicv2-smp4-128M", "aarch64", machine="gic-version=2", memory="128M",
             extra=("-smp", "4"), cfg=CFG_TEST,
             checks=(check_memory, check_gic(2), check_cpus(4), check_aarch64(2, "CNTV"))),
        Case("aarch64-gicv3-smp4-4G", "aarch64", machine="gic-version=3", memory="4G",
             extra=("-smp", "4"), cfg=CFG_TEST,
             checks=(check_memory, check_gic(3), check_cpus(4), check_aarch64(3, "CNTV", 4))),
        # GICv3 entered at EL2: ICC_SRE_EL2 opened for EL1, CNTP, secondaries started at EL2.
        Case("aarch64-gicv3-el2", "aarch64", machine="gic-version=3,virtualization=on",
             extra=("-smp", "4"), cfg=CFG_TEST,
             checks=(check_flag("el2"), check_gic(3), check_cpus(4),
                     check_aarch64(3, "CNTP", 4))),
        # GICv4 redistributors have VLPI frames: 256 KiB apart instead of 128 KiB.
        Case("aarch64-gicv4-el2", "aarch64", machine="gic-version=4,virtualization=on",
             extra=("-smp", "4"), cfg=CFG_TEST,
             checks=(check_cpus(4), check_aarch64(4, "CNTP", 4))),
        # GICv3 from the device tree: the GICR ranges of its reg property.
        Case("aarch64-gicv3-dtb", "aarch64", machine="gic-version=3,acpi=off",
             extra=("-smp", "4"), cfg=CFG_TEST,
             checks=(check_tables(False, True, "device tree"), check_cpus(4),
                     check_aarch64(3, "CNTV", 4))),
        # More than 16 CPUs: QEMU puts CPUs 16.. in Aff1 = 1, so SGIs need Aff1 and
        # redistributors are matched on more than Aff0.
        Case("aarch64-gicv3-smp20", "aarch64", machine="gic-version=3", memory="1G",
             extra=("-smp", "20"), cfg=CFG_TEST,
             checks=(check_cpus(20), check_aarch64(3, "CNTV", 20))),
        # A panic with other CPUs online: they are stopped by IPI, the report still comes.
        Case("aarch64-fault-smp4", "aarch64", extra=("-smp", "4"), cfg="cmdline = kosh.fault\n",
             expect_fail=r"^kosh: panic on cpu 0: data abort from EL1 at 0xffffffff7ffff000: "
                         r"translation fault \(level [0-3]\), write",
             panic=FAULT_REPORT),
        Case("aarch64-ramfb", "aarch64", extra=("-device", "ramfb"), cfg=CFG_TEST, screen=True,
             checks=(check_framebuffer(True),)),
        Case("aarch64-from-shell", "aarch64", cfg=CFG_TEST, layout="shell",
             checks=(check_memory,)),
    ]
    return {x.name: x for x in c}


def make_image(case, build, tmp):
    arch = case.arch
    loader = os.path.join(build, arch, EFI_NAME[arch])
    if case.loader:
        loader = os.path.join(build, arch, f"test-{case.loader}-{EFI_NAME[arch]}")
    files = {"loader": loader}
    for key, src in (("kernel", os.path.join(build, arch, f"kernel-{arch}.elf")),
                     ("initfs", os.path.join(build, f"initfs-{arch}.tar"))):
        files[key] = os.path.join(tmp, os.path.basename(src))
        shutil.copyfile(src, files[key])
    if case.cfg is not None:
        files["cfg"] = os.path.join(tmp, "kosh.cfg")
        with open(files["cfg"], "w") as f:
            f.write(case.cfg)
    if case.mutate:
        case.mutate(files, arch)
    # "boot": removable-media default path. "shell": \EFI\KOSH, started by startup.nsh.
    where = "EFI/BOOT" if case.layout == "boot" else "EFI/KOSH"
    names = {"loader": EFI_NAME[arch], "kernel": f"kernel-{arch}.elf",
             "initfs": "initfs.tar", "cfg": "kosh.cfg"}
    specs = [f"{where}/{names[k]}={v}" for k, v in files.items()]
    if case.layout == "shell":
        nsh = os.path.join(tmp, "startup.nsh")
        with open(nsh, "w") as f:
            f.write(f"fs0:\r\n\\EFI\\KOSH\\{EFI_NAME[arch]}\r\n")
        specs.append(f"startup.nsh={nsh}")
    image = os.path.join(tmp, "disk.img")
    subprocess.run([os.path.join(ROOT, "scripts", "mkimage.sh"), image] + specs, check=True,
                   stdout=subprocess.DEVNULL)
    return image


def monitor(sock_path, commands, until=None, wait=10.0):
    """Send monitor commands; with until, repeat the first until its reply holds it."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(wait)
    s.connect(sock_path)
    deadline = time.monotonic() + wait
    reply = b""
    try:
        for cmd in commands:
            while True:
                s.sendall(cmd.encode() + b"\n")
                time.sleep(0.3)
                try:
                    reply += s.recv(65536)
                except socket.timeout:
                    pass
                if not until or until.encode() in reply or time.monotonic() > deadline:
                    break
            until = None
    finally:
        s.close()
    return reply.decode("latin-1")


def screendump(sock_path, ppm):
    """Once the guest has powered off (QEMU holds it with -no-shutdown), dump the screen."""
    monitor(sock_path, ["info status", f"screendump {ppm}"], until="shutdown")
    for _ in range(50):
        if os.path.exists(ppm) and os.path.getsize(ppm) > 0:
            return
        time.sleep(0.1)


def run_qemu(case, image, log_path, stop, sock=None):
    cmd = [os.path.join(ROOT, "scripts", "qemu.sh"), case.arch, image, "--memory", case.memory]
    if case.machine:
        cmd += ["--machine", case.machine]
    cmd += ["--"] + case.extra
    if sock:
        cmd += ["-no-shutdown", "-monitor", f"unix:{sock},server,nowait"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    raw = b""
    deadline = time.monotonic() + case.timeout
    timed_out = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                raw += chunk
                if stop(clean(raw)):
                    break
            elif proc.poll() is not None:
                break
        if sock and not timed_out and proc.poll() is None:
            screendump(sock, sock + ".ppm")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        with open(log_path, "wb") as f:
            f.write(raw)
    return raw, proc.returncode, timed_out


# The kernel log's prefix on every console line: "[seconds.micros cCPU] ".
KLOG_PREFIX = re.compile(r"^\[ *\d+\.\d{6} c\d+\] ", re.M)


def clean(raw, keep_prefix=False):
    text = ANSI.sub("", raw.decode("latin-1").replace("\r", ""))
    return text if keep_prefix else KLOG_PREFIX.sub("", text)


def run_case(case, build):
    log_dir = os.path.join(build, "test-logs")
    os.makedirs(log_dir, exist_ok=True)
    log_path = os.path.join(log_dir, case.name + ".log")
    with tempfile.TemporaryDirectory(prefix="kosh-boot-") as tmp:
        image = make_image(case, build, tmp)
        if case.status:
            # Done once the firmware is back in charge and says what the loader returned.
            def stop(log):
                return bool(re.search(case.expect_fail, log, re.M) and RETURNED.search(log))
        elif case.expect_fail:
            def stop(log):
                return bool(re.search(case.expect_fail, log, re.M) and "halted" in log)
        elif case.until:
            def stop(log):
                return bool(re.search(case.until, log, re.M))
        else:
            def stop(log):
                return "kosh: powering off" in log
        sock = os.path.join(tmp, "monitor") if case.screen else None
        raw, code, timed_out = run_qemu(case, image, log_path, stop, sock)
        log = clean(raw)
        screen_problem = None
        if case.screen:
            try:
                if not os.path.exists(sock + ".ppm"):
                    raise AssertionError("no screen dump")
                check_screen(case, clean(raw, keep_prefix=True), sock + ".ppm")
            except AssertionError as e:
                screen_problem = str(e)
    print(log)
    problems = []
    if re.search(r"panic", log) and not case.panic:
        problems.append("the kernel panicked")
    for line in case.panic:
        if not re.search(line, log, re.M):
            problems.append(f"panic report lacks a line matching {line!r}")
    if re.search(r"^not ok", log, re.M):
        problems.append("a self-check failed")
    if case.expect_fail:
        if not re.search(case.expect_fail, log, re.M):
            problems.append(f"no line matching {case.expect_fail!r}")
        returned = RETURNED.search(log)
        if case.status and not (returned and returned.group(1) == case.status):
            problems.append(f"the firmware did not report the loader returning {case.status!r}"
                            f" (got {returned.group(1) if returned else 'nothing'})")
        if case.status and re.search(r"^Kosh \S+ \(", log, re.M):
            problems.append("the kernel started despite the bad input")
    else:
        common = (check_common, check_selftests, check_user_suite) \
            if case.cfg and "kosh.test" in case.cfg else (check_common,)
        for check in common + tuple(case.checks):
            try:
                check(case, log)
            except AssertionError as e:
                problems.append(str(e))
    if case.screen and screen_problem:
        problems.append(screen_problem)
    if timed_out:
        problems.append(f"timed out after {case.timeout} s")
    for p in problems:
        print(f"FAIL {case.name}: {p}", file=sys.stderr)
    print(f"{case.name}: {'FAILED' if problems else 'passed'} (log: {log_path})")
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--list", action="store_true")
    ap.add_argument("case", nargs="?")
    args = ap.parse_args()
    all_cases = cases(os.path.abspath(args.build))
    if args.list:
        print(";".join(all_cases))
        return 0
    if args.case not in all_cases:
        print(f"boottest: unknown case {args.case!r}", file=sys.stderr)
        return 2
    return run_case(all_cases[args.case], os.path.abspath(args.build))


if __name__ == "__main__":
    sys.exit(main())
