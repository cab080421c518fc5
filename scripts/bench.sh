#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmarks: print figures, never pass or fail on time. Guest time runs under
# -icount shift=0,sleep=off, so in-guest figures are a pure function of the
# instructions executed and repeat exactly (OVMF takes ~30 s to start this way).
#   scripts/bench.sh [x86_64|aarch64 ...]
# One boot per architecture, -smp 4 and 512 MiB, of a disk image made for it
# whose kosh.cfg has "cmdline = kosh.bench": bootstrap then runs bin/bench
# (user/apps/bench), which prints its medians through the kernel log. Printed,
# one line per figure, "<arch> <metric> <value> <unit>":
#   boot_loader_to_kmain    the loader's first instruction to kmain (the loader
#                           reads the counter first thing; the kernel prints it)
#   boot_kmain_to_all_cpus  kmain to every CPU online (cpus_online: how many)
#   kernel_memory           what the kernel holds once booted, and of it
#   kernel_allocator_metadata  the page allocator's metadata
#   null_syscall ipc_rtt_same_cpu ipc_rtt_cross_cpu ipc_rtt_4k notify_wake
#   thread_switch process_cycle   bin/bench's figures (docs/performance.md)
#   boot_loader_to_prompt   a second boot, of the plain system: the loader's first
#                           instruction to the shell's login banner, printed just
#                           before its first prompt (the monotonic clock counts
#                           from the loader's start)
#   blk_read_4k blk_read_64k  a third boot, of the plain system with a 32 MiB
#                           virtio-blk PCI disk: bin/blkbench reads it sequentially
#                           through the block protocol with 4 KiB and 64 KiB
#                           requests, one at a time (MB/s of guest time, MB = 10^6
#                           bytes; test/qemu/disktest.py --bench drives the shell)
#   fat_write fat_read fat_cp  a fourth boot, with a GPT disk whose FAT32 partition
#                           is mounted at fs:///: bin/fsbench writes (and fsyncs) a
#                           16 MiB file in 64 KiB writes and reads it back; cp
#                           copies it, timed by uptime before and after (and an
#                           empty file's copy beside it) (MB/s of guest time, best of 3
#                           runs; the disk with cache=unsafe, so that a FLUSH costs
#                           no host fsync; test/qemu/fattest.py --bench)
# Exits non-zero, with the end of the console log, if any figure is missing.
# The whole console logs are kept as $KOSH_BUILD_DIR/bench-<arch>.log and
# bench-<arch>-prompt.log.
# KOSH_BENCH_TIMEOUT: seconds of host time per boot (default 1800).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KOSH_BUILD_DIR:-$root/build}
timeout_s=${KOSH_BENCH_TIMEOUT:-1800}
"$root/scripts/setup.sh" >/dev/null
"$root/scripts/build.sh" >/dev/null
[ $# -gt 0 ] || set -- x86_64 aarch64

FIGURES="null_syscall ipc_rtt_same_cpu ipc_rtt_cross_cpu ipc_rtt_4k notify_wake thread_switch process_cycle"
failed=0
for arch in "$@"; do
	case $arch in
	x86_64) efi=BOOTX64.EFI ;;
	aarch64) efi=BOOTAA64.EFI ;;
	*) echo "bench.sh: unknown architecture '$arch' (x86_64 or aarch64)" >&2; exit 2 ;;
	esac
	tmp=$(mktemp -d)
	printf 'kernel = kernel-%s.elf\ninitfs = initfs.tar\ncmdline = kosh.bench\n' "$arch" \
		>"$tmp/kosh.cfg"
	"$root/scripts/mkimage.sh" "$tmp/disk.img" \
		"EFI/BOOT/$efi=$build/$arch/$efi" \
		"EFI/BOOT/kernel-$arch.elf=$build/$arch/kernel-$arch.elf" \
		"EFI/BOOT/initfs.tar=$build/initfs-$arch.tar" \
		"EFI/BOOT/kosh.cfg=$tmp/kosh.cfg" >/dev/null
	log="$build/bench-$arch.log"
	timeout "$timeout_s" "$root/scripts/qemu.sh" "$arch" "$tmp/disk.img" \
		-- -smp 4 -icount shift=0,sleep=off </dev/null 2>&1 | tr -d '\r' >"$log" || true
	# The plain system never powers off by itself: stop QEMU once the shell's
	# banner is there (or at the timeout).
	plog="$build/bench-$arch-prompt.log"
	"$root/scripts/mkimage.sh" "$tmp/plain.img" \
		"EFI/BOOT/$efi=$build/$arch/$efi" \
		"EFI/BOOT/kernel-$arch.elf=$build/$arch/kernel-$arch.elf" \
		"EFI/BOOT/initfs.tar=$build/initfs-$arch.tar" >/dev/null
	timeout "$timeout_s" "$root/scripts/qemu.sh" "$arch" "$tmp/plain.img" \
		-- -smp 4 -icount shift=0,sleep=off </dev/null >"$plog" 2>&1 &
	qemu=$!
	waited=0
	while kill -0 $qemu 2>/dev/null && ! grep -q "ready .* ms after the loader started" "$plog"; do
		sleep 1
		waited=$((waited + 1))
		[ $waited -lt "$timeout_s" ] || break
	done
	# Still running: it reached the banner (or timed out) and is stopped now.
	# Gone by itself: its status goes in the log, for the missing-figure report.
	if kill -0 $qemu 2>/dev/null; then
		pkill -P $qemu 2>/dev/null || true
		kill $qemu 2>/dev/null || true
		wait $qemu 2>/dev/null || true
	else
		status=0
		wait $qemu || status=$?
		echo "bench.sh: QEMU ended by itself with status $status" >>"$plog"
	fi
	rm -rf "$tmp"
	# Kernel log lines: "[  seconds.micros cN] text".
	out=$(sed 's/^\[ *[0-9.]* c[0-9]*\] //' "$log")
	figures=$(
		echo "$out" | sed -n 's/^boot: loader start to kmain \([0-9]*\) us$/boot_loader_to_kmain \1 us/p'
		echo "$out" | sed -n 's/^kosh: \([0-9]*\) CPUs online, \([0-9]*\) us after kmain.*/boot_kmain_to_all_cpus \2 us\
cpus_online \1 CPUs/p'
		echo "$out" | sed -n 's/^memory: .*the kernel uses \([0-9]*\) KiB (allocator metadata \([0-9]*\) KiB)$/kernel_memory \1 KiB\
kernel_allocator_metadata \2 KiB/p'
		tr -d '\r' <"$plog" | sed -n 's/.* ready \([0-9.]*\) ms after the loader started$/boot_loader_to_prompt \1 ms/p'
		for f in $FIGURES; do
			echo "$out" | sed -n "s/^bench: \($f [0-9][0-9.]* [a-zA-Z]*\)$/\1/p" | head -n 1
		done
	)
	echo "$figures" | sed "/^\$/d; s/^/$arch /"
	missing=""
	for f in boot_loader_to_kmain boot_kmain_to_all_cpus boot_loader_to_prompt kernel_memory $FIGURES; do
		echo "$figures" | grep -q "^$f " || missing="$missing $f"
	done
	if [ -n "$missing" ]; then
		echo "bench.sh: $arch: missing figures:$missing; the console log ($log) ends:" >&2
		tail -n 25 "$log" >&2
		echo "bench.sh: $arch: the plain boot's log ($plog) ends:" >&2
		tail -n 5 "$plog" >&2
		failed=1
	fi
	# Disk throughput (the log: $build/bench-$arch-disk.log).
	python3 "$root/test/qemu/disktest.py" --build "$build" --bench "$arch" || failed=1
	# File throughput on FAT32 (the log: $build/bench-$arch-fat.log).
	python3 "$root/test/qemu/fattest.py" --build "$build" --bench "$arch" || failed=1
done
exit $failed
