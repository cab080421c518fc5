#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The disk test (issue 6): boot the plain system image with two more virtio-blk
PCI disks holding known data and drive the shell over the serial console (the
machinery of shelltest.py), checking what bin/blkcheck reads through the block
protocol from sbin/drivers/virtio-blk.

The disks: every 8-byte little-endian word at byte X holds pattern(X) (the same
function as user/apps/blkcheck), so the checker needs no copy; then a
partition table is written over it:
  vda  8 MiB, GPT (protective MBR, primary and backup headers and entries, as
       the UEFI specification lays them out) with two partitions;
  vdb  4 MiB, MBR with two primary partitions;
  vdc  1 MiB, no table, read-only (QEMU offers VIRTIO_BLK_F_RO);
  vdd  2 MiB, no table, 4096-byte logical blocks (VIRTIO_BLK_F_BLK_SIZE), and
       no MSI-X (vectors=0): INTx where devmgr can route it, else polling;
  vde  1 MiB, no table, behind QEMU's blkdebug driver, which fails every read
       that starts at sector 1000 with EIO.
(The x86-64 boot disk is AHCI and AArch64's is virtio-mmio: the first
virtio-blk-pci disk is vda on both.)

In the shell:
  - blkcheck reads every byte of vda, vda1, vda2, vdb, vdb1, vdb2, vdc, vdd
    and checks it (outside the tables); vda2 also with 8 and 48 threads reading
    at once (requests in flight together, past the driver's 32 slots: EAGAIN,
    which the client retries); a write to vdc is refused (EROFS); the device's
    error on vde is EIO for that request alone;
  - blkcheck --write writes the inverted pattern over 64 sectors of vda2,
    flushes and reads them back; after QEMU exits the harness finds them in the
    image file;
  - blkcheck --loop --kill-driver reads vda1 over and over with 4 threads and
    kills the driver of vda through proc:// a third of the way through: wrong
    data is never allowed, and the driver must have been restarted (svc list).
On AArch64 a second boot without ACPI gives a disk without MSI-X the legacy
INTx line (the device tree's interrupt-map) and reads it with 4 threads.

    disktest.py --build BUILD_DIR ARCH            the test
    disktest.py --build BUILD_DIR --bench ARCH    the throughput figures for
        scripts/bench.sh: one 32 MiB disk, QEMU under -icount shift=0,sleep=off,
        bin/blkbench's sequential reads printed as "<arch> blk_read_4k <MB/s> MB/s"
        and "<arch> blk_read_64k …" (guest time)
"""
import os
import re
import struct
import sys
import tempfile
import time
import uuid
import zlib
from array import array

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boottest  # noqa: E402
import shelltest  # noqa: E402

SECTOR = 512
GPT_SECTORS = 16384     # vda: 8 MiB
MBR_SECTORS = 8192      # vdb: 4 MiB
GPT_PARTS = [(1, 2048, 6143, "first"), (2, 6144, GPT_SECTORS - 35, "second")]
MBR_PARTS = [(1, 2048, 2048), (2, 4096, 4096)]
RO_SECTORS = 2048       # vdc: 1 MiB, read-only
ERR_SECTORS = 2048      # vde: 1 MiB, reads at ERR_AT fail
ERR_AT = 1000
BIG_SECTORS = 512       # vdd: 2 MiB of 4096-byte sectors
SCRATCH = (100, 64)     # --write: sectors of vda2
BLK_TIMEOUT = 120       # one blkcheck run
LINUX_DATA = uuid.UUID("0FC63DAF-8483-4772-8E79-3D69D8477DE4")
M64 = (1 << 64) - 1


def pattern_words(first_byte, count):
    """pattern(X) for count words from byte first_byte (splitmix64's finaliser)."""
    out = array("Q", bytes(8 * count))
    x = first_byte
    for i in range(count):
        z = (x + 0x9E3779B97F4A7C15) & M64
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        out[i] = z ^ (z >> 31)
        x += 8
    if sys.byteorder != "little":
        out.byteswap()
    return out


def pattern_disk(path, sectors):
    with open(path, "wb") as f:
        step = 1 << 20
        for at in range(0, sectors * SECTOR, step):
            f.write(pattern_words(at, step // 8).tobytes())


def write_at(path, lba, data):
    with open(path, "r+b") as f:
        f.seek(lba * SECTOR)
        f.write(data)


def gpt_table(path, n, parts):
    """Write a GPT over a disk of n sectors (protective MBR, primary and backup headers
    and entries, as the UEFI specification lays them out); parts: (index, first LBA,
    last LBA, name, type UUID)."""
    mbr = bytearray(SECTOR)
    mbr[446:462] = struct.pack("<B3sB3sII", 0, b"\0\2\0", 0xEE, b"\xff\xff\xff", 1,
                               min(n - 1, 0xFFFFFFFF))
    mbr[510:512] = b"\x55\xaa"
    write_at(path, 0, mbr)
    entries = bytearray(128 * 128)
    for index, first, last, name, kind in parts:
        e = struct.pack("<16s16sQQQ72s", kind.bytes_le,
                        uuid.uuid5(uuid.NAMESPACE_DNS, f"kosh-disktest-{index}").bytes_le,
                        first, last, 0, name.encode("utf-16-le"))
        entries[(index - 1) * 128:index * 128] = e
    entries_crc = zlib.crc32(entries) & 0xFFFFFFFF
    disk_guid = uuid.uuid5(uuid.NAMESPACE_DNS, "kosh-disktest").bytes_le

    def header(my_lba, alt_lba, entries_lba):
        h = bytearray(struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x00010000, 92, 0, 0,
                                  my_lba, alt_lba, 34, n - 34, disk_guid, entries_lba, 128,
                                  128, entries_crc))
        h[16:20] = struct.pack("<I", zlib.crc32(h) & 0xFFFFFFFF)
        return bytes(h) + bytes(SECTOR - len(h))

    write_at(path, 1, header(1, n - 1, 2))
    write_at(path, 2, entries)
    write_at(path, n - 33, entries)
    write_at(path, n - 1, header(n - 1, 1, n - 33))


def gpt_disk(path):
    pattern_disk(path, GPT_SECTORS)
    gpt_table(path, GPT_SECTORS, [p + (LINUX_DATA,) for p in GPT_PARTS])


def mbr_disk(path):
    pattern_disk(path, MBR_SECTORS)
    mbr = bytearray(SECTOR)
    for i, (index, first, count) in enumerate(MBR_PARTS):
        mbr[446 + 16 * i:462 + 16 * i] = struct.pack("<B3sB3sII", 0, b"\xfe\xff\xff", 0x83,
                                                     b"\xfe\xff\xff", first, count)
    mbr[510:512] = b"\x55\xaa"
    write_at(path, 0, mbr)


def check_scratch(path):
    """The sectors blkcheck --write wrote: the inverted pattern, every word."""
    first = (GPT_PARTS[1][1] + SCRATCH[0]) * SECTOR
    words = SCRATCH[1] * SECTOR // 8
    want = array("Q", (~w & M64 for w in pattern_words(first, words)))
    with open(path, "rb") as f:
        f.seek(first)
        got = array("Q", f.read(words * 8))
    if sys.byteorder != "little":
        got.byteswap()
    bad = [i for i in range(words) if got[i] != want[i]]
    if bad:
        raise shelltest.Failure(f"the scratch area in the image: {len(bad)} words wrong, the "
                                f"first at byte {first + 8 * bad[0]}")
    # Just outside it, the pattern is untouched.
    with open(path, "rb") as f:
        for lba in (GPT_PARTS[1][1] + SCRATCH[0] - 1, GPT_PARTS[1][1] + sum(SCRATCH)):
            f.seek(lba * SECTOR)
            if f.read(SECTOR) != pattern_words(lba * SECTOR, SECTOR // 8).tobytes():
                raise shelltest.Failure(f"sector {lba} next to the scratch area changed")


def disk_args(disks):
    """QEMU arguments attaching disks (paths, or (path, drive options, device options))
    as virtio-blk PCI functions."""
    extra = []
    for i, disk in enumerate(disks):
        path, dopts, devopts = (disk, "", "") if isinstance(disk, str) else disk
        extra += ["-drive", f"if=none,id=d{i + 2},format=raw,file={path}{dopts}",
                  "-device", f"virtio-blk-pci,drive=d{i + 2}{devopts}"]
    return extra


def blkcheck(sh, args, what):
    out = sh.run(f"blkcheck {args}", timeout=BLK_TIMEOUT)
    if not re.search(r"^blkcheck: ok", out, re.M):
        raise shelltest.Failure(f"`blkcheck {args}` ({what}) printed {out!r}")
    if sh.status() != 0:
        raise shelltest.Failure(f"`blkcheck {args}` exited non-zero")
    return out


def wait_driver(sh, name, timeout=90):
    deadline = time.monotonic() + timeout
    while True:
        table = shelltest.services(sh)
        if name in table and table[name][0] == "running":
            return table[name]
        if time.monotonic() > deadline:
            raise shelltest.Failure(f"the driver {name} is not running: {table}")
        time.sleep(2)


def steps_read(sh):
    wait_driver(sh, "virtio-blk-vda")
    wait_driver(sh, "virtio-blk-vdb")
    n = GPT_SECTORS
    blkcheck(sh, f"--check 34:{n - 33} dev:///vda", "the GPT disk, outside its tables")
    for index, first, last, _ in GPT_PARTS:
        out = blkcheck(sh, f"--base {first} dev:///vda{index}", f"GPT partition {index}")
        if f"{last - first + 1} sectors of 512 bytes" not in out:
            raise shelltest.Failure(f"vda{index} has the wrong size: {out!r}")
    # Requests in flight together, answered in any order: 8 threads; then 48, past
    # the driver's 32 slots (EAGAIN, retried by the client).
    blkcheck(sh, f"--base {GPT_PARTS[1][1]} --threads 8 --req 16384 dev:///vda2",
             "8 threads at once")
    out = blkcheck(sh, f"--base {GPT_PARTS[1][1]} --threads 48 --req 4096 dev:///vda2",
                   "48 threads at once")
    m = re.search(r"retried: again (\d+)", out)
    print(f"disk: 48 threads: {m.group(1) if m else '?'} EAGAIN answers retried", flush=True)
    blkcheck(sh, f"--check 1:{MBR_SECTORS} dev:///vdb", "the MBR disk, outside its table")
    for index, first, count in MBR_PARTS:
        out = blkcheck(sh, f"--base {first} --req 4096 dev:///vdb{index}",
                       f"MBR partition {index}, 4 KiB at a time")
        if f"{count} sectors of 512 bytes" not in out:
            raise shelltest.Failure(f"vdb{index} has the wrong size: {out!r}")
    out = blkcheck(sh, "dev:///vdc", "the read-only disk")
    if f"{RO_SECTORS} sectors of 512 bytes, read-only" not in out:
        raise shelltest.Failure(f"vdc is not read-only: {out!r}")
    out = sh.run("blkcheck --write 8:8 dev:///vdc")
    if "read-only device" not in out or "blkcheck: FAIL" not in out:
        raise shelltest.Failure(f"a write to the read-only disk printed {out!r}")
    out = blkcheck(sh, "--req 8192 dev:///vdd", "the disk of 4096-byte sectors")
    if f"{BIG_SECTORS} sectors of 4096 bytes" not in out:
        raise shelltest.Failure(f"vdd's sectors are not 4096 bytes: {out!r}")
    out = sh.run("blkcheck --req 4096 dev:///vde")
    if (f"read of sectors {ERR_AT} .. {ERR_AT + 7}: input/output error" not in out
            or "wrong 0, errors 1," not in out or "blkcheck: FAIL" not in out):
        raise shelltest.Failure(f"the device error on vde printed {out!r}")
    if wait_driver(sh, "virtio-blk-vde")[2] != 0:
        raise shelltest.Failure("a device error restarted the driver")
    out = sh.run("blkcheck dev:///vda9")
    if "No such file" not in out and "ENOENT" not in out and "no such" not in out.lower():
        raise shelltest.Failure(f"blkcheck of a partition that is not there printed {out!r}")


def steps_write(sh):
    first = GPT_PARTS[1][1]
    blkcheck(sh, f"--base {first} --write {SCRATCH[0]}:{SCRATCH[1]} dev:///vda2",
             "write, flush, read back")


def steps_kill(sh):
    before = wait_driver(sh, "virtio-blk-vda")
    first = GPT_PARTS[0][1]
    out = sh.run(f"blkcheck --base {first} --loop 4 --threads 4 --req 16384 "
                 f"--kill-driver virtio-blk-vda dev:///vda1",
                 timeout=BLK_TIMEOUT * 2)
    m = re.search(r"^blkcheck: loop: passes (\d+), reads (\d+), bytes (\d+), errors (\d+), "
                  r"wrong (\d+), retried: lost (\d+), rebuffer (\d+), again (\d+), "
                  r"killed (\w+)", out, re.M)
    if not m:
        raise shelltest.Failure(f"blkcheck --loop printed {out!r}")
    passes, reads, nbytes, errors, wrong, lost, rebuffer, again = map(int, m.groups()[:8])
    print(f"disk: loop: {reads} reads, {nbytes} bytes, {errors} errors, {wrong} wrong, "
          f"retried: lost {lost}, rebuffer {rebuffer}, again {again}", flush=True)
    if wrong:
        raise shelltest.Failure(f"wrong data while the driver was killed: {out!r}")
    if m.group(9) != "yes":
        raise shelltest.Failure(f"blkcheck could not kill the driver: {out!r}")
    size = (GPT_PARTS[0][2] - GPT_PARTS[0][1] + 1) * SECTOR
    # Errors only while the driver restarted: at most a few of the reads.
    if errors > 4 or nbytes + errors * 65536 < passes * size:
        raise shelltest.Failure(f"too many errors, or data missing: {out!r}")
    if lost + rebuffer + errors == 0:
        raise shelltest.Failure(f"the reader never saw the driver go: {out!r}")
    after = wait_driver(sh, "virtio-blk-vda")
    if after[2] < before[2] + 1:
        raise shelltest.Failure(f"virtio-blk-vda was not restarted: {before} -> {after}")
    # The restarted driver serves a new client from scratch.
    blkcheck(sh, f"--base {first} dev:///vda1", "vda1 after the restart")


def run_intx(arch, build, smp, tmp, image):
    """AArch64 without ACPI: devmgr routes INTx through the device tree's
    interrupt-map; a disk without MSI-X (vectors=0) then takes the legacy line."""
    log_path = os.path.join(build, "test-logs", f"disk-{arch}-intx.log")
    disk = os.path.join(tmp, "intx.img")
    pattern_disk(disk, 2048)
    console = shelltest.Console(arch, image, log_path, smp,
                                extra=disk_args([(disk, "", ",vectors=0")]), machine="acpi=off")
    sh = shelltest.Shell(console)
    try:
        sh.wait_prompt(shelltest.BOOT_TIMEOUT, "the first prompt (acpi=off)")
        wait_driver(sh, "virtio-blk-vda")
        out = sh.run("dmesg")
        if not re.search(r"virtio-blk-vda: vda: 2048 sectors of 512 bytes.* INTx$", out, re.M):
            raise shelltest.Failure(f"vda does not use INTx: {out[-2000:]!r}")
        blkcheck(sh, "--threads 4 --req 16384 dev:///vda", "vda on INTx")
    except shelltest.Failure:
        print(console.text())
        raise
    finally:
        console.close()


def run(arch, build, smp):
    log_dir = os.path.join(build, "test-logs")
    os.makedirs(log_dir, exist_ok=True)
    log_path = os.path.join(log_dir, f"disk-{arch}.log")
    case = boottest.Case(f"disk-{arch}", arch)
    with tempfile.TemporaryDirectory(prefix="kosh-disk-") as tmp:
        image = boottest.make_image(case, build, tmp)
        gpt = os.path.join(tmp, "gpt.img")
        mbr = os.path.join(tmp, "mbr.img")
        ro = os.path.join(tmp, "ro.img")
        big = os.path.join(tmp, "4k.img")
        gpt_disk(gpt)
        mbr_disk(mbr)
        pattern_disk(ro, RO_SECTORS)
        pattern_disk(big, BIG_SECTORS * 8)
        err = os.path.join(tmp, "err.img")
        pattern_disk(err, ERR_SECTORS)
        rules = os.path.join(tmp, "blkdebug.cfg")
        with open(rules, "w") as f:
            f.write(f'[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "{ERR_AT}"\n'
                    'once = "off"\n')
        console = shelltest.Console(arch, image, log_path, smp, extra=disk_args([
            gpt, mbr, (ro, ",readonly=on", ""),
            (big, "", ",logical_block_size=4096,physical_block_size=4096,vectors=0"),
            (f"blkdebug:{rules}:{err}", ",rerror=report,werror=report", "")]))
        sh = shelltest.Shell(console)
        step = "boot"
        try:
            sh.wait_prompt(shelltest.BOOT_TIMEOUT, "the first prompt")
            for step, fn in (("read", steps_read), ("write", steps_write),
                             ("kill", steps_kill)):
                fn(sh)
                print(f"disk-{arch}: {step}: ok", flush=True)
            console.close()
            step = "image"
            check_scratch(gpt)
            print(f"disk-{arch}: image: ok", flush=True)
            if arch == "aarch64":
                step = "intx"
                run_intx(arch, build, smp, tmp, image)
                print(f"disk-{arch}: intx: ok", flush=True)
        except shelltest.Failure as e:
            print(console.text())
            print(f"FAIL disk-{arch} ({step}): {e}", file=sys.stderr)
            print(f"disk-{arch}: FAILED (log: {log_path})")
            return 1
        finally:
            console.close()
    print(f"disk-{arch}: passed (log: {log_path})")
    return 0


BENCH_DISK = 32 << 20


def bench(arch, build, smp):
    """Boot under icount with one disk, run blkbench, print its figures."""
    log_dir = os.path.join(build, "test-logs")
    os.makedirs(log_dir, exist_ok=True)
    log_path = os.path.join(build, f"bench-{arch}-disk.log")
    case = boottest.Case(f"diskbench-{arch}", arch)
    with tempfile.TemporaryDirectory(prefix="kosh-diskbench-") as tmp:
        image = boottest.make_image(case, build, tmp)
        disk = os.path.join(tmp, "bench.img")
        with open(disk, "wb") as f:
            f.truncate(BENCH_DISK)
        console = shelltest.Console(arch, image, log_path, smp,
                                    extra=disk_args([disk]) + ["-icount", "shift=0,sleep=off"])
        console.deadline = time.monotonic() + 3600  # OVMF alone takes ~30 s under icount
        sh = shelltest.Shell(console)
        try:
            sh.wait_prompt(shelltest.BOOT_TIMEOUT * 4, "the first prompt")
            wait_driver(sh, "virtio-blk-vda", timeout=300)
            out = sh.run("blkbench " + os.environ.get("KOSH_BLKBENCH_ARGS", "") + " dev:///vda",
                         timeout=1200)
        except shelltest.Failure as e:
            print(f"disktest.py: bench {arch}: {e}; log {log_path}", file=sys.stderr)
            return 1
        finally:
            console.close()
    figures = re.findall(r"^blkbench: (read_(?:4|64)k) ([\d.]+) MB/s", out, re.M)
    for name, value in figures:
        print(f"{arch} blk_{name} {value} MB/s")
    if len(figures) != 2:
        print(f"disktest.py: bench {arch}: blkbench printed {out!r}", file=sys.stderr)
        return 1
    return 0


def main():
    return shelltest.arch_main(__doc__, run, bench)


if __name__ == "__main__":
    sys.exit(main())
