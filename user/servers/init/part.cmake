# SPDX-License-Identifier: MIT
# init (sbin/init): starts and supervises the services of etc/services.
# Included once per architecture by user/CMakeLists.txt, ${arch} set.
kosh_user_program(init ARCH ${arch} INSTALL sbin/init
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.c ${CMAKE_CURRENT_LIST_DIR}/launch.c
          ${CMAKE_CURRENT_LIST_DIR}/names.c ${CMAKE_CURRENT_LIST_DIR}/svc.c
          ${CMAKE_CURRENT_LIST_DIR}/policy.c ${CMAKE_CURRENT_LIST_DIR}/svctext.c
          ${CMAKE_CURRENT_LIST_DIR}/drvreg.c ${CMAKE_CURRENT_LIST_DIR}/drvcheck.c)
