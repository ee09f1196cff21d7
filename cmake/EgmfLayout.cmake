# One layout for the build tree and the install tree, so the programs find their resources
# relative to their own location in both (engine/include/egmf/paths.h):
#   bin/{egmf,egmf-studio}   lib/egmf-studio/plugins/   share/egmf-studio/{models,checkpoints,reference,...}
include(GNUInstallDirs)
set(EGMF_BIN_DIR bin)
set(EGMF_PLUGIN_DIR lib/egmf-studio/plugins)
set(EGMF_SHARE_DIR share/egmf-studio)
set(CMAKE_RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/${EGMF_BIN_DIR})
set(CMAKE_LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)
set(CMAKE_ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)
set(CMAKE_INSTALL_RPATH "$ORIGIN/../lib")

# The build tree's share/egmf-studio links to the sources (no copies to go stale): every entry of
# resources/, and the Python reference implementation.
set(_share ${CMAKE_BINARY_DIR}/${EGMF_SHARE_DIR})
file(MAKE_DIRECTORY ${_share})
file(GLOB _resource_entries RELATIVE ${CMAKE_SOURCE_DIR}/resources ${CMAKE_SOURCE_DIR}/resources/*)
foreach(_entry IN LISTS _resource_entries)
    if(NOT EXISTS ${_share}/${_entry})
        file(CREATE_LINK ${CMAKE_SOURCE_DIR}/resources/${_entry} ${_share}/${_entry} SYMBOLIC)
    endif()
endforeach()
if(NOT EXISTS ${_share}/reference)
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/tools/reference ${_share}/reference SYMBOLIC)
endif()
