# Finds the dependencies of the wandb_imagemask target. Included by the project itself and by the
# installed package config, so an installed library re-finds exactly what the build used.
#
# In:  WANDB_IMAGEMASK_USE_LIBDEFLATE  AUTO (default), ON or OFF
#      WANDB_IMAGEMASK_LINK_STB        ON (default): link Debian's libstb; OFF: you compile stb into
#                                      one translation unit yourself (see include/wandb/detail/stb.hpp)
# Out: targets xtensor, nlohmann_json::nlohmann_json, Threads::Threads, wandb_imagemask::stb,
#      and wandb_imagemask::libdeflate when libdeflate is used; WANDB_IMAGEMASK_HAVE_LIBDEFLATE.

include_guard(GLOBAL)
include(CMakeFindDependencyMacro)

find_dependency(xtensor)
find_dependency(nlohmann_json 3.9)
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_dependency(Threads)

if(NOT DEFINED WANDB_IMAGEMASK_LINK_STB)
  set(WANDB_IMAGEMASK_LINK_STB ON)
endif()
if(NOT TARGET wandb_imagemask::stb)
  find_path(WANDB_IMAGEMASK_STB_INCLUDE_DIR NAMES stb/stb_image.h stb_image.h
            DOC "Directory holding stb/stb_image.h (Debian: libstb-dev)")
  if(NOT WANDB_IMAGEMASK_STB_INCLUDE_DIR)
    message(FATAL_ERROR "wandb_imagemask: stb_image.h not found; install libstb-dev "
                        "(apt-get install libstb-dev) or set WANDB_IMAGEMASK_STB_INCLUDE_DIR")
  endif()
  add_library(wandb_imagemask::stb INTERFACE IMPORTED)
  set_target_properties(wandb_imagemask::stb PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${WANDB_IMAGEMASK_STB_INCLUDE_DIR}")
  if(WANDB_IMAGEMASK_LINK_STB)
    find_library(WANDB_IMAGEMASK_STB_LIBRARY NAMES stb DOC "Debian's libstb.so")
    if(NOT WANDB_IMAGEMASK_STB_LIBRARY)
      message(FATAL_ERROR "wandb_imagemask: libstb not found; install libstb-dev, or set "
                          "WANDB_IMAGEMASK_LINK_STB=OFF and compile stb into one of your sources")
    endif()
    set_property(TARGET wandb_imagemask::stb PROPERTY
      INTERFACE_LINK_LIBRARIES "${WANDB_IMAGEMASK_STB_LIBRARY}")
  endif()
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
