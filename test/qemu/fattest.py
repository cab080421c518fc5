#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The FAT test (issue 7): boot the plain system image with a second disk made
here, a GPT disk holding an EFI system partition (FAT16) and a data partition
(FAT32), both made by mkfs.fat and filled by mcopy, and drive the shell over the
serial console (the machinery of shelltest.py).

First boot:
  - devmgr mounts the data partition at fs:/// and the ESP read-only at
    fs:///boot (`mount` lists both, `df` sizes them as mkfs.fat made them);
  - every file put there by mtools reads back byte for byte (`cat`, and `cp`
    into a new file that the host compares after power-off), long names too;
  - the shell writes, copies, renames (across directories, to a long name) and
    deletes files, makes and removes directories; writing to fs:///boot is
    refused (read-only file system);
  - umount fs:///boot, then mount -r it again;
  - `sync`, and the machine is switched off (QEMU killed: no clean unmount).
On the host: fsck.fat -n finds both partitions clean apart from the dirty bit
(the data partition was mounted read-write when the power went); mtools reads
every file the shell made, the ESP is bit for bit what it was.
Second boot on the same disk: the shell sees the same files; a second disk
without a partition table (FAT12, 1.44 MB) is mounted from the shell, read,
written and unmounted (fsck.fat -n clean, mtype reads the copy); `umount fs:///`
writes everything back and clears the dirty bit (fatfsd's check at mount found
the volume whole): fsck.fat -n then finds it clean with no remark at all.
Third boot: fatfsd is killed halfway through an 8 MiB write (bin/fsbench -k);
init restarts it, it mounts the volume again (was-dirty), the writes after the
kill fail, the files from before read back, a file written and synced after it
too; after power-off fsck.fat -n finds nothing but the dirty bit (the restarted
fatfsd mended what the kill left), and mtools reads those files as written.

    fattest.py --build BUILD_DIR ARCH            the test
    fattest.py --build BUILD_DIR --bench ARCH    the throughput figures for
        scripts/bench.sh: a 16 MiB file written and read by bin/fsbench and
        copied by cp (timed by uptime before and after, written to files) on a
        FAT32 disk, QEMU under -icount shift=0,sleep=off,
        printed as "<arch> fat_write <MB/s> MB/s", "fat_read", "fat_cp" (guest time)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boottest  # noqa: E402
import disktest  # noqa: E402
import shelltest  # noqa: E402

SECTOR = 512
ESP_TYPE = uuid.UUID("C12A7328-F81F-11D2-BA4B-00A0C93EC93B")
DATA_TYPE = uuid.UUID("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7")  # Microsoft basic data
ESP = (1, 2048, 2048 + 65536 - 1)          # 32 MiB, FAT16
DATA = (2, 2048 + 65536, 2048 + 65536 + 98304 - 1)  # 48 MiB, FAT32
DISK_SECTORS = DATA[2] + 1 + 2048
RUNS = 3  # benchmark runs, the best counts
MOUNT_TIMEOUT = 120  # seconds from the first prompt until both mounts are listed

HELLO = b"Hello from the host, through mtools.\n"
LONG_NAME = "A long file name, with spaces.txt"
LONG_TEXT = b"long names work\n"
ESP_NOTE = b"This is the EFI system partition.\n"


def blob(n):
    """n bytes that no cluster size repeats."""
    return bytes((i * 7 + i // 251) & 0xFF for i in range(n))


BLOB = blob(300 * 1024 + 123)


def sh_run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          **kw).stdout.decode(errors="replace")


def make_fs(path, sectors, bits, files, dirs=()):
    """A FAT volume of sectors in a file, made by mkfs.fat and filled by mtools."""
    if os.path.exists(path):
        os.unlink(path)
    sh_run(["mkfs.fat", "-C", "-F", str(bits), "-n", f"KOSH{bits}", path, str(sectors // 2)])
    for d in dirs:
        sh_run(["mmd", "-i", path, "::/" + d])
    for name, data in files.items():
        src = path + ".src"
        with open(src, "wb") as f:
            f.write(data)
        sh_run(["mcopy", "-i", path, src, "::/" + name])
        os.unlink(src)


def partition(disk, part, out):
    """Copy partition part (index, first, last) of disk into out."""
    with open(disk, "rb") as f, open(out, "wb") as o:
        f.seek(part[1] * SECTOR)
        o.write(f.read((part[2] - part[1] + 1) * SECTOR))


def put_partition(disk, part, src):
    with open(src, "rb") as s:
        disktest.write_at(disk, part[1], s.read())


def make_disk(tmp, data_files, data_dirs=()):
    disk = os.path.join(tmp, "fat-disk.img")
    with open(disk, "wb") as f:
        f.truncate(DISK_SECTORS * SECTOR)
    esp, data = os.path.join(tmp, "esp.fs"), os.path.join(tmp, "data.fs")
    make_fs(esp, ESP[2] - ESP[1] + 1, 16, {"EFI/BOOT/NOTE.TXT": ESP_NOTE,
                                           f"EFI/{LONG_NAME}": LONG_TEXT}, dirs=("EFI", "EFI/BOOT"))
    make_fs(data, DATA[2] - DATA[1] + 1, 32, data_files, dirs=data_dirs)
    put_partition(disk, ESP, esp)
    put_partition(disk, DATA, data)
    disktest.gpt_table(disk, DISK_SECTORS, [ESP + ("EFI system", ESP_TYPE),
                                            DATA + ("Kosh data", DATA_TYPE)])
    return disk


# fsck.fat's remarks that are no damage: its banner and summary; for a volume in use
# when the power went, the dirty bit. (Lost clusters and FAT copies apart, which a
# cut or a kill leaves, fatfsd mends at its next mount: test/unit/fat_test.c.)
FSCK_CLEAN = ("fsck.fat", "files,")
FSCK_DIRTY = FSCK_CLEAN + ("Dirty bit", "dirty bit", "Leaving filesystem unchanged",
                           "Automatically removing dirty bit", "Perform changes",
                           "Remove dirty bit", "1) Remove", "2) No action", "Not automatically",
                           "Fs was not properly unmounted", "some data may be corrupt")


def fsck(path, what, allowed):
    """fsck.fat -n, whose every remark must be one of allowed's."""
    r = subprocess.run(["fsck.fat", "-n", path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    out = r.stdout.decode(errors="replace")
    bad = [l for l in out.splitlines() if l.strip() and not any(k in l for k in allowed)]
    if bad or (r.returncode != 0 and allowed is FSCK_CLEAN):
        raise shelltest.Failure(f"fsck.fat -n {what} (exit {r.returncode}):\n{out}")
    return out


def mtype(path, name):
    r = subprocess.run(["mtype", "-i", path, "::/" + name], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise shelltest.Failure(f"mtype {name}: {r.stderr.decode(errors='replace')}")
    return r.stdout


def mls(path, directory):
    r = subprocess.run(["mdir", "-b", "-i", path, "::/" + directory], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return r.stdout.decode(errors="replace") if r.returncode == 0 else ""


def wait_mounts(sh):
    """Until `mount` lists the data partition at fs:/// and the ESP at fs:///boot."""
    end = time.monotonic() + MOUNT_TIMEOUT
    while True:
        out = sh.run("mount")
        if (re.search(r"^dev:///vda2 on fs:/// type fat32 \(rw", out, re.M) and
                re.search(r"^dev:///vda1 on fs:///boot type fat16 \(ro", out, re.M)):
            return out
        if time.monotonic() > end:
            raise shelltest.Failure(f"the disks were not mounted within {MOUNT_TIMEOUT} s: "
                                    f"`mount` printed {out!r}")
        sh.run("sleep 1")


def steps_read(sh):
    wait_mounts(sh)
    # df: sizes as mkfs.fat made them (48 MiB and 32 MiB, less the FATs and the root).
    out = sh.check("df", r"^dev:///vda2\s+\d+\s+\d+\s+\d+\s+\d+% fs:///$")
    m = re.search(r"^dev:///vda2\s+(\d+)\s+(\d+)\s+(\d+)", out, re.M)
    size, used, avail = (int(x) for x in m.groups())
    if not (44 * 1024 < size <= 48 * 1024) or used + avail != size or used < len(BLOB) // 1024:
        raise shelltest.Failure(f"df of fs:///: {m.group(0)!r}")
    sh.check("df", r"^dev:///vda1\s+\d+\s+\d+\s+\d+\s+\d+% fs:///boot$")
    sh.check("cat fs:///hello.txt", re.escape(HELLO.decode().strip()))
    sh.check("cat fs:///docs/nested/deep.txt", "^deep down$")
    sh.check("ls -l fs:///docs", rf"{len(BLOB)}\s+blob.bin")
    sh.check("cat fs:///boot/EFI/BOOT/NOTE.TXT", re.escape(ESP_NOTE.decode().strip()))
    sh.check(f"cat 'fs:///boot/EFI/{LONG_NAME}'", "^long names work$")
    sh.check("ls fs:///boot/EFI", re.escape(LONG_NAME))
    sh.check("ls fs:///", "^boot$")  # devmgr made the mount point on the root volume


def steps_write(sh):
    sh.check("echo written by kosh > fs:///new.txt")
    sh.check("cat fs:///new.txt", "^written by kosh$")
    sh.check("mkdir fs:///made")
    sh.check("cp fs:///docs/blob.bin fs:///made/blob-copy.bin")
    sh.check(f"mv fs:///hello.txt 'fs:///made/{LONG_NAME}'")
    sh.check("cat fs:///hello.txt", status=None)
    sh.check(f"cat 'fs:///made/{LONG_NAME}'", re.escape(HELLO.decode().strip()))
    sh.check("rm fs:///docs/nested/deep.txt")
    sh.check("mkdir fs:///gone && rm -r fs:///gone")
    sh.check("ls fs:///", absent="^gone$")
    # Many entries: a directory that grows past one cluster.
    sh.check("mkdir fs:///many && cd fs:///many && " +
             "; ".join(f"echo {i} > 'file number {i} with a long name'" for i in range(1, 13)) +
             "; cd fs:///", timeout=120)
    sh.check("cat 'fs:///many/file number 12 with a long name'", "^12$")
    # The ESP is read-only.
    sh.check("echo no > fs:///boot/x", "[Rr]ead-only file system", status=None)
    sh.check("rm fs:///boot/EFI/BOOT/NOTE.TXT", "[Rr]ead-only file system", status=None)
    # umount, then mount it again (read-only).
    sh.check("umount fs:///boot")
    sh.check("mount", absent="on fs:///boot ")
    sh.check("ls fs:///boot/EFI", status=None)  # now the empty directory on vda2
    sh.check("mount -r dev:///vda1 fs:///boot", timeout=90)
    sh.check("mount", r"^dev:///vda1 on fs:///boot type fat16 \(ro\)")
    sh.check("cat fs:///boot/EFI/BOOT/NOTE.TXT", re.escape(ESP_NOTE.decode().strip()))
    # Errors: a source that is not a FAT volume, a target taken, nonsense.
    sh.check("mount dev:///vda fs:///mnt", status=None)
    sh.check("mount dev:///nothing fs:///mnt", status=None)
    sh.check("umount fs:///nowhere", status=None)
    sh.check("sync")


def check_image_1(tmp, disk):
    esp, data = os.path.join(tmp, "esp.out"), os.path.join(tmp, "data.out")
    partition(disk, ESP, esp)
    partition(disk, DATA, data)
    with open(esp, "rb") as a, open(os.path.join(tmp, "esp.fs"), "rb") as b:
        if a.read() != b.read():
            raise shelltest.Failure("the read-only ESP changed")
    fsck(data, "the data partition", FSCK_DIRTY)
    checks = {"new.txt": b"written by kosh\n", f"made/{LONG_NAME}": HELLO,
              "made/blob-copy.bin": BLOB, "docs/blob.bin": BLOB,
              "many/file number 7 with a long name": b"7\n"}
    for name, want in checks.items():
        got = mtype(data, name)
        if got != want:
            raise shelltest.Failure(f"{name} in the image: {len(got)} bytes, not the "
                                    f"{len(want)} written")
    if "hello" in mls(data, "").lower() or "deep" in mls(data, "docs/nested").lower():
        raise shelltest.Failure("a file the shell removed is still in the image")


def steps_second(sh):
    wait_mounts(sh)
    sh.check("cat fs:///new.txt", "^written by kosh$")
    sh.check("ls fs:///made", re.escape(LONG_NAME))
    sh.check("ls -l fs:///made", rf"{len(BLOB)}\s+blob-copy.bin")
    # A second disk without a partition table (FAT12), mounted from the shell.
    sh.check("mkdir fs:///floppy && mount dev:///vdb fs:///floppy", timeout=90)
    sh.check("mount", r"^dev:///vdb on fs:///floppy type fat12 \(rw\)")
    sh.check("cat fs:///floppy/README.TXT", "^on a floppy$")
    sh.check("cp fs:///made/blob-copy.bin fs:///floppy/copied.bin && umount fs:///floppy",
             timeout=90)
    sh.check("ls fs:///floppy", absent="README")
    sh.check("umount fs:///", timeout=90)
    sh.check("mount", absent="^dev:///vda2 ")


def steps_kill(sh):
    """fatfsd killed halfway through a 8 MiB write: init restarts it, the writer's
    later writes fail, what was there before is intact."""
    wait_mounts(sh)
    state, pid, restarts = shelltest.services(sh)["fat-vda2"]
    out = sh.run(f"fsbench -s 8 -k {pid} fs:///cut.bin", timeout=300)
    if f"killed {pid}" not in out:
        raise shelltest.Failure(f"fsbench -k printed {out!r}")
    if sh.status() == 0:
        raise shelltest.Failure(f"every write after the kill succeeded: {out!r}")
    deadline = time.monotonic() + 60
    while True:
        now = shelltest.services(sh).get("fat-vda2")
        if now and now[0] == "running" and now[2] == restarts + 1:
            break
        if time.monotonic() > deadline:
            raise shelltest.Failure(f"fat-vda2 not restarted: {now}")
        sh.run("sleep 1")
    # The restarted server found the volume in use (the dirty bit) and serves it again.
    sh.check("mount", r"^dev:///vda2 on fs:/// type fat32 \(rw,was-dirty\)")
    sh.check("cat fs:///new.txt", "^written by kosh$")
    sh.check("ls -l fs:///made", rf"{len(BLOB)}\s+blob-copy.bin")
    sh.check("echo after the kill > fs:///after.txt && sync")


def check_image_3(tmp, disk):
    data = os.path.join(tmp, "data.out")
    partition(disk, DATA, data)
    fsck(data, "the data partition after the kill", FSCK_DIRTY)
    for name, want in {"new.txt": b"written by kosh\n", "made/blob-copy.bin": BLOB,
                       "after.txt": b"after the kill\n"}.items():
        if mtype(data, name) != want:
            raise shelltest.Failure(f"{name} in the image after the kill is not as written")


def run(arch, build, smp):
    for tool in ("mkfs.fat", "fsck.fat", "mcopy", "mtype", "mmd", "mdir"):
        if not shutil.which(tool):
            print(f"fattest.py: {tool} is missing (scripts/setup.sh installs dosfstools and "
                  "mtools)", file=sys.stderr)
            return 1
    log_dir = os.path.join(build, "test-logs")
    os.makedirs(log_dir, exist_ok=True)
    case = boottest.Case(f"fat-{arch}", arch)
    with tempfile.TemporaryDirectory(prefix="kosh-fat-") as tmp:
        image = boottest.make_image(case, build, tmp)
        disk = make_disk(tmp, {"hello.txt": HELLO, "docs/nested/deep.txt": b"deep down\n",
                               "docs/blob.bin": BLOB},
                         data_dirs=("home", "docs", "docs/nested"))
        floppy = os.path.join(tmp, "floppy.img")
        make_fs(floppy, 2880, 12, {"README.TXT": b"on a floppy\n"})
        step, console = "boot", None
        try:
            for boot, steps in ((1, (("read", steps_read), ("write", steps_write))),
                                (2, (("second boot", steps_second),)),
                                (3, (("kill", steps_kill),))):
                log_path = os.path.join(log_dir, f"fat-{arch}-{boot}.log")
                disks = [disk, floppy] if boot == 2 else [disk]
                console = shelltest.Console(arch, image, log_path, smp,
                                            extra=disktest.disk_args(disks))
                sh = shelltest.Shell(console)
                step = f"boot {boot}"
                sh.wait_prompt(shelltest.BOOT_TIMEOUT, "the first prompt")
                for step, fn in steps:
                    fn(sh)
                    print(f"fat-{arch}: {step}: ok", flush=True)
                console.close()
                if boot == 1:
                    step = "image after boot 1"
                    check_image_1(tmp, disk)
                elif boot == 3:
                    step = "image after the kill"
                    check_image_3(tmp, disk)
                else:
                    step = "image after umount"
                    data = os.path.join(tmp, "data.out")
                    partition(disk, DATA, data)
                    fsck(data, "the data partition after umount", FSCK_CLEAN)
                    fsck(floppy, "the FAT12 disk after umount", FSCK_CLEAN)
                    if mtype(floppy, "copied.bin") != BLOB:
                        raise shelltest.Failure("copied.bin on the FAT12 disk is not as written")
                print(f"fat-{arch}: {step}: ok", flush=True)
        except shelltest.Failure as e:
            if console:
                print(console.text())
            print(f"FAIL fat-{arch} ({step}): {e}", file=sys.stderr)
            print(f"fat-{arch}: FAILED (logs: {log_dir}/fat-{arch}-*.log)")
            return 1
        finally:
            if console:
                console.close()
    print(f"fat-{arch}: passed")
    return 0


def bench(arch, build, smp):
    """Boot under icount with the disk, run fsbench and a timed cp, print the figures."""
    log_path = os.path.join(build, f"bench-{arch}-fat.log")
    case = boottest.Case(f"fatbench-{arch}", arch)
    with tempfile.TemporaryDirectory(prefix="kosh-fatbench-") as tmp:
        image = boottest.make_image(case, build, tmp)
        disk = make_disk(tmp, {}, data_dirs=("home",))
        # cache=unsafe: the host's fsync for a FLUSH is host time, which the
        # instruction count cannot see (an idle guest's clock jumps over it).
        console = shelltest.Console(arch, image, log_path, smp,
                                    extra=disktest.disk_args([(disk, ",cache=unsafe", "")]) +
                                    ["-icount", "shift=0,sleep=off"])
        console.deadline = time.monotonic() + 3600  # OVMF alone takes ~30 s under icount
        sh = shelltest.Shell(console)
        try:
            sh.wait_prompt(shelltest.BOOT_TIMEOUT * 4, "the first prompt")
            wait_mounts(sh)
            # Best of RUNS: under sleep=off the guest clock also jumps to the next
            # timer whenever every CPU idles (waiting on a host thread: the disk,
            # the serial port), so a run can only come out slower than its work.
            fsb = [sh.run("fsbench fs:///bench.bin", timeout=1800) for _ in range(RUNS)]
            # The readings go to files, not the console (a wait for the serial
            # port is such an idle time). An empty file's copy, timed the same
            # way, shows what running cp at all costs (and a jump that no run
            # escaped): printed beside the figure, not taken off.
            sh.run("echo -n > fs:///empty")
            spans = {"empty": [], "16m": []}
            for _ in range(RUNS):
                for name, src in (("empty", "fs:///empty"), ("16m", "fs:///bench.bin")):
                    sh.run(f"uptime > fs:///t0 && cp {src} fs:///copy.bin && "
                           "uptime > fs:///t1", timeout=1800)
                    if sh.status() != 0:
                        raise shelltest.Failure(f"cp {src} failed")
                    t = [float(x) for x in re.findall(r"\(([\d.]+) s\)",
                                                      sh.run("cat fs:///t0 fs:///t1"))]
                    if len(t) != 2:
                        raise shelltest.Failure(f"uptime printed {t!r}")
                    spans[name].append(t[1] - t[0])
        except shelltest.Failure as e:
            print(f"fattest.py: bench {arch}: {e}; log {log_path}", file=sys.stderr)
            return 1
        finally:
            console.close()
    best = {}
    for out in fsb:
        for name, value in re.findall(r"^fsbench: (write|read) ([\d.]+) MB/s", out, re.M):
            best[name] = max(best.get(name, 0.0), float(value))
    empty, full = min(spans["empty"]), min(spans["16m"])
    if len(best) != 2 or full <= 0:
        print(f"fattest.py: bench {arch}: fsbench printed {fsb!r}, cp took {spans!r} s",
              file=sys.stderr)
        return 1
    for name in ("write", "read"):
        print(f"{arch} fat_{name} {best[name]:.2f} MB/s")
    print(f"{arch} fat_cp {16 * 1048576 / full / 1e6:.2f} MB/s (cp of 16 MiB {full * 1000:.0f} ms, "
          f"of an empty file {empty * 1000:.0f} ms: best of {RUNS})")
    return 0


def main():
    return shelltest.arch_main(__doc__, run, bench)


if __name__ == "__main__":
    sys.exit(main())
