# What `cmake --install build [--prefix P] [--strip]` puts under the prefix, and the Debian
# package `cpack -G DEB` (run in build/) makes of the same files:
#   include/fixgate/**                 the public headers (not transport's asio-facing ones), and
#                                      fixgate/version.h written here
#   lib/libfixgate.a, libfixgate.so*   every layer (cmake/library.cmake), SONAME libfixgate.so.0.1
#   lib/cmake/fixgate/                 find_package(fixgate CONFIG) -> fixgate::fixgate
#   lib/pkgconfig/fixgate.pc           pkg-config --cflags --libs fixgate
#   bin/fixgated, bin/fixgate          the daemon and the command-line tool
#   lib/systemd/system/fixgated.service  the daemon as a systemd service (packaging/)
# ctest -L install checks all of it (tests/install/).
include(CMakePackageConfigHelpers)

set(FIXGATE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/fixgate)

configure_file(${PROJECT_SOURCE_DIR}/cmake/version.h.in
               ${PROJECT_BINARY_DIR}/include/fixgate/version.h @ONLY)
# The transport's asio-facing headers (the loop, connections, initiators, listeners) are the
# engine's working parts, not API: left out, so that using libfixgate needs no asio headers.
# transport/endpoint.h, reconnect_policy.h and tls_config.h, which engine.h includes, go in.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/fixgate ${PROJECT_BINARY_DIR}/include/fixgate
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h"
        PATTERN "transport/loop.h" EXCLUDE PATTERN "transport/connection.h" EXCLUDE
        PATTERN "transport/initiator.h" EXCLUDE PATTERN "transport/listener.h" EXCLUDE)

install(TARGETS fixgate_shared EXPORT fixgate-shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS fixgate_static EXPORT fixgate-static ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# --strip strips programs and shared libraries; an archive keeps its symbol table and loses only
# its debug information (about 90 of its 93 MB), as Debian's packages ship archives.
install(CODE "
  if(CMAKE_INSTALL_DO_STRIP)
    execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug
      \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/$<TARGET_FILE_NAME:fixgate_static>\"
      COMMAND_ERROR_IS_FATAL ANY)
  endif()")
install(TARGETS fixgated fixgate RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Under the prefix's lib/systemd/system: /usr/lib/systemd/system for the package, and systemd
# also reads /usr/local/lib/systemd/system.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/fixgated.service DESTINATION lib/systemd/system)

# The CMake package.
get_property(public GLOBAL PROPERTY FIXGATE_PUBLIC_DEPENDENCIES)
get_property(private GLOBAL PROPERTY FIXGATE_PRIVATE_DEPENDENCIES)
foreach(scope public private)
  fixgate_external_column(packages "${${scope}}" 1)
  list(REMOVE_DUPLICATES packages)
  list(REMOVE_ITEM packages -)  # a library name the linker finds: nothing to find here
  set(find "")
  foreach(package IN LISTS packages)
    if(scope STREQUAL "private")
      string(APPEND find "  ")  # inside if(FIXGATE_USE_STATIC_LIBS)
    endif()
    string(APPEND find "find_dependency(${package})\n")
  endforeach()
  string(TOUPPER ${scope} SCOPE)
  set(FIXGATE_FIND_${SCOPE} "${find}")
endforeach()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/fixgate-config.cmake.in
  ${PROJECT_BINARY_DIR}/fixgate-config.cmake INSTALL_DESTINATION ${FIXGATE_CMAKE_DIR})
# 0.x: a minor version may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/fixgate-config-version.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/fixgate-config.cmake
              ${PROJECT_BINARY_DIR}/fixgate-config-version.cmake
        DESTINATION ${FIXGATE_CMAKE_DIR})
install(EXPORT fixgate-shared NAMESPACE fixgate:: FILE fixgate-shared-targets.cmake
        DESTINATION ${FIXGATE_CMAKE_DIR})
install(EXPORT fixgate-static NAMESPACE fixgate:: FILE fixgate-static-targets.cmake
        DESTINATION ${FIXGATE_CMAKE_DIR})

# fixgate.pc names the prefix it is installed under, known only at install time: the rest is
# filled in now, the prefix when it is installed (written there directly, so that two installs at
# once, say a test's and cpack's, cannot mix).
fixgate_external_column(flags "${public}" 3)
list(JOIN flags " " FIXGATE_PC_PUBLIC)
fixgate_external_column(flags "${private}" 3)
list(REMOVE_ITEM flags ${FIXGATE_PC_PUBLIC})
list(JOIN flags " " FIXGATE_PC_PRIVATE)
set(FIXGATE_PC_PREFIX "@FIXGATE_PC_PREFIX@")
configure_file(${PROJECT_SOURCE_DIR}/cmake/fixgate.pc.in ${PROJECT_BINARY_DIR}/fixgate.pc.in @ONLY)
install(CODE "
  set(FIXGATE_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(pc \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig/fixgate.pc\")
  message(STATUS \"Installing: \${pc}\")
  configure_file(\"${PROJECT_BINARY_DIR}/fixgate.pc.in\" \"\${pc}\" @ONLY)
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${pc}\")")

# The Debian package: the files above under /usr, debug information split into a -dbgsym .ddeb.
set(FIXGATE_PACKAGE_MAINTAINER
    "Seed 842c5a85 maintainers <maintainers@users.noreply.b-seed-842c5a85.example>"
    CACHE STRING "The Maintainer field of the Debian package")
set(CPACK_PACKAGE_NAME fixgate)
set(CPACK_PACKAGE_VENDOR fixgate)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "FIX session engine library, FIX gateway daemon and CLI")
# Debian's extended description: lines of at most 80 characters, " ." between paragraphs.
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
  "fixgate is a C++20 FIX session engine: framing and exact typed values,"
  "QuickFIX-format dictionaries and validation, and the FIX session protocol"
  "(logon, heartbeats, sequence numbers, gap fills, resends, resets) over TCP"
  "and TLS, with file, SQLite and PostgreSQL stores."
  "."
  "This package holds libfixgate (shared and static) with its headers, CMake"
  "package and pkg-config file, the gateway daemon fixgated (QuickFIX-format"
  "settings files) and the command-line tool fixgate (decode, dictionaries,"
  "load generation).")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${FIXGATE_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Depends from the ELF files themselves (dpkg-shlibdeps: libssl3, libpq5, libsqlite3-0, …), and a
# shlibs file so that packages linking libfixgate.so depend on this one.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
# Only linking the static archive needs the dependencies' development packages.
fixgate_external_column(dev_packages "${private}" 4)
list(REMOVE_DUPLICATES dev_packages)
list(REMOVE_ITEM dev_packages -)
list(JOIN dev_packages ", " CPACK_DEBIAN_PACKAGE_SUGGESTS)
set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)
# CPack splits the debug information of the ELF files it knows (programs, shared library); the
# archive is stripped of it before, as `cmake --install --strip` does.
configure_file(${PROJECT_SOURCE_DIR}/cmake/strip_archives.cmake.in
               ${PROJECT_BINARY_DIR}/strip_archives.cmake @ONLY)
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_BINARY_DIR}/strip_archives.cmake)
set(CPACK_GENERATOR DEB)
include(CPack)
