# Builds and runs one consumer project. Invoked by CTest as
#   cmake -DKIND=add_subdirectory|find_package -DSOURCE_DIR=... -DBUILD_DIR=... -DWORK_DIR=... -DCXX=... -P run_consumer.cmake
cmake_minimum_required(VERSION 3.16)
file(REMOVE_RECURSE "${WORK_DIR}")
set(extra "")
if(KIND MATCHES "^find_package")
  execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix"
                  RESULT_VARIABLE rc OUTPUT_QUIET)
  if(rc)
    message(FATAL_ERROR "cmake --install failed: ${rc}")
  endif()
  set(extra "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -S "${SOURCE_DIR}/tests/consumers/${KIND}" -B "${WORK_DIR}/build"
                        "-DCMAKE_CXX_COMPILER=${CXX}" "-DWANDB_IMAGEMASK_SOURCE_DIR=${SOURCE_DIR}" ${extra}
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "configuring the ${KIND} consumer failed: ${rc}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${WORK_DIR}/build" RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "building the ${KIND} consumer failed: ${rc}")
endif()
execute_process(COMMAND "${WORK_DIR}/build/consumer" RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "the ${KIND} consumer failed: ${rc}")
endif()
