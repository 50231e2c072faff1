# The adapters' part of the installed package config, included by wandb_imagemaskConfig.cmake.
# An installed adapter's target (wandb::imagemask_opencv, _torch, _eigen) is defined when its
# library is found, and its library is looked for only when needed:
# - asked for as a component, `find_package(wandb_imagemask REQUIRED COMPONENTS torch)`: looked
#   for here; not found, the package is not found either (check_required_components);
# - not asked for: defined only if the project has already found that library (OpenCV's
#   opencv_core, LibTorch's torch or Eigen3::Eigen exists), never looked for.
# Out: wandb_imagemask_<adapter>_FOUND.
include("${CMAKE_CURRENT_LIST_DIR}/wandb_imagemaskAdapterDependencies.cmake")
foreach(_wandb_imagemask_adapter opencv torch eigen)
  set(wandb_imagemask_${_wandb_imagemask_adapter}_FOUND FALSE)
  set(_wandb_imagemask_file "${CMAKE_CURRENT_LIST_DIR}/wandb_imagemask_${_wandb_imagemask_adapter}Targets.cmake")
  if(NOT EXISTS "${_wandb_imagemask_file}")
    continue()  # the library was not found when this package was built
  endif()
  set(_wandb_imagemask_present FALSE)
  if(_wandb_imagemask_adapter STREQUAL "opencv" AND (TARGET opencv_core OR TARGET wandb_imagemask::opencv_core))
    set(_wandb_imagemask_present TRUE)
  elseif(_wandb_imagemask_adapter STREQUAL "torch" AND TARGET torch)
    set(_wandb_imagemask_present TRUE)
  elseif(_wandb_imagemask_adapter STREQUAL "eigen" AND TARGET Eigen3::Eigen)
    set(_wandb_imagemask_present TRUE)
  endif()
  if(_wandb_imagemask_present OR _wandb_imagemask_adapter IN_LIST wandb_imagemask_FIND_COMPONENTS)
    wandb_imagemask_find_adapter_dependency(${_wandb_imagemask_adapter} QUIET)
    string(TOUPPER "${_wandb_imagemask_adapter}" _wandb_imagemask_upper)
    if(WANDB_IMAGEMASK_${_wandb_imagemask_upper}_DEPENDENCY)
      if(NOT TARGET wandb::imagemask_${_wandb_imagemask_adapter})
        include("${_wandb_imagemask_file}")
      endif()
      set(wandb_imagemask_${_wandb_imagemask_adapter}_FOUND TRUE)
    endif()
  endif()
endforeach()
