# SPDX-License-Identifier: MIT
# The RTC driver's arithmetic (user/drivers/rtc/rtctime.c), on the host.
kosh_host_test(rtc_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/rtc_test.c ${KOSH_ROOT}/user/drivers/rtc/rtctime.c
  INCLUDES ${KOSH_ROOT}/user/drivers/rtc)
