# Finds the library of one optional adapter. Included by cmake/wandb_imagemaskAdapters.cmake (the
# build) and by the installed package config, so an installed adapter re-finds what the build used.
#
# wandb_imagemask_find_adapter_dependency(<opencv|torch|eigen> <REQUIRED|QUIET>)
#   sets WANDB_IMAGEMASK_<NAME>_DEPENDENCY to the target the adapter links, or to "" if not found:
#   opencv: wandb_imagemask::opencv_core (OpenCV's core module; wandb_imagemask::opencv_imgcodecs
#           too when that module is there); torch: torch (LibTorch's config); eigen: Eigen3::Eigen.
# OpenCV is looked for with its own config (find_package(OpenCV COMPONENTS core imgcodecs)), and
# else by its headers and libraries: Debian ships OpenCVConfig.cmake only in libopencv-dev, which
# pulls every module (viz, dnn, ... hundreds of packages); libopencv-core-dev and
# libopencv-imgcodecs-dev alone hold just the headers and libraries.
include_guard(GLOBAL)

function(_wandb_imagemask_opencv_module module)
  if(TARGET wandb_imagemask::opencv_${module})
    return()
  endif()
  if(TARGET opencv_${module})
    add_library(wandb_imagemask::opencv_${module} INTERFACE IMPORTED)
    set_target_properties(wandb_imagemask::opencv_${module} PROPERTIES INTERFACE_LINK_LIBRARIES opencv_${module})
    return()
  endif()
  find_path(WANDB_IMAGEMASK_OPENCV_INCLUDE_DIR NAMES opencv2/core.hpp PATH_SUFFIXES opencv4
            DOC "Directory holding opencv2/core.hpp (Debian: /usr/include/opencv4)")
  find_library(WANDB_IMAGEMASK_OPENCV_${module}_LIBRARY NAMES opencv_${module} DOC "OpenCV's ${module} module")
  if(WANDB_IMAGEMASK_OPENCV_INCLUDE_DIR AND WANDB_IMAGEMASK_OPENCV_${module}_LIBRARY AND
     EXISTS "${WANDB_IMAGEMASK_OPENCV_INCLUDE_DIR}/opencv2/${module}.hpp")
    add_library(wandb_imagemask::opencv_${module} INTERFACE IMPORTED)
    set_target_properties(wandb_imagemask::opencv_${module} PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES "${WANDB_IMAGEMASK_OPENCV_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES "${WANDB_IMAGEMASK_OPENCV_${module}_LIBRARY}")
  endif()
endfunction()

macro(wandb_imagemask_find_adapter_dependency name mode)
  string(TOUPPER "${name}" _wandb_imagemask_upper)
  set(WANDB_IMAGEMASK_${_wandb_imagemask_upper}_DEPENDENCY "")
  if("${name}" STREQUAL "opencv")
    if(NOT TARGET opencv_core AND NOT TARGET wandb_imagemask::opencv_core)
      find_package(OpenCV CONFIG QUIET COMPONENTS core OPTIONAL_COMPONENTS imgcodecs)
    endif()
    _wandb_imagemask_opencv_module(core)
    _wandb_imagemask_opencv_module(imgcodecs)
    if(TARGET wandb_imagemask::opencv_core)
      set(WANDB_IMAGEMASK_OPENCV_DEPENDENCY wandb_imagemask::opencv_core)
    endif()
  elseif("${name}" STREQUAL "torch")
    if(NOT TARGET torch)
      find_package(Torch QUIET)
    endif()
    if(TARGET torch)
      set(WANDB_IMAGEMASK_TORCH_DEPENDENCY torch)
    endif()
  elseif("${name}" STREQUAL "eigen")
    if(NOT TARGET Eigen3::Eigen)
      find_package(Eigen3 3.3 QUIET NO_MODULE)
    endif()
    if(TARGET Eigen3::Eigen)
      set(WANDB_IMAGEMASK_EIGEN_DEPENDENCY Eigen3::Eigen)
    endif()
  endif()
  if("${mode}" STREQUAL "REQUIRED" AND NOT WANDB_IMAGEMASK_${_wandb_imagemask_upper}_DEPENDENCY)
    message(FATAL_ERROR "wandb_imagemask: the ${name} adapter's library was not found "
                        "(Debian: libopencv-core-dev, libtorch-dev or libeigen3-dev)")
  endif()
endmacro()
