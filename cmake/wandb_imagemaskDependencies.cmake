# Finds the dependencies of the wandb_imagemask targets. Included by the project itself and by the
# installed package config, so an installed library re-finds exactly what the build used.
#
# In:  WANDB_IMAGEMASK_USE_LIBDEFLATE  AUTO (default), ON or OFF
#      WANDB_IMAGEMASK_LINK_STB        ON (default): link Debian's libstb; OFF: you compile stb into
#                                      one source file (#include <wandb/stb_implementation.hpp>)
# Out: targets xtensor, nlohmann_json::nlohmann_json, Threads::Threads, wandb_imagemask::stb (stb's
#      headers), wandb_imagemask::libstb (Debian's libstb.so, only when WANDB_IMAGEMASK_LINK_STB),
#      wandb_imagemask::libdeflate (only when libdeflate is used); WANDB_IMAGEMASK_HAVE_LIBDEFLATE;
#      WANDB_IMAGEMASK_USAGE_LIBRARIES: what every form of the library links (all of the above
#      but libstb, which only the header-only form links);
#      WANDB_IMAGEMASK_PC_REQUIRES, WANDB_IMAGEMASK_PC_CFLAGS, WANDB_IMAGEMASK_PC_LIBS: the same
#      dependencies as pkg-config sees them (Debian's module names), libstb excluded, and
#      WANDB_IMAGEMASK_PC_LIBSTB_REQUIRES for libstb.

include_guard(GLOBAL)
include(CMakeFindDependencyMacro)

find_dependency(xtensor)
find_dependency(nlohmann_json 3.9)
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_dependency(Threads)
# ${CMAKE_DL_LIBS}: NVML, for GPU metrics, is loaded at run time with dlopen when present.
set(WANDB_IMAGEMASK_USAGE_LIBRARIES xtensor nlohmann_json::nlohmann_json Threads::Threads ${CMAKE_DL_LIBS} wandb_imagemask::stb)
set(WANDB_IMAGEMASK_PC_REQUIRES "xtensor" "nlohmann_json >= 3.9")
set(WANDB_IMAGEMASK_PC_CFLAGS "-pthread")
set(WANDB_IMAGEMASK_PC_LIBS "-pthread")
if(CMAKE_DL_LIBS)
  list(APPEND WANDB_IMAGEMASK_PC_LIBS "-l${CMAKE_DL_LIBS}")
endif()

if(NOT DEFINED WANDB_IMAGEMASK_LINK_STB)
  set(WANDB_IMAGEMASK_LINK_STB ON)
endif()
if(NOT TARGET wandb_imagemask::stb)
  find_path(WANDB_IMAGEMASK_STB_INCLUDE_DIR NAMES stb/stb_image.h stb_image.h
            DOC "Directory holding stb/stb_image.h or stb_image.h (Debian: libstb-dev)")
  if(NOT WANDB_IMAGEMASK_STB_INCLUDE_DIR)
    message(FATAL_ERROR "wandb_imagemask: stb_image.h not found; install libstb-dev "
                        "(apt-get install libstb-dev) or set WANDB_IMAGEMASK_STB_INCLUDE_DIR")
  endif()
  add_library(wandb_imagemask::stb INTERFACE IMPORTED)
  set_target_properties(wandb_imagemask::stb PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${WANDB_IMAGEMASK_STB_INCLUDE_DIR}")
endif()
set(WANDB_IMAGEMASK_PC_LIBSTB_REQUIRES "")
if(WANDB_IMAGEMASK_LINK_STB)
  # Debian's stb.pc gives both its include directory and -lstb.
  set(WANDB_IMAGEMASK_PC_LIBSTB_REQUIRES "stb")
  if(NOT TARGET wandb_imagemask::libstb)
    find_library(WANDB_IMAGEMASK_STB_LIBRARY NAMES stb DOC "Debian's libstb.so")
    if(NOT WANDB_IMAGEMASK_STB_LIBRARY)
      message(FATAL_ERROR "wandb_imagemask: libstb not found; install libstb-dev, or set "
                          "WANDB_IMAGEMASK_LINK_STB=OFF and #include <wandb/stb_implementation.hpp> "
                          "in one of your source files")
    endif()
    add_library(wandb_imagemask::libstb INTERFACE IMPORTED)
    set_target_properties(wandb_imagemask::libstb PROPERTIES
      INTERFACE_LINK_LIBRARIES "${WANDB_IMAGEMASK_STB_LIBRARY}")
  endif()
elseif(NOT WANDB_IMAGEMASK_STB_INCLUDE_DIR IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
  # No stb.pc to require (it would add -lstb): stb's directory goes into Cflags, unless the
  # compiler searches it anyway (pkg-config users must not get -I/usr/include).
  list(APPEND WANDB_IMAGEMASK_PC_CFLAGS "-I${WANDB_IMAGEMASK_STB_INCLUDE_DIR}")
endif()

if(NOT DEFINED WANDB_IMAGEMASK_USE_LIBDEFLATE)
  set(WANDB_IMAGEMASK_USE_LIBDEFLATE AUTO)
endif()
set(WANDB_IMAGEMASK_HAVE_LIBDEFLATE OFF)
if(NOT WANDB_IMAGEMASK_USE_LIBDEFLATE STREQUAL "OFF")
  if(NOT TARGET wandb_imagemask::libdeflate)
    find_path(WANDB_IMAGEMASK_LIBDEFLATE_INCLUDE_DIR NAMES libdeflate.h)
    find_library(WANDB_IMAGEMASK_LIBDEFLATE_LIBRARY NAMES deflate libdeflate)
    if(WANDB_IMAGEMASK_LIBDEFLATE_INCLUDE_DIR AND WANDB_IMAGEMASK_LIBDEFLATE_LIBRARY)
      add_library(wandb_imagemask::libdeflate INTERFACE IMPORTED)
      set_target_properties(wandb_imagemask::libdeflate PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES "${WANDB_IMAGEMASK_LIBDEFLATE_INCLUDE_DIR}"
        INTERFACE_LINK_LIBRARIES "${WANDB_IMAGEMASK_LIBDEFLATE_LIBRARY}"
        INTERFACE_COMPILE_DEFINITIONS WANDB_IMAGEMASK_HAVE_LIBDEFLATE=1)
    endif()
  endif()
  if(TARGET wandb_imagemask::libdeflate)
    set(WANDB_IMAGEMASK_HAVE_LIBDEFLATE ON)
  elseif(WANDB_IMAGEMASK_USE_LIBDEFLATE STREQUAL "ON")
    message(FATAL_ERROR "wandb_imagemask: WANDB_IMAGEMASK_USE_LIBDEFLATE=ON but libdeflate was "
                        "not found; install libdeflate-dev")
  endif()
endif()
# Evaluated where the target is used: an installed package follows the consumer's own choice.
list(APPEND WANDB_IMAGEMASK_USAGE_LIBRARIES $<TARGET_NAME_IF_EXISTS:wandb_imagemask::libdeflate>)
if(WANDB_IMAGEMASK_HAVE_LIBDEFLATE)
  list(APPEND WANDB_IMAGEMASK_PC_REQUIRES "libdeflate")
  list(APPEND WANDB_IMAGEMASK_PC_CFLAGS "-DWANDB_IMAGEMASK_HAVE_LIBDEFLATE=1")
endif()
