# ks_module(NAME SOURCES ... DEPS ...): one folder = one static library
# `ks_<name>`, includes rooted at the repository root. DEPS must only name
# modules lower in the dependency order (docs/architecture.md).
function(ks_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(ks_${name} STATIC ${ARG_SOURCES})
  target_include_directories(ks_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(ks_${name} PUBLIC ${ARG_DEPS})
endfunction()

# ks_test(NAME SOURCES ... DEPS ... [PURE]): a GoogleTest executable whose
# tests are registered with CTest. PURE tests (no sockets, no processes) are
# also run by the sanitizer build.
function(ks_test name)
  cmake_parse_arguments(ARG "PURE" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE KS_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  set(labels io)
  if(ARG_PURE)
    set(labels pure)
    add_dependencies(pure_tests ${name})
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
                       PROPERTIES LABELS "${labels}"
                       WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endfunction()
