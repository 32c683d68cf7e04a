# fixgate_test_target(TARGET [UNIT]): TARGET is a test program. Its own code is compiled for
# build time, not speed: -O1 and line tables only (-g1, enough for symbolized stack traces) in
# the optimized builds; the libraries it links keep the build type's flags. This halves the
# tests' compile time (about half of a fresh build), measured on lp_gateway_test.cc: 29 s at
# -O3 -g, 13 s at -O1 -g1. UNIT: the program runs "unit"-labelled tests, so the target
# unit_tests (what the sanitizer job builds, scripts/test.sh) depends on it.
function(fixgate_test_target target)
  cmake_parse_arguments(T "UNIT" "" "" ${ARGN})
  target_compile_options(${target} PRIVATE
    $<$<CONFIG:RelWithDebInfo,Release>:-O1> $<$<CONFIG:RelWithDebInfo,Debug>:-g1>)
  if(T_UNIT)
    set_property(GLOBAL APPEND PROPERTY FIXGATE_UNIT_TARGETS ${target})
  endif()
endfunction()

# fixgate_unit_tests_target(): the target unit_tests, every program (tests, and the binaries
# they run) behind the tests labelled "unit". Called last, once every test program is known.
# A program missing from it shows under the sanitizers as a test "Not Run", which
# scripts/test.sh fails on.
function(fixgate_unit_tests_target)
  get_property(targets GLOBAL PROPERTY FIXGATE_UNIT_TARGETS)
  add_custom_target(unit_tests)
  add_dependencies(unit_tests ${targets})
endfunction()

# Helper for unit tests that live beside the code:
#   fixgate_unit_test(name SOURCES… LIBS … [TEST_PREFIX "layer/"])
# Every unit test carries the label "unit" so the sanitizer job can select them; TEST_PREFIX goes
# before each ctest name (ctest -R layer/).
function(fixgate_unit_test name)
  if(FIXGATE_FUZZ)
    return()
  endif()
  cmake_parse_arguments(T "" "TEST_PREFIX" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE FIXGATE_DICT_DIR="${FIXGATE_DICT_DIR}"
                                             FIXGATE_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  fixgate_warnings(${name})
  fixgate_test_target(${name} UNIT)
  set(prefix "")
  if(T_TEST_PREFIX)
    set(prefix TEST_PREFIX ${T_TEST_PREFIX})
  endif()
  gtest_discover_tests(${name} ${prefix} PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
endfunction()
include(GoogleTest)
