# The optional adapters, each a header outside <wandb/wandb.hpp> with an INTERFACE target of its
# own, so a user of one never needs the others:
#   <wandb/opencv.hpp>  wandb::imagemask_opencv  OpenCV's core module (Debian: libopencv-core-dev)
#   <wandb/torch.hpp>   wandb::imagemask_torch   LibTorch (Debian: libtorch-dev)
#   <wandb/eigen.hpp>   wandb::imagemask_eigen   Eigen 3.3+ (Debian: libeigen3-dev)
# Included by the top-level CMakeLists.txt after the wandb_imagemask target.
#
# In:  WANDB_IMAGEMASK_OPENCV, WANDB_IMAGEMASK_TORCH, WANDB_IMAGEMASK_EIGEN: AUTO (default: the
#      adapter exists when its library is found, else a message says it is skipped), ON (the
#      library is required), OFF (not looked for).
#      WANDB_IMAGEMASK_BUILD_ADAPTER_TESTS (default: WANDB_IMAGEMASK_BUILD_TESTS): the adapters'
#      tests, their two examples with their checkers, and their benchmark, in tests/adapters/.
# Out: the targets above for the adapters found; WANDB_IMAGEMASK_HAVE_OPENCV/_TORCH/_EIGEN.
include_guard(GLOBAL)

option(WANDB_IMAGEMASK_BUILD_ADAPTER_TESTS "Build the tests, examples and benchmark of the OpenCV, LibTorch and Eigen adapters found"
       ${WANDB_IMAGEMASK_BUILD_TESTS})
foreach(adapter OPENCV TORCH EIGEN)
  set(WANDB_IMAGEMASK_${adapter} AUTO CACHE STRING "The ${adapter} adapter: AUTO (when found), ON (required) or OFF")
  set_property(CACHE WANDB_IMAGEMASK_${adapter} PROPERTY STRINGS AUTO ON OFF)
  set(WANDB_IMAGEMASK_HAVE_${adapter} OFF)
endforeach()

include(wandb_imagemaskAdapterDependencies)

# One adapter's INTERFACE target: wandb_imagemask_<name>, exported as wandb::imagemask_<name>.
function(wandb_imagemask_add_adapter name)
  add_library(wandb_imagemask_${name} INTERFACE)
  add_library(wandb::imagemask_${name} ALIAS wandb_imagemask_${name})
  set_target_properties(wandb_imagemask_${name} PROPERTIES EXPORT_NAME imagemask_${name})
  target_link_libraries(wandb_imagemask_${name} INTERFACE wandb_imagemask ${ARGN})
endfunction()

foreach(adapter OPENCV TORCH EIGEN)
  string(TOLOWER "${adapter}" name)
  if(NOT WANDB_IMAGEMASK_${adapter} STREQUAL "OFF")
    if(WANDB_IMAGEMASK_${adapter} STREQUAL "ON")
      wandb_imagemask_find_adapter_dependency(${name} REQUIRED)
    else()
      wandb_imagemask_find_adapter_dependency(${name} QUIET)
    endif()
    if(WANDB_IMAGEMASK_${adapter}_DEPENDENCY)
      wandb_imagemask_add_adapter(${name} ${WANDB_IMAGEMASK_${adapter}_DEPENDENCY})
      set(WANDB_IMAGEMASK_HAVE_${adapter} ON)
    endif()
  endif()
endforeach()

set(_wandb_imagemask_adapter_packages OPENCV "OpenCV (libopencv-core-dev)" TORCH "LibTorch (libtorch-dev)"
    EIGEN "Eigen3 (libeigen3-dev)")
foreach(adapter OPENCV TORCH EIGEN)
  list(FIND _wandb_imagemask_adapter_packages ${adapter} index)
  math(EXPR index "${index} + 1")
  list(GET _wandb_imagemask_adapter_packages ${index} package)
  string(TOLOWER "${adapter}" name)
  if(WANDB_IMAGEMASK_HAVE_${adapter})
    message(STATUS "wandb_imagemask: <wandb/${name}.hpp> adapter: wandb::imagemask_${name}")
  elseif(WANDB_IMAGEMASK_${adapter} STREQUAL "OFF")
    message(STATUS "wandb_imagemask: <wandb/${name}.hpp> adapter off (WANDB_IMAGEMASK_${adapter}=OFF)")
  else()
    message(STATUS "wandb_imagemask: <wandb/${name}.hpp> adapter skipped, with its tests and example: "
                   "${package} not found")
  endif()
endforeach()

if(WANDB_IMAGEMASK_BUILD_ADAPTER_TESTS AND
   (WANDB_IMAGEMASK_HAVE_OPENCV OR WANDB_IMAGEMASK_HAVE_TORCH OR WANDB_IMAGEMASK_HAVE_EIGEN))
  include(wandb_imagemaskDeveloper)
  enable_testing()
  add_subdirectory(tests/adapters)
endif()

# Installed: the three headers always (a header needs nothing to be copied; a user may include one
# and link the library it needs by hand), and, for each adapter whose library was found here, an
# export file that the package config includes only when that library is found by the consumer
# (cmake/wandb_imagemaskAdaptersConfig.cmake). Beside the main package config, in the .deb's dev
# component with it.
if(WANDB_IMAGEMASK_INSTALL)
  set(_wandb_imagemask_adapter_cmake_dir "${CMAKE_INSTALL_DATADIR}/cmake/wandb_imagemask")
  install(FILES "${PROJECT_SOURCE_DIR}/include/wandb/opencv.hpp" "${PROJECT_SOURCE_DIR}/include/wandb/torch.hpp"
                "${PROJECT_SOURCE_DIR}/include/wandb/eigen.hpp"
          DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/wandb" COMPONENT dev)
  foreach(adapter OPENCV TORCH EIGEN)
    if(WANDB_IMAGEMASK_HAVE_${adapter})
      string(TOLOWER "${adapter}" name)
      install(TARGETS wandb_imagemask_${name} EXPORT wandb_imagemask_${name}Targets COMPONENT dev)
      install(EXPORT wandb_imagemask_${name}Targets NAMESPACE wandb::
              DESTINATION "${_wandb_imagemask_adapter_cmake_dir}" COMPONENT dev)
    endif()
  endforeach()
  install(FILES "${CMAKE_CURRENT_LIST_DIR}/wandb_imagemaskAdaptersConfig.cmake"
                "${CMAKE_CURRENT_LIST_DIR}/wandb_imagemaskAdapterDependencies.cmake"
          DESTINATION "${_wandb_imagemask_adapter_cmake_dir}" COMPONENT dev)
endif()
