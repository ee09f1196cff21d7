# Warnings for our own targets (not for third-party headers, which come in as SYSTEM).
function(egmf_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
endfunction()

# egmf_add_test(NAME name SOURCES ... LIBS ... [TORCH])
# Torch-free test binaries register each TEST as its own ctest entry (gtest_discover_tests).
# A binary that links LibTorch pays 0.5-0.9 s of library loading per process, so it is one ctest
# entry for the whole binary (TOOLCHAIN.md trap 7).
include(GoogleTest)
function(egmf_add_test)
    cmake_parse_arguments(T "TORCH" "NAME" "SOURCES;LIBS" ${ARGN})
    add_executable(${T_NAME} ${T_SOURCES})
    target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
    target_compile_definitions(${T_NAME} PRIVATE
        EGMF_SOURCE_DIR="${CMAKE_SOURCE_DIR}" EGMF_BINARY_DIR="${CMAKE_BINARY_DIR}")
    egmf_warnings(${T_NAME})
    if(T_TORCH)
        add_test(NAME ${T_NAME} COMMAND ${T_NAME})
        set_tests_properties(${T_NAME} PROPERTIES LABELS torch)
    else()
        gtest_discover_tests(${T_NAME} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS torch_free)
    endif()
endfunction()

# egmf_add_fuzzer(NAME name SOURCES ... LIBS ...): a libFuzzer target (clang only).
function(egmf_add_fuzzer)
    cmake_parse_arguments(F "" "NAME" "SOURCES;LIBS" ${ARGN})
    add_executable(${F_NAME} ${F_SOURCES})
    target_link_libraries(${F_NAME} PRIVATE ${F_LIBS})
    target_compile_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
    target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
endfunction()
