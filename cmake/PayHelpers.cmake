# Short, uniform target definitions (after Abseil's absl_cc_library / absl_cc_test).

set(PAY_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wno-unused-parameter)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports std::string copies at -O3 as overlapping memcpy (GCC bug 105329): a false
  # positive in libstdc++ inlining, not in our code.
  list(APPEND PAY_WARNING_FLAGS -Wno-restrict)
endif()
if(PAY_WERROR)
  list(APPEND PAY_WARNING_FLAGS -Werror)
endif()

if(PAY_SANITIZE)
  add_compile_options(-fsanitize=${PAY_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${PAY_SANITIZE})
endif()

# pay_target_defaults(<target>): warnings for code we own (not generated code).
function(pay_target_defaults target)
  target_compile_options(${target} PRIVATE ${PAY_WARNING_FLAGS})
endfunction()

# pay_cc_test(NAME name SRCS ... DEPS ... [LABELS ...])
# One GoogleTest binary, each test case registered with ctest.
function(pay_cc_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SRCS})
  pay_target_defaults(${T_NAME})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main)
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  # A list inside PROPERTIES must keep its semicolons escaped, or only its first item survives.
  string(REPLACE ";" "\\;" labels "${T_LABELS}")
  gtest_discover_tests(${T_NAME}
    DISCOVERY_TIMEOUT 60
    PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${labels}")
endfunction()

include(GoogleTest OPTIONAL)
