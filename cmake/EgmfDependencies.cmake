# Every external dependency is found here, once. Debian 12 packages (TOOLCHAIN.md); the setup
# script installs them.
find_package(nlohmann_json 3 REQUIRED)
find_package(Threads REQUIRED)

if(NOT EGMF_TORCH_FREE_ONLY)
    # Debian's LibTorch (CPU) by default; a CUDA LibTorch through CMAKE_PREFIX_PATH.
    find_package(Torch REQUIRED)
    if(NOT EGMF_MODEL_ONLY)
        find_package(CLI11 REQUIRED)
    endif()
endif()

if(EGMF_BUILD_TESTS)
    find_package(GTest REQUIRED)
endif()
