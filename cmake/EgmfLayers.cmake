# The rules of the house (ARCHITECTURE.md) that CMake can check, at configure time:
#   1. the engine's libraries form layers: a library links only libraries of its own layer or lower;
#   2. the engine links no Qt;
#   3. ui/, app/ and plugins/ see the engine's public API only: no target of theirs has src/ or a
#      third-party include folder of the engine (LibTorch, OpenCV) among the include folders its
#      links bring, and the Studio and the plugins do not link the benchmarks;
#   4. their sources include no LibTorch, FFmpeg or OpenCV header and no engine header outside
#      engine/include (Debian puts FFmpeg's and part of LibTorch's headers in /usr/include, where
#      no include folder check can see them, so this one reads the #include lines).

set(EGMF_LAYERS
    "egmf_core"
    "egmf_media egmf_tokenizer egmf_checkpoint egmf_data egmf_eval egmf_bundle egmf_proto egmf_remote egmf_cluster"
    "egmf_features egmf_clip_features egmf_model egmf_demo egmf_rendezvous"
    "egmf_loading"
    "egmf_runtime"
    "egmf_train"
    "egmf_bench")

# The include folders `target` sees through its links (LINK_ONLY dependencies bring none).
function(_egmf_visible_includes target out)
    set(seen "")
    set(dirs "")
    get_target_property(pending ${target} LINK_LIBRARIES)
    while(pending)
        list(POP_FRONT pending item)
        if(NOT item OR item MATCHES "^\\$<LINK_ONLY:" OR item IN_LIST seen OR NOT TARGET ${item})
            continue()
        endif()
        list(APPEND seen ${item})
        get_target_property(item_dirs ${item} INTERFACE_INCLUDE_DIRECTORIES)
        if(item_dirs)
            list(APPEND dirs ${item_dirs})
        endif()
        get_target_property(item_links ${item} INTERFACE_LINK_LIBRARIES)
        if(item_links)
            list(APPEND pending ${item_links})
        endif()
    endwhile()
    set(${out} ${dirs} PARENT_SCOPE)
    set(${out}_targets ${seen} PARENT_SCOPE)
endfunction()

function(egmf_check_layers)
    # 1 and 2.
    set(level 0)
    foreach(layer IN LISTS EGMF_LAYERS)
        string(REPLACE " " ";" names "${layer}")
        foreach(name IN LISTS names)
            set(_level_${name} ${level})
        endforeach()
        math(EXPR level "${level} + 1")
    endforeach()
    foreach(layer IN LISTS EGMF_LAYERS)
        string(REPLACE " " ";" names "${layer}")
        foreach(name IN LISTS names)
            if(NOT TARGET ${name})
                continue()
            endif()
            get_target_property(links ${name} LINK_LIBRARIES)
            foreach(link IN LISTS links)
                if(link MATCHES "Qt[56]?::|^Qt[56]")
                    message(FATAL_ERROR "${name} links ${link}: the engine must not depend on Qt")
                endif()
                if(DEFINED _level_${link} AND _level_${link} GREATER _level_${name})
                    message(FATAL_ERROR "${name} links ${link}, a library of a higher layer (engine/CMakeLists.txt "
                                        "lists the layers): move the code it needs down, or this code up")
                endif()
            endforeach()
        endforeach()
    endforeach()

    # 3.
    set(forbidden ${CMAKE_SOURCE_DIR}/engine/src ${OpenCV_INCLUDE_DIRS})
    foreach(dir IN LISTS TORCH_INCLUDE_DIRS)
        # /usr/include (Debian's LibTorch) is every compiler's own folder: rule 4 covers it.
        if(NOT dir IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
            list(APPEND forbidden ${dir})
        endif()
    endforeach()
    get_property(plugins GLOBAL PROPERTY EGMF_PLUGIN_TARGETS)
    set(above egmf_ui egmf_studio_window egmf-studio egmf egmf_plugin_host ${plugins})
    foreach(target IN LISTS above)
        if(NOT TARGET ${target})
            continue()
        endif()
        _egmf_visible_includes(${target} dirs)
        foreach(dir IN LISTS dirs)
            if(dir IN_LIST forbidden)
                message(FATAL_ERROR "${target} sees ${dir} through its links: ui/, app/ and plugins/ may see "
                                    "the engine's public API (engine/include) only")
            endif()
        endforeach()
        if(NOT target STREQUAL "egmf" AND "egmf_bench" IN_LIST dirs_targets)
            message(FATAL_ERROR "${target} links egmf_bench: the benchmarks are for the `egmf bench` command only")
        endif()
    endforeach()

    # 4.
    file(GLOB_RECURSE sources ${CMAKE_SOURCE_DIR}/ui/*.h ${CMAKE_SOURCE_DIR}/ui/*.cpp ${CMAKE_SOURCE_DIR}/app/*.h
        ${CMAKE_SOURCE_DIR}/app/*.cpp ${CMAKE_SOURCE_DIR}/plugins/*.h ${CMAKE_SOURCE_DIR}/plugins/*.cpp)
    file(GLOB engine_folders LIST_DIRECTORIES true RELATIVE ${CMAKE_SOURCE_DIR}/engine/src ${CMAKE_SOURCE_DIR}/engine/src/*)
    list(FILTER engine_folders EXCLUDE REGEX "\\.")
    list(JOIN engine_folders "|" internal)
    foreach(source IN LISTS sources)
        file(STRINGS ${source} includes REGEX "^[ \t]*#[ \t]*include")
        foreach(line IN LISTS includes)
            if(line MATCHES "<(torch|ATen|c10|libav[a-z]*|libsw[a-z]*|opencv2)/" OR line MATCHES "\"(${internal})/")
                file(RELATIVE_PATH where ${CMAKE_SOURCE_DIR} ${source})
                message(FATAL_ERROR "${where}: ${line}: ui/, app/ and plugins/ include the engine's public API "
                                    "(engine/include/egmf) only, never LibTorch, FFmpeg, OpenCV or engine/src")
            endif()
        endforeach()
    endforeach()
endfunction()
