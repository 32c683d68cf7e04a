# libfixgate, the library that is installed: one static archive and one shared library, both made
# of the object files of the layers that src/CMakeLists.txt lists. Those are compiled once,
# position-independent with -fno-semantic-interposition (no symbol of the library is replaced at
# run time, so the compiler inlines and calls directly within it, as in a program; linked into a
# program, the linker relaxes the GOT accesses back to direct ones). The per-layer targets stay
# what the build and the tests link. (A second, PIC-only compile of every layer for the shared
# library cost a quarter of a fresh build's compile time.)

# Every library from outside that a layer links, and how an installed fixgate finds it again:
#   target in this build | find_dependency() arguments (- for none) | target that gives |
#   pkg-config flags |
#   the Debian 12 package with its headers, which linking the static archive needs (- for none)
# A find_dependency() of - means none: the target is then a library name the linker finds alone.
# So for nats.c, whose Debian CMake package names a static library Debian does not ship (and
# libprotobuf-c.so, which need not be installed), so that find_package(cnats) fails.
# A layer linking one not listed here stops the configuration (see fixgate_library below).
set(FIXGATE_EXTERNAL_LIBRARIES
  "Threads::Threads|Threads|Threads::Threads|-pthread|-"
  "OpenSSL::SSL|OpenSSL|OpenSSL::SSL|-lssl|libssl-dev"
  "OpenSSL::Crypto|OpenSSL|OpenSSL::Crypto|-lcrypto|libssl-dev"
  "PkgConfig::PUGIXML|pugixml CONFIG|pugixml::pugixml|-lpugixml|libpugixml-dev"
  "SQLite::SQLite3|SQLite3|SQLite::SQLite3|-lsqlite3|libsqlite3-dev"
  "PkgConfig::LIBPQ|PostgreSQL|PostgreSQL::PostgreSQL|-lpq|libpq-dev"
  "PkgConfig::LIBNATS|-|nats|-lnats|libnats-dev"
  # Debian's cpp-httplib has no CMake package: the installed package links the library by name.
  "PkgConfig::HTTPLIB|-|cpp-httplib|-lcpp-httplib|libcpp-httplib-dev"
  "prometheus-cpp::core|prometheus-cpp CONFIG|prometheus-cpp::core|-lprometheus-cpp-core|prometheus-cpp-dev"
  # Debian's spdlog is compiled against the external fmt (libfmt-dev), which its target brings.
  "spdlog::spdlog|spdlog CONFIG|spdlog::spdlog|-lspdlog -lfmt|libspdlog-dev")

# 0.x releases may break the ABI at every minor version, so the SONAME carries the minor
# version (libfixgate.so.0.1); from 1.0 on, the major version only.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(FIXGATE_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
else()
  set(FIXGATE_SOVERSION ${PROJECT_VERSION_MAJOR})
endif()

# fixgate_external_column(OUT ROWS N): column N of the rows of FIXGATE_EXTERNAL_LIBRARIES ROWS.
function(fixgate_external_column out rows column)
  set(values "")
  foreach(row IN LISTS rows)
    string(REPLACE "|" ";" fields "${row}")
    list(GET fields ${column} value)
    list(APPEND values "${value}")
  endforeach()
  set(${out} "${values}" PARENT_SCOPE)
endfunction()

# fixgate_library(LAYERS codec dict …): the targets fixgate_static and fixgate_shared (both
# named libfixgate) from the layer targets fixgate_<layer>. For the package files
# (cmake/install.cmake) it sets the global properties FIXGATE_PUBLIC_DEPENDENCIES and
# FIXGATE_PRIVATE_DEPENDENCIES: the rows of FIXGATE_EXTERNAL_LIBRARIES that a user of the
# library links always (a layer links them PUBLIC: its headers use them) and those that only
# the static archive's users link.
function(fixgate_library)
  if(FIXGATE_SANITIZE OR FIXGATE_FUZZ)
    return()  # only the release build is installed
  endif()
  cmake_parse_arguments(L "" "" "LAYERS" ${ARGN})
  set(static_objects "")
  set(shared_objects "")
  set(public "")
  set(private "")
  foreach(layer IN LISTS L_LAYERS)
    set(target fixgate_${layer})
    if(NOT TARGET ${target})
      message(FATAL_ERROR "libfixgate: no target ${target} for the layer ${layer}")
    endif()
    set_property(TARGET ${target} PROPERTY POSITION_INDEPENDENT_CODE ON)
    set_property(TARGET ${target} APPEND PROPERTY COMPILE_OPTIONS -fno-semantic-interposition)
    list(APPEND static_objects $<TARGET_OBJECTS:${target}>)
    list(APPEND shared_objects $<TARGET_OBJECTS:${target}>)

    get_property(links TARGET ${target} PROPERTY INTERFACE_LINK_LIBRARIES)
    foreach(link IN LISTS links)
      if(link MATCHES "^\\$<LINK_ONLY:(.+)>$")  # linked PRIVATE by a static library
        set(link ${CMAKE_MATCH_1})
        set(scope private)
      else()
        set(scope public)
      endif()
      if(link MATCHES "^fixgate::(.+)$")
        if(NOT CMAKE_MATCH_1 IN_LIST L_LAYERS)
          message(FATAL_ERROR "libfixgate: fixgate::${layer} links ${link}, which is not among "
                              "the layers of libfixgate (fixgate_library in src/CMakeLists.txt)")
        endif()
        continue()
      endif()
      set(row "")
      foreach(candidate IN LISTS FIXGATE_EXTERNAL_LIBRARIES)
        if(candidate MATCHES "^${link}\\|")
          set(row "${candidate}")
        endif()
      endforeach()
      if(NOT row)
        message(FATAL_ERROR "libfixgate: fixgate::${layer} links ${link}: add it to "
                            "FIXGATE_EXTERNAL_LIBRARIES in cmake/library.cmake")
      endif()
      list(APPEND ${scope} "${row}")
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES public)
  list(REMOVE_DUPLICATES private)
  if(public)
    list(REMOVE_ITEM private ${public})
  endif()
  # Each as its target in this build, and as the target an installed fixgate finds. The private
  # ones: linked into the shared library, left to the users of the archive (LINK_ONLY).
  set(public_links "")
  foreach(row IN LISTS public)
    fixgate_external_column(build "${row}" 0)
    fixgate_external_column(installed "${row}" 2)
    list(APPEND public_links "$<BUILD_INTERFACE:${build}>" "$<INSTALL_INTERFACE:${installed}>")
  endforeach()
  set(private_build "")
  set(private_links "")
  foreach(row IN LISTS private)
    fixgate_external_column(build "${row}" 0)
    fixgate_external_column(installed "${row}" 2)
    list(APPEND private_build "${build}")
    list(APPEND private_links "$<BUILD_INTERFACE:$<LINK_ONLY:${build}>>"
                              "$<INSTALL_INTERFACE:$<LINK_ONLY:${installed}>>")
  endforeach()

  add_library(fixgate_static STATIC ${static_objects})
  add_library(fixgate_shared SHARED ${shared_objects})
  set_target_properties(fixgate_static PROPERTIES OUTPUT_NAME fixgate EXPORT_NAME fixgate_static)
  set_target_properties(fixgate_shared PROPERTIES OUTPUT_NAME fixgate EXPORT_NAME fixgate_shared
                        VERSION ${PROJECT_VERSION} SOVERSION ${FIXGATE_SOVERSION})
  foreach(lib fixgate_static fixgate_shared)
    target_include_directories(${lib} INTERFACE
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
      $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>  # fixgate/version.h
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    target_link_libraries(${lib} PUBLIC ${public_links})
  endforeach()
  target_link_libraries(fixgate_shared PRIVATE ${private_build})
  target_link_libraries(fixgate_static INTERFACE ${private_links})
  # Every symbol resolved when it is linked (a layer missing from the list fails here, not in a
  # user's program); calls inside the library bound within it, as -fno-semantic-interposition
  # already told the compiler.
  target_link_options(fixgate_shared PRIVATE -Wl,--no-undefined -Wl,-Bsymbolic-functions)

  set_property(GLOBAL PROPERTY FIXGATE_PUBLIC_DEPENDENCIES "${public}")
  set_property(GLOBAL PROPERTY FIXGATE_PRIVATE_DEPENDENCIES "${private}")
endfunction()
