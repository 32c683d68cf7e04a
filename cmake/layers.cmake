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
  set(prefix "")
  if(T_TEST_PREFIX)
    set(prefix TEST_PREFIX ${T_TEST_PREFIX})
  endif()
  gtest_discover_tests(${name} ${prefix} PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
endfunction()
include(GoogleTest)
