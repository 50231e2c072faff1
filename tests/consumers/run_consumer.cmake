# Builds and runs one consumer project (see CMakeLists.txt here). Invoked by CTest as
#   cmake -DKIND=<kind> -DSOURCE_DIR=<source tree> -DBUILD_DIR=<its build> -DWORK_DIR=<scratch>
#         -DPREFIX=<install prefix> -DCXX=<compiler> -P run_consumer.cmake
# KIND: install (the fixture: `cmake --install` of the dev and compiled components into PREFIX),
# add_subdirectory, fetchcontent, find_package, no_libstb, find_package_adapters,
# compiled_add_subdirectory, compiled_find_package, implementation_file (projects of those names
# here), pkg_config or compiled_pkg_config (no CMake: the compiler with `pkg-config --cflags
# --libs wandb_imagemask` or `wandb_imagemask_compiled` only).
# find_package_adapters installs every component into its own WORK_DIR/prefix first.
cmake_minimum_required(VERSION 3.24)

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer ${KIND}: ${what} failed (${rc}): ${ARGN}")
  endif()
endfunction()

if(KIND STREQUAL "install")
  file(REMOVE_RECURSE "${PREFIX}")
  run("cmake --install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" --component dev)
  run("cmake --install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" --component compiled)
  return()
endif()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
if(KIND STREQUAL "find_package_adapters")
  set(PREFIX "${WORK_DIR}/prefix")
  run("cmake --install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}")
endif()
set(consumers "${SOURCE_DIR}/tests/consumers")
set(consumer "${WORK_DIR}/build/consumer")

if(KIND MATCHES "pkg_config$")
  set(module wandb_imagemask)
  if(KIND STREQUAL "compiled_pkg_config")
    set(module wandb_imagemask_compiled)
  endif()
  file(GLOB libdir_pc LIST_DIRECTORIES true "${PREFIX}/lib*/pkgconfig" "${PREFIX}/lib/*/pkgconfig")
  list(JOIN libdir_pc ":" libdir_pc)
  set(ENV{PKG_CONFIG_PATH} "${PREFIX}/share/pkgconfig:${libdir_pc}")
  execute_process(COMMAND pkg-config --cflags --libs ${module}
                  OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer ${KIND}: pkg-config --cflags --libs ${module} failed (${rc})")
  endif()
  message(STATUS "pkg-config --cflags --libs ${module}: ${flags}")
  separate_arguments(flags UNIX_COMMAND "${flags}")
  file(MAKE_DIRECTORY "${WORK_DIR}/build")
  # -std=c++17: g++ 12's default, not clang 14's; pkg-config leaves the language level to the user.
  run("compiling" "${CXX}" -std=c++17 "${consumers}/consumer.cpp" ${flags} -o "${consumer}")
else()
  set(configure_args "-DCMAKE_CXX_COMPILER=${CXX}")
  if(KIND MATCHES "add_subdirectory$")
    list(APPEND configure_args "-DWANDB_IMAGEMASK_SOURCE_DIR=${SOURCE_DIR}")
  elseif(KIND STREQUAL "fetchcontent")
    # A source tarball as a release would be, of everything but version control and build trees.
    file(GLOB entries RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/*")
    cmake_path(RELATIVE_PATH BUILD_DIR BASE_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE build_in_source)
    string(REGEX REPLACE "/.*" "" build_in_source "${build_in_source}")
    list(FILTER entries EXCLUDE REGEX "^(\\.git|build.*|out)$")
    list(REMOVE_ITEM entries "${build_in_source}")
    set(tarball "${WORK_DIR}/wandb-imagemask.tar.gz")
    run("making the source tarball" "${CMAKE_COMMAND}" -E chdir "${SOURCE_DIR}"
        "${CMAKE_COMMAND}" -E tar czf "${tarball}" ${entries})
    file(SHA256 "${tarball}" sha256)
    list(APPEND configure_args "-DWANDB_IMAGEMASK_URL=file://${tarball}" "-DWANDB_IMAGEMASK_SHA256=${sha256}")
  else()  # find_package, no_libstb, find_package_adapters, compiled_find_package, implementation_file
    list(APPEND configure_args "-DCMAKE_PREFIX_PATH=${PREFIX}")
  endif()
  run("configuring" "${CMAKE_COMMAND}" -S "${consumers}/${KIND}" -B "${WORK_DIR}/build" ${configure_args})
  run("building" "${CMAKE_COMMAND}" --build "${WORK_DIR}/build")
endif()

if(KIND STREQUAL "add_subdirectory" OR KIND STREQUAL "fetchcontent")
  # A vendored header-only use builds no library: the compiled form is built only when linked.
  file(GLOB_RECURSE archives "${WORK_DIR}/build/*.a")
  if(archives)
    message(FATAL_ERROR "consumer ${KIND}: building the project built ${archives}, which it does not link")
  endif()
endif()
if(KIND STREQUAL "no_libstb" OR KIND MATCHES "^compiled_")
  # stb came from stb.cpp or the compiled library: the program must not need Debian's libstb.so.
  execute_process(COMMAND readelf -d "${consumer}" OUTPUT_VARIABLE dynamic RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR dynamic MATCHES "libstb")
    message(FATAL_ERROR "consumer no_libstb: the program links libstb (or readelf failed: ${rc}):\n${dynamic}")
  endif()
endif()
run("running the program" "${consumer}")
