# ccache that survives a fresh clone: CI clones into a new folder every run, so the cache key must
# not contain the absolute source path (CCACHE_BASEDIR makes paths relative, CCACHE_NOHASHDIR drops
# the working directory from the hash). Passing them through the launcher means every build of this
# tree gets them, whoever starts ninja.
find_program(EGMF_CCACHE ccache)
if(EGMF_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    set(CMAKE_CXX_COMPILER_LAUNCHER
        ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${CMAKE_SOURCE_DIR} CCACHE_NOHASHDIR=1
        CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
        ${EGMF_CCACHE})
    message(STATUS "ccache: ${EGMF_CCACHE} (base dir ${CMAKE_SOURCE_DIR})")
endif()
