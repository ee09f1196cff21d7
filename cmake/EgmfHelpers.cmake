# Warnings for our own targets (not for third-party headers, which come in as SYSTEM).
function(egmf_warnings target)
    target_compile_options(${target} PRIVATE "$<$<COMPILE_LANGUAGE:CXX>:-Wall;-Wextra;-Wpedantic;-Wno-unused-parameter>")
endfunction()

# egmf_add_test(NAME name SOURCES ... LIBS ... [TORCH])
# Torch-free test binaries register each TEST as its own ctest entry (gtest_discover_tests).
# A binary that links LibTorch pays 0.5-0.9 s of library loading per process, so it is one ctest
# entry for the whole binary (TOOLCHAIN.md trap 7). SHARDS (gtest filters) splits a long torch
# binary into one entry per filter plus one for the rest, so `ctest -j` runs them side by side.
include(GoogleTest)
function(egmf_add_test)
    cmake_parse_arguments(T "TORCH" "NAME" "SOURCES;LIBS;SHARDS" ${ARGN})
    add_executable(${T_NAME} ${T_SOURCES})
    # Tests see the engine's internals (src/ and its third-party headers); nothing else does.
    # Every test compiles tests/engine/test_support.cpp, which makes manifests (egmf_checkpoint).
    target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} egmf_checkpoint egmf_engine_internals GTest::gtest GTest::gtest_main GTest::gmock)
    egmf_warnings(${T_NAME})
    if(T_TORCH AND T_SHARDS)
        foreach(filter IN LISTS T_SHARDS)
            add_test(NAME "${T_NAME}[${filter}]" COMMAND ${T_NAME} --gtest_filter=${filter})
            set_tests_properties("${T_NAME}[${filter}]" PROPERTIES LABELS torch)
        endforeach()
        list(JOIN T_SHARDS ":" others)
        add_test(NAME "${T_NAME}[rest]" COMMAND ${T_NAME} --gtest_filter=-${others})
        set_tests_properties("${T_NAME}[rest]" PROPERTIES LABELS torch)
    elseif(T_TORCH)
        add_test(NAME ${T_NAME} COMMAND ${T_NAME})
        set_tests_properties(${T_NAME} PROPERTIES LABELS torch)
    else()
        gtest_discover_tests(${T_NAME} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS torch_free)
    endif()
endfunction()

# egmf_torch_pch(target [LIGHT source...]): compile the target's torch translation units with the
# one precompiled header of LibTorch (engine/src/torch_pch.h), built once by egmf_model and reused
# by every other target (the CI build's largest saving: ~45 units x ~15 s). GCC accepts a PCH only
# under the same -fPIC/-fPIE: executables get -fPIC (appended last, it wins; harmless there).
# LIGHT names the target's sources that include no LibTorch header: the PCH would cost each ~7 s.
function(egmf_torch_pch target)
    cmake_parse_arguments(P "" "" "LIGHT" ${ARGN})
    if(target STREQUAL "egmf_model")
        target_precompile_headers(egmf_model PRIVATE ${CMAKE_SOURCE_DIR}/engine/src/torch_pch.h)
    else()
        target_precompile_headers(${target} REUSE_FROM egmf_model)
        target_compile_options(${target} PRIVATE -fPIC)
        # The PCH was compiled with LibTorch's own definitions and flags (USE_DISTRIBUTED, the C++
        # ABI); a target
        # without them (a test, which reaches LibTorch only through the engine's libraries) would
        # silently compile without it.
        target_compile_definitions(${target} PRIVATE $<TARGET_PROPERTY:torch,INTERFACE_COMPILE_DEFINITIONS>)
        target_compile_options(${target} PRIVATE $<TARGET_PROPERTY:torch,INTERFACE_COMPILE_OPTIONS>)
    endif()
    foreach(source IN LISTS P_LIGHT)
        set_source_files_properties(${source} TARGET_DIRECTORY ${target} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endforeach()
endfunction()

# egmf_unity(target [SIZE n] [EXCLUDE source...]): compile the target's heavy translation units
# n to a file. A torch unit pays ~9 s before its first own line (loading the 600 MB PCH) and a CLI11 one ~7 s (CLI11's
# validators are global objects, compiled into every unit), so grouping them is the cold build's
# largest saving. Heavy means: every .cpp the PCH is not skipped for (egmf_torch_pch's LIGHT ones
# stay alone). CMake's own UNITY_BUILD would do, but before CMake 4.0 it writes absolute paths into
# its files and a fresh clone (CI's every run) would miss ccache; ours include by relative path.
# Call it after the target's last target_sources. A source that other targets of the same folder
# also compile must be EXCLUDEd: CMake keeps source properties per folder, not per target.
# EGMF_UNITY=OFF compiles file by file (quicker to rebuild one edited file).
option(EGMF_UNITY "Compile heavy translation units in groups (cold builds ~2x faster)" ON)
function(egmf_unity target)
    cmake_parse_arguments(U "" "SIZE" "EXCLUDE" ${ARGN})
    if(NOT EGMF_UNITY)
        return()
    endif()
    if(NOT U_SIZE)
        set(U_SIZE 4)
    endif()
    get_target_property(sources ${target} SOURCES)
    get_target_property(source_dir ${target} SOURCE_DIR)
    get_target_property(binary_dir ${target} BINARY_DIR)
    set(heavy "")
    foreach(source IN LISTS sources)
        if(NOT source MATCHES "\\.cpp$")
            continue()
        endif()
        get_source_file_property(light ${source} TARGET_DIRECTORY ${target} SKIP_PRECOMPILE_HEADERS)
        if(light OR source IN_LIST U_EXCLUDE)
            continue()
        endif()
        list(APPEND heavy ${source})
    endforeach()
    set(unity_dir ${binary_dir}/${target}_unity)
    set(content "")
    set(count 0)
    set(group 0)
    set(unity_files "")
    list(LENGTH heavy total)
    foreach(source IN LISTS heavy)
        cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY ${source_dir} OUTPUT_VARIABLE absolute)
        file(RELATIVE_PATH relative ${unity_dir} ${absolute})
        string(APPEND content "#include \"${relative}\"\n")
        math(EXPR count "${count} + 1")
        math(EXPR rest "${total} - ${count}")
        math(EXPR in_group "${count} % ${U_SIZE}")
        if(in_group EQUAL 0 OR rest EQUAL 0)
            set(unity_file ${unity_dir}/unity_${group}.cpp)
            file(CONFIGURE OUTPUT ${unity_file} CONTENT "// Generated by egmf_unity (cmake/EgmfHelpers.cmake).\n${content}" @ONLY)
            list(APPEND unity_files ${unity_file})
            set(content "")
            math(EXPR group "${group} + 1")
        endif()
    endforeach()
    set_source_files_properties(${heavy} TARGET_DIRECTORY ${target} PROPERTIES HEADER_FILE_ONLY ON)
    target_sources(${target} PRIVATE ${unity_files})
endfunction()

# egmf_add_fuzzer(NAME name SOURCES ... LIBS ...): a libFuzzer target (clang only).
function(egmf_add_fuzzer)
    cmake_parse_arguments(F "" "NAME" "SOURCES;LIBS" ${ARGN})
    add_executable(${F_NAME} ${F_SOURCES})
    target_link_libraries(${F_NAME} PRIVATE ${F_LIBS} egmf_engine_internals)
    target_compile_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
    target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
endfunction()

# The SDK's fingerprint: a hash of the headers a plugin compiles against (the interface and the
# engine's public value types). A plugin built against other headers (a field added to Manifest,
# say) would pass the IID check and crash on the first struct it shares; the host refuses it by
# this hash instead. Configure runs again when one of the headers changes.
file(GLOB _egmf_sdk_headers ${CMAKE_SOURCE_DIR}/plugins/sdk/egmf/plugin/*.h ${CMAKE_SOURCE_DIR}/engine/include/egmf/*.h)
list(SORT _egmf_sdk_headers)
set(_egmf_sdk_text "")
foreach(_h IN LISTS _egmf_sdk_headers)
    file(READ ${_h} _content)
    string(APPEND _egmf_sdk_text "${_content}")
endforeach()
string(SHA256 _egmf_sdk_sha "${_egmf_sdk_text}")
string(SUBSTRING ${_egmf_sdk_sha} 0 16 EGMF_SDK_HASH)
set_property(DIRECTORY ${CMAKE_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_egmf_sdk_headers})

# egmf_add_plugin(TARGET t SOURCES ... NAME "..." VERSION "..." FORMATS a b ARCHITECTURE x
#                 [OUTPUT_DIRECTORY dir] [IID iid] [INTERFACE n] [TORCH_VERSION v] [CXX11_ABI 0|1]
#                 [SDK_HASH h] [LIBS ...])
# A checkpoint plugin: a Qt plugin MODULE whose plugin.json (written here) carries the metadata the
# host reads before loading any code (plugins/sdk/egmf/plugin/checkpoint_loader.h). The LibTorch
# version and C++ ABI default to this build's (EGMF_TORCH_VERSION, EGMF_CXX11_ABI); the overrides
# make the test plugins that must be refused.
function(egmf_add_plugin)
    cmake_parse_arguments(P "" "TARGET;NAME;VERSION;ARCHITECTURE;OUTPUT_DIRECTORY;IID;INTERFACE;TORCH_VERSION;CXX11_ABI;SDK_HASH"
                          "SOURCES;FORMATS;LIBS" ${ARGN})
    set_property(GLOBAL APPEND PROPERTY EGMF_PLUGIN_TARGETS ${P_TARGET})
    if(NOT P_OUTPUT_DIRECTORY)
        set(P_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/${EGMF_PLUGIN_DIR})
    endif()
    if(NOT P_IID)
        set(P_IID "org.egmf.CheckpointLoader/2")
    endif()
    if(NOT DEFINED P_INTERFACE)
        set(P_INTERFACE 2)
    endif()
    if(NOT P_TORCH_VERSION)
        set(P_TORCH_VERSION ${EGMF_TORCH_VERSION})
    endif()
    if(NOT DEFINED P_CXX11_ABI)
        set(P_CXX11_ABI ${EGMF_CXX11_ABI})
    endif()
    if(NOT P_SDK_HASH)
        set(P_SDK_HASH ${EGMF_SDK_HASH})
    endif()
    set(_formats "")
    foreach(_f IN LISTS P_FORMATS)
        if(_formats)
            string(APPEND _formats ", ")
        endif()
        string(APPEND _formats "\"${_f}\"")
    endforeach()
    set(_meta ${CMAKE_CURRENT_BINARY_DIR}/${P_TARGET}-metadata)
    file(WRITE ${_meta}/plugin.json "{\n  \"name\": \"${P_NAME}\",\n  \"version\": \"${P_VERSION}\",\n  \"formats\": [${_formats}],\n  \"architecture\": \"${P_ARCHITECTURE}\",\n  \"interface\": ${P_INTERFACE},\n  \"torch_version\": \"${P_TORCH_VERSION}\",\n  \"cxx11_abi\": ${P_CXX11_ABI},\n  \"sdk_hash\": \"${P_SDK_HASH}\"\n}\n")
    add_library(${P_TARGET} MODULE ${P_SOURCES})
    set_target_properties(${P_TARGET} PROPERTIES AUTOMOC ON PREFIX "" LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIRECTORY})
    target_include_directories(${P_TARGET} PRIVATE ${_meta} ${CMAKE_SOURCE_DIR}/plugins/sdk ${CMAKE_SOURCE_DIR}/plugins)
    target_compile_definitions(${P_TARGET} PRIVATE QT_NO_KEYWORDS EGMF_PLUGIN_IID="${P_IID}")
    target_link_libraries(${P_TARGET} PRIVATE Qt6::Core ${P_LIBS})
    egmf_warnings(${P_TARGET})
endfunction()
