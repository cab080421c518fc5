#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The shell test: boot the plain system image (no kosh.test) in QEMU and talk to
its shell over the serial console, expect-style. Every step sends one line (or a
key) and waits, under its own timeout, for what must come back; the first step
that does not see it fails the test with the transcript. QEMU runs under TCG with
-nic none and is killed at the end (or at the overall deadline) in every case.

What it checks (issue 5): commands with arguments and quoting; pipes; redirection;
&& || ; and $?; files written to fs:// read back, copied, renamed, removed; the
utilities and their errors on bad arguments; a program that dereferences NULL is
killed with a report and the shell prints its status; Ctrl-C stops a foreground
program; every server, killed in turn, is restarted by init (restart counts in
`svc list`) and the shell keeps working. On x86-64 (issue 6), keys typed on the PS/2
keyboard through the QEMU monitor's sendkey reach the shell: a command line, and a
Ctrl-C that stops a foreground program.

    shelltest.py --build BUILD_DIR ARCH        run the test for x86_64 or aarch64
"""
import argparse
import os
import re
import select
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boottest  # noqa: E402  (make_image, clean, ROOT)

PROMPT = re.compile(r"kosh:(\S+)\$ $")
BOOT_TIMEOUT = 240   # seconds from QEMU's start to the first prompt
STEP_TIMEOUT = 30    # seconds for one command
TOTAL_TIMEOUT = 900  # the whole test


class Failure(Exception):
    pass


class Console:
    """QEMU with the serial console on a pipe."""

    def __init__(self, arch, image, log_path, smp, monitor=None, extra=(), machine=None):
        """extra: more QEMU arguments (the devices of a test); machine: machine options."""
        cmd = [os.path.join(boottest.ROOT, "scripts", "qemu.sh"), arch, image, "--memory", "512M"]
        if machine:
            cmd += ["--machine", machine]
        cmd += ["--", "-smp", str(smp)] + list(extra)
        if monitor:
            cmd += ["-monitor", f"unix:{monitor},server,nowait"]
        self.monitor = monitor
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.raw = b""
        self.pos = 0  # what expect() has consumed of the cleaned text
        self.log_path = log_path
        self.deadline = time.monotonic() + TOTAL_TIMEOUT

    def text(self):
        return boottest.clean(self.raw)

    def _read(self, timeout):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if ready:
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise Failure("QEMU exited (the machine powered off or crashed)")
            self.raw += chunk

    def expect(self, pattern, timeout, what):
        """Wait until pattern matches the text after what was consumed; consume up to its end."""
        rx = re.compile(pattern, re.M) if isinstance(pattern, str) else pattern
        end = min(time.monotonic() + timeout, self.deadline)
        while True:
            text = self.text()
            m = rx.search(text, self.pos)
            if m:
                self.pos = m.end()
                return m, text
            if re.search(r"kosh: panic", text):
                raise Failure(f"{what}: the kernel panicked")
            left = end - time.monotonic()
            if left <= 0:
                raise Failure(f"{what}: nothing matching {rx.pattern!r} within {timeout} s")
            if self.proc.poll() is not None:
                raise Failure(f"{what}: QEMU exited")
            self._read(min(left, 0.5))

    def send(self, data):
        self.proc.stdin.write(data.encode())
        self.proc.stdin.flush()

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        with open(self.log_path, "wb") as f:
            f.write(self.raw)


class Shell:
    def __init__(self, console):
        self.c = console
        self.cwd = None

    def wait_prompt(self, timeout, what):
        m, _ = self.c.expect(PROMPT, timeout, what)
        self.cwd = m.group(1)

    def run(self, line, timeout=STEP_TIMEOUT):
        """Type a command line, wait for the next prompt; the output between them."""
        start = self.c.pos
        self.c.send(line + "\r")
        m, text = self.c.expect(PROMPT, timeout, f"`{line}`")
        self.cwd = m.group(1)
        out = text[start:m.start()]
        # The console echoes the line first.
        first, _, rest = out.partition("\n")
        if line not in first:
            raise Failure(f"`{line}`: the console echoed {first!r}")
        return rest

    def status(self):
        out = self.run("echo $?")
        try:
            return int(out.strip())
        except ValueError:
            raise Failure(f"`echo $?` printed {out!r}")

    def check(self, line, want=None, status=0, absent=None, timeout=STEP_TIMEOUT):
        """Run line; its output must match want (a regex), its status be status
        (None: any non-zero)."""
        out = self.run(line, timeout)
        if want is not None and not re.search(want, out, re.M):
            raise Failure(f"`{line}` printed {out!r}, expected a match for {want!r}")
        if absent is not None and re.search(absent, out, re.M):
            raise Failure(f"`{line}` printed {out!r}, which must not match {absent!r}")
        got = self.status()
        if (status is None and got == 0) or (status is not None and got != status):
            raise Failure(f"`{line}` exited {got}, expected {status if status is not None else 'non-zero'}")
        return out


def services(sh):
    """`svc list` as {name: (state, pid, restarts)}."""
    out = sh.run("svc list")
    table = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 4 and f[0] != "NAME" and f[3].isdigit():
            table[f[0]] = (f[1], f[2], int(f[3]))
    if not table:
        raise Failure(f"`svc list` printed no services: {out!r}")
    return table


def steps_basic(sh):
    sh.check("pwd", r"^fs:///home$")
    sh.check("echo hello world", r"^hello world$")
    sh.check("echo \"a  b\" 'c $HOME' x\\ y", r"^a  b c \$HOME x y$")
    sh.check("echo one two | cat", r"^one two$")
    sh.check("echo abc | cat | cat", r"^abc$")
    sh.check("true && echo yes", r"^yes$")
    sh.check("false || echo alt", r"^alt$")
    sh.check("false; echo after", r"^after$")
    sh.run("false")
    if sh.status() == 0:
        raise Failure("`false` exited 0")
    sh.check("export GREETING=hi; echo $GREETING-${GREETING}", r"^hi-hi$")
    sh.check("env", r"^GREETING=hi$")
    sh.check("uname -a", r"^Kosh ")
    sh.check("uptime", r"\d")
    sh.check("free", r"\d")
    sh.check("date; cat time:///iso", r"^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC (202[4-9]|20[3-9]\d)\n(202[4-9]|20[3-9]\d)-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    sh.check("sleep 0.2")
    sh.check("ls initfs:///bin", r"^sh$")
    sh.check("cat initfs:///etc/services", r"^\[service vfsd\]$")
    sh.check("dmesg", r"init: ")
    sh.check("ps", r"sh")


def steps_files(sh):
    sh.check("cd fs:///tmp && pwd", r"^fs:///tmp$")
    if sh.cwd != "fs:///tmp":
        raise Failure(f"the prompt shows {sh.cwd}, expected fs:///tmp")
    sh.check("echo first line > f1 && echo second line >> f1")
    sh.check("cat f1", r"\Afirst line\nsecond line\n\Z")
    sh.check("cat < fs:///tmp/f1 | cat", r"^second line$")
    sh.check("cp f1 f2 && mv f2 f3 && ls", r"^f3$", absent=r"^f2$")
    sh.check("cat /tmp/f3", r"^first line$")
    sh.check("mkdir d && mv f3 d/ && ls d", r"^f3$")
    sh.check("rm d/f3 && rm d/f3", status=None)
    sh.check("rm d", r"rm: d: is a directory", status=None)
    sh.check("rm -r d && ls", absent=r"^d$")
    # A file of a few KiB through cp (more than one message).
    sh.check("cat initfs:///etc/services > big && cp big big2 && cat big2", r"^\[service sh\]$")
    sh.check("ls -l big2", r"big2")
    # A program found through $PATH in fs:///bin (after initfs:///bin).
    sh.check("cp initfs:///bin/echo fs:///bin/hello && hello from fs", r"^from fs$")
    sh.check("cd /home && pwd", r"^fs:///home$")


def steps_errors(sh):
    sh.check("cat fs:///no/such/file", r"cat: .*no/such/file.*: No such file", status=None)
    sh.check("ls fs:///missing", r"ls: ", status=None)
    sh.check("mkdir", r"mkdir: ", status=None)
    sh.check("rm", r"rm: ", status=None)
    sh.check("cp onlyone", r"cp: ", status=None)
    sh.check("kill notapid", r"kill: ", status=None)
    sh.check("sleep xyz", r"sleep: ", status=None)
    sh.check("ls --bogus-option", r"ls: ", status=None)
    sh.check("nosuchcommand", r"nosuchcommand", status=None)
    sh.check("echo 'unterminated", r"sh: ", status=None)
    sh.check("echo x >", r"sh: ", status=None)
    sh.check("| cat", r"sh: ", status=None)
    # A program that dereferences NULL is killed; the shell says how and keeps going.
    sh.check("crash", r"page fault", status=None)
    sh.check("echo still here", r"^still here$")


def steps_interrupt(sh):
    start = sh.c.pos
    sh.c.send("spin\r")
    time.sleep(3)
    sh.c.send("\x03")
    sh.wait_prompt(STEP_TIMEOUT, "Ctrl-C of `spin`")
    if sh.status() == 0:
        raise Failure("`spin` stopped by Ctrl-C exited 0")
    sh.check("echo after interrupt", r"^after interrupt$")
    del start
    # Ctrl-D: the end of a program's input from the terminal.
    sh.c.send("cat\r")
    sh.c.expect(r"cat\n", STEP_TIMEOUT, "`cat` echoed")
    sh.c.send("typed line\r")
    sh.c.expect(r"^typed line\n(?:.*\n)?typed line\n", STEP_TIMEOUT, "`cat` copying a typed line")
    sh.c.send("\x04")
    sh.wait_prompt(STEP_TIMEOUT, "Ctrl-D ending `cat`")
    if sh.status() != 0:
        raise Failure("`cat` ended by Ctrl-D did not exit 0")


# QEMU's sendkey names of the characters the keyboard step types.
SENDKEY = {" ": "spc", "-": "minus", ".": "dot", "/": "slash"}


def sendkeys(sh, keys):
    """Press keys (sendkey names, such as "e", "ret", "ctrl-c") on the PS/2 keyboard."""
    boottest.monitor(sh.c.monitor, [f"sendkey {k}" for k in keys], wait=30.0)


def steps_keyboard(sh):
    """x86-64: a line typed on the PS/2 keyboard runs; Ctrl-C from it stops `spin`."""
    start = sh.c.pos
    sendkeys(sh, [SENDKEY.get(ch, ch) for ch in "echo typed"] + ["ret"])
    m, text = sh.c.expect(PROMPT, STEP_TIMEOUT, "`echo typed` typed on the keyboard")
    out = text[start:m.start()]
    if not re.search(r"^echo typed\ntyped$", out, re.M):
        raise Failure(f"`echo typed` from the keyboard printed {out!r}")
    sh.c.send("spin\r")
    sh.c.expect(r"spin\n", STEP_TIMEOUT, "`spin` echoed")
    time.sleep(2)
    sendkeys(sh, ["ctrl-c"])
    sh.wait_prompt(STEP_TIMEOUT, "Ctrl-C of `spin` from the keyboard")
    if sh.status() == 0:
        raise Failure("`spin` stopped by Ctrl-C from the keyboard exited 0")
    sh.check("echo after keyboard", r"^after keyboard$")


def steps_restarts(sh):
    """Kill every service but the shell in turn; init restarts each; the shell works."""
    before = services(sh)
    shell_pid = before["sh"][1]
    for name in sorted(before):
        if name == "sh":
            continue
        state, pid, restarts = services(sh)[name]
        if name == "fbcon" and state == "stopped" and restarts == 0:
            continue  # no framebuffer (AArch64 without ramfb): it exited 0, as it should
        if state != "running" or not pid.isdigit():
            raise Failure(f"service {name} is {state} (pid {pid}) before the kill")
        sh.run(f"kill {pid}")
        deadline = time.monotonic() + 60
        while True:
            time.sleep(1)
            try:
                now = services(sh)[name]
            except Failure:
                now = None
            if now and now[0] == "running" and now[2] == restarts + 1:
                break
            if time.monotonic() > deadline:
                raise Failure(f"service {name} not restarted: {now}")
        sh.check("echo alive | cat", r"^alive$")
        # The same shell: it outlived the server (and reopened its terminal after
        # the console's restart).
        if services(sh)["sh"][1] != shell_pid:
            raise Failure(f"the shell was restarted when {name} was killed")
    # The shell itself: init starts a new one, which prompts again.
    pid = services(sh)["sh"][1]
    sh.c.send(f"kill {pid}\r")
    sh.wait_prompt(60, "the restarted shell's prompt")
    sh.check("echo new shell", r"^new shell$")


def run(arch, build, smp):
    log_dir = os.path.join(build, "test-logs")
    os.makedirs(log_dir, exist_ok=True)
    log_path = os.path.join(log_dir, f"shell-{arch}.log")
    case = boottest.Case(f"shell-{arch}", arch)
    with tempfile.TemporaryDirectory(prefix="kosh-shell-") as tmp:
        image = boottest.make_image(case, build, tmp)
        # The keyboard step (x86-64: the PS/2 keyboard) types through the monitor.
        keyboard = arch == "x86_64"
        console = Console(arch, image, log_path, smp,
                          os.path.join(tmp, "monitor") if keyboard else None)
        sh = Shell(console)
        step = "boot"
        steps = [("basic", steps_basic)]
        if keyboard:
            steps.append(("keyboard", steps_keyboard))
        steps += [("files", steps_files), ("errors", steps_errors),
                  ("interrupt", steps_interrupt), ("restarts", steps_restarts)]
        try:
            sh.wait_prompt(BOOT_TIMEOUT, "the first prompt")
            for step, fn in steps:
                fn(sh)
                print(f"shell-{arch}: {step}: ok", flush=True)
        except Failure as e:
            print(console.text())
            print(f"FAIL shell-{arch} ({step}): {e}", file=sys.stderr)
            print(f"shell-{arch}: FAILED (log: {log_path})")
            return 1
        finally:
            console.close()
    print(f"shell-{arch}: passed (log: {log_path})")
    return 0


def arch_main(doc, run, bench=None):
    """The command line of a system test made per architecture (this one, disktest,
    fattest): [--build DIR] [--smp N] [--bench] ARCH; calls run (or with --bench,
    bench) with the architecture, the build directory and the CPU count."""
    ap = argparse.ArgumentParser(description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(boottest.ROOT, "build"))
    ap.add_argument("--smp", type=int, default=2)
    if bench:
        ap.add_argument("--bench", action="store_true")
    ap.add_argument("arch", choices=("x86_64", "aarch64"))
    args = ap.parse_args()
    fn = bench if bench and args.bench else run
    return fn(args.arch, os.path.abspath(args.build), args.smp)


def main():
    return arch_main(__doc__, run)


if __name__ == "__main__":
    sys.exit(main())
