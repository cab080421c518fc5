# SPDX-License-Identifier: MIT
# sbin/drivers/rtc: the real-time clock driver serving time:// (docs/system.md,
# "Time"): the CMOS clock on x86-64, the PL031 on AArch64; the arithmetic is
# rtctime.c (host-tested by test/unit/rtc_test.c).
kosh_user_program(rtc ARCH ${arch} INSTALL sbin/drivers/rtc
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c ${CMAKE_CURRENT_LIST_DIR}/rtctime.c)
