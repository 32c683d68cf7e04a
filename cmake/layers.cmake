# Helper for unit tests that live beside the code: fixgate_unit_test(name SOURCES… LIBS …).
# Every unit test carries the label "unit" so the sanitizer job can select them.
function(fixgate_unit_test name)
  if(FIXGATE_FUZZ)
    return()
  endif()
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE FIXGATE_DICT_DIR="${FIXGATE_DICT_DIR}"
                                             FIXGATE_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  fixgate_warnings(${name})
  gtest_discover_tests(${name} PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
endfunction()
include(GoogleTest)
