# SPDX-License-Identifier: MIT
# Host tests of threads, the scheduler, processes and IPC (kernel/sched.c,
# thread.c, process.c, ipc.c and the system calls on them) on the fake port's
# real context switches: test/fake/thread_fake.c switches host ucontexts on host
# stacks, and a "user thread" is a host function making system calls through
# the real dispatcher (kernel/syscall.c). test/fake/arch/ gives <arch/types.h>
# and <arch/trap.h>. Included by test/CMakeLists.txt, whose helpers it uses.
set(KOSH_THREAD_TEST_SOURCES
  ${KOSH_ROOT}/kernel/sched.c ${KOSH_ROOT}/kernel/thread.c ${KOSH_ROOT}/kernel/process.c
  ${KOSH_ROOT}/kernel/ipc.c ${KOSH_ROOT}/kernel/syscall.c ${KOSH_ROOT}/kernel/sys_common.c
  ${KOSH_ROOT}/kernel/sys_thread.c
  ${KOSH_ROOT}/kernel/sys_ipc.c ${KOSH_ROOT}/kernel/sys_handle.c ${KOSH_ROOT}/kernel/sys_quota.c
  ${KOSH_ROOT}/kernel/cap.c ${KOSH_ROOT}/kernel/quota.c ${KOSH_ROOT}/kernel/runqueue.c
  ${KOSH_ROOT}/kernel/cpu.c ${KOSH_ROOT}/kernel/timer.c ${KOSH_ROOT}/kernel/usercopy.c
  ${KOSH_ROOT}/kernel/klog.c
  ${CMAKE_CURRENT_SOURCE_DIR}/fake/thread_fake.c ${CMAKE_CURRENT_SOURCE_DIR}/fake/thread_fake_stubs.c
  ${CMAKE_CURRENT_SOURCE_DIR}/fake/kheap_fake.c
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/thread_harness.c)

foreach(part sched ipc)
  kosh_host_test(${part}_test
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/${part}_test.c ${KOSH_THREAD_TEST_SOURCES}
    LIBS kosh_arch_fake kosh_shared_host
    INCLUDES ${CMAKE_CURRENT_SOURCE_DIR}/fake ${CMAKE_CURRENT_SOURCE_DIR}/unit ${KOSH_ROOT}/kernel
             ${KOSH_ROOT}/kernel/include)
endforeach()
