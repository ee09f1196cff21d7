# Every external dependency is found here, once. Debian 12 packages (TOOLCHAIN.md); the setup
# script installs them. With EGMF_DEPS_DIR (scripts/stage-device-deps.sh) the header-only and
# source dependencies come from that folder instead: the GPU machine has no Debian -dev packages.
set(EGMF_DEPS_DIR "" CACHE PATH "Staged dependencies (nlohmann, CLI11, googletest) for the device build")

find_package(Threads REQUIRED)

if(EGMF_DEPS_DIR)
    add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
    target_include_directories(nlohmann_json::nlohmann_json INTERFACE ${EGMF_DEPS_DIR}/include)
    add_library(CLI11::CLI11 INTERFACE IMPORTED)
    target_include_directories(CLI11::CLI11 INTERFACE ${EGMF_DEPS_DIR}/include)
else()
    find_package(nlohmann_json 3 REQUIRED)
endif()

if(NOT EGMF_MODEL_ONLY)
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(FFMPEG REQUIRED IMPORTED_TARGET
        libavformat libavcodec libavutil libswscale libswresample libavfilter)
    pkg_check_modules(AUBIO REQUIRED IMPORTED_TARGET aubio)
    pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
    pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc)
    find_package(OpenCV 4 REQUIRED COMPONENTS core imgproc objdetect imgcodecs)
endif()

if(NOT EGMF_TORCH_FREE_ONLY)
    # Debian's LibTorch (CPU) by default; a CUDA LibTorch through CMAKE_PREFIX_PATH.
    find_package(Torch REQUIRED)
    # The LibTorch version and C++ ABI plugins are built against (their plugin.json), read from
    # the same macros the engine's build_info.cpp compiles in.
    find_file(_torch_version_h torch/version.h PATHS ${TORCH_INCLUDE_DIRS} NO_DEFAULT_PATH)
    file(STRINGS ${_torch_version_h} _torch_version_lines REGEX "#define TORCH_VERSION_(MAJOR|MINOR|PATCH)")
    foreach(_part MAJOR MINOR PATCH)
        string(REGEX MATCH "TORCH_VERSION_${_part} ([0-9]+)" _m "${_torch_version_lines}")
        set(_torch_${_part} ${CMAKE_MATCH_1})
    endforeach()
    set(EGMF_TORCH_VERSION "${_torch_MAJOR}.${_torch_MINOR}.${_torch_PATCH}")
    string(REGEX MATCH "_GLIBCXX_USE_CXX11_ABI=([01])" _abi "${TORCH_CXX_FLAGS}")
    set(EGMF_CXX11_ABI ${CMAKE_MATCH_1})
    if(EGMF_CXX11_ABI STREQUAL "")
        set(EGMF_CXX11_ABI 1)
    endif()
    if(NOT EGMF_DEPS_DIR)
        find_package(CLI11 REQUIRED)
    endif()
endif()

if(EGMF_BUILD_TESTS)
    if(EGMF_DEPS_DIR)
        set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
        add_subdirectory(${EGMF_DEPS_DIR}/googletest ${CMAKE_BINARY_DIR}/googletest EXCLUDE_FROM_ALL)
        foreach(_gtest gtest gtest_main gmock)
            if(NOT TARGET GTest::${_gtest})
                add_library(GTest::${_gtest} ALIAS ${_gtest})
            endif()
        endforeach()
    else()
        find_package(GTest REQUIRED)
    endif()
endif()
