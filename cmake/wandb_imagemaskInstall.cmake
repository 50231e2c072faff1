# What `cmake --install` puts where, in three components:
#   dev       the headers, the CMake package (find_package(wandb_imagemask)) and wandb_imagemask.pc;
#             architecture-independent, like the header-only library itself
#   compiled  the compiled form (when WANDB_IMAGEMASK_BUILD_COMPILED is ON): libwandb-imagemask.a,
#             its CMake targets below libdir (the package config finds them there) and
#             wandb_imagemask_compiled.pc; needs dev
#   tool      the wandb-imagemask command-line tool (when WANDB_IMAGEMASK_BUILD_TOOLS is ON)
# and the CPack settings that make one Debian package of each (`cpack -G DEB`).
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

# Header-only: the CMake package goes below datadir, as nlohmann_json's does (find_package
# searches <prefix>/share/cmake/<name>/), and so does the pkg-config file.
set(WANDB_IMAGEMASK_CMAKE_DIR "${CMAKE_INSTALL_DATADIR}/cmake/wandb_imagemask")
set(WANDB_IMAGEMASK_PKGCONFIG_DIR "${CMAKE_INSTALL_DATADIR}/pkgconfig")

install(TARGETS wandb_imagemask EXPORT wandb_imagemaskTargets
  FILE_SET HEADERS DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT dev)
install(EXPORT wandb_imagemaskTargets NAMESPACE wandb:: DESTINATION "${WANDB_IMAGEMASK_CMAKE_DIR}"
  COMPONENT dev)
if(WANDB_IMAGEMASK_HAVE_LIBDEFLATE)
  set(WANDB_IMAGEMASK_USE_LIBDEFLATE_INSTALLED ON)
else()
  set(WANDB_IMAGEMASK_USE_LIBDEFLATE_INSTALLED OFF)
endif()
# The compiled form is architecture-specific: its targets live below libdir, where the package
# config (architecture-independent) looks for them.
set(WANDB_IMAGEMASK_COMPILED_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/wandb_imagemask")
if(TARGET wandb_imagemask_compiled)
  install(TARGETS wandb_imagemask_compiled EXPORT wandb_imagemaskCompiledTargets
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT compiled)
  install(EXPORT wandb_imagemaskCompiledTargets NAMESPACE wandb::
    DESTINATION "${WANDB_IMAGEMASK_COMPILED_CMAKE_DIR}" COMPONENT compiled)
endif()
configure_package_config_file(cmake/wandb_imagemaskConfig.cmake.in
  "${PROJECT_BINARY_DIR}/wandb_imagemaskConfig.cmake"
  INSTALL_DESTINATION "${WANDB_IMAGEMASK_CMAKE_DIR}"
  PATH_VARS WANDB_IMAGEMASK_COMPILED_CMAKE_DIR)
write_basic_package_version_file("${PROJECT_BINARY_DIR}/wandb_imagemaskConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES
  "${PROJECT_BINARY_DIR}/wandb_imagemaskConfig.cmake"
  "${PROJECT_BINARY_DIR}/wandb_imagemaskConfigVersion.cmake"
  cmake/wandb_imagemaskDependencies.cmake
  DESTINATION "${WANDB_IMAGEMASK_CMAKE_DIR}" COMPONENT dev)
install(FILES LICENSE DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/wandb-imagemask" RENAME copyright
  COMPONENT dev)

# Installs <name>.pc for a form of the library, from the dependencies' pkg-config view
# (WANDB_IMAGEMASK_PC_* of wandb_imagemaskDependencies.cmake) plus `REQUIRES` and `LIBS` of its
# own. Its prefix is the install's own (`cmake --install --prefix`, CPack's /usr), so the file is
# configured in two steps: now, then at install time straight into its destination.
function(wandb_imagemask_install_pkgconfig name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "DIR;COMPONENT" "REQUIRES;CFLAGS;LIBS")
  if(NOT arg_DIR)
    set(arg_DIR "${WANDB_IMAGEMASK_PKGCONFIG_DIR}")
  endif()
  if(NOT arg_COMPONENT)
    set(arg_COMPONENT dev)
  endif()
  set(WANDB_IMAGEMASK_PC_NAME "${name}")
  set(WANDB_IMAGEMASK_PC_PREFIX "@CMAKE_INSTALL_PREFIX@")  # filled in at install time
  set(requires ${WANDB_IMAGEMASK_PC_REQUIRES} ${arg_REQUIRES})
  list(JOIN requires ", " WANDB_IMAGEMASK_PC_REQUIRES_TEXT)
  list(JOIN WANDB_IMAGEMASK_PC_CFLAGS " " WANDB_IMAGEMASK_PC_CFLAGS_TEXT)
  list(PREPEND arg_CFLAGS ${WANDB_IMAGEMASK_PC_CFLAGS})
  list(JOIN arg_CFLAGS " " WANDB_IMAGEMASK_PC_CFLAGS_TEXT)
  set(libs ${arg_LIBS} ${WANDB_IMAGEMASK_PC_LIBS})
  list(JOIN libs " " WANDB_IMAGEMASK_PC_LIBS_TEXT)
  set(template "${PROJECT_BINARY_DIR}/pkgconfig/${name}.pc.in")
  configure_file("${PROJECT_SOURCE_DIR}/cmake/wandb_imagemask.pc.in" "${template}" @ONLY)
  set(file "${arg_DIR}/${name}.pc")
  install(CODE "
    set(wandb_pc \"\${CMAKE_INSTALL_PREFIX}/${file}\")
    message(STATUS \"Installing: \$ENV{DESTDIR}\${wandb_pc}\")
    configure_file(\"${template}\" \"\$ENV{DESTDIR}\${wandb_pc}\" @ONLY)
    list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${wandb_pc}\")" COMPONENT ${arg_COMPONENT})
endfunction()

wandb_imagemask_install_pkgconfig(wandb_imagemask REQUIRES ${WANDB_IMAGEMASK_PC_LIBSTB_REQUIRES})
if(TARGET wandb_imagemask_compiled)  # stb is inside the library: no libstb
  wandb_imagemask_install_pkgconfig(wandb_imagemask_compiled DIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
    COMPONENT compiled CFLAGS -DWANDB_IMAGEMASK_HEADER_ONLY=0 LIBS "-L\${prefix}/${CMAKE_INSTALL_LIBDIR}" -lwandb-imagemask)
endif()

# Debian packages, one per component, named <package>_<version>_<architecture>.deb:
#   wandb-imagemask       (dev, Architecture: all) depends on the -dev packages of the dependencies
#   wandb-imagemask-compiled  (compiled, this machine's architecture) depends on wandb-imagemask
#                         of the same version
#   wandb-imagemask-tool  (tool, this machine's architecture) depends on what dpkg-shlibdeps finds
if(PROJECT_IS_TOP_LEVEL)
  set(CPACK_PACKAGE_NAME wandb-imagemask)
  set(CPACK_PACKAGE_VENDOR wandb-imagemask)
  set(CPACK_PACKAGE_CONTACT "wandb-imagemask developers <dev@wandb-imagemask>")
  # CPack's own default summary, so that it prepends nothing: each package's description below
  # gives its synopsis (first line) and its long description.
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
  set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
  set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
  set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
  set(CPACK_DEB_COMPONENT_INSTALL ON)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_COMPONENTS_ALL dev)
  set(CPACK_DEBIAN_DEV_PACKAGE_NAME wandb-imagemask)
  set(CPACK_DEBIAN_DEV_PACKAGE_ARCHITECTURE all)
  set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
  set(CPACK_COMPONENT_DEV_DESCRIPTION "${PROJECT_DESCRIPTION}
A header-only C++17 library that writes segmentation masks, images, bounding
boxes and tables as the Python SDK does, into offline runs that `wandb sync`
uploads. The headers, the CMake package (find_package(wandb_imagemask)) and
the pkg-config file (wandb_imagemask).")
  # The -dev packages of what the installed package config re-finds.
  set(depends "libxtensor-dev" "nlohmann-json3-dev (>= 3.9)" "libstb-dev")
  if(WANDB_IMAGEMASK_HAVE_LIBDEFLATE)
    list(APPEND depends "libdeflate-dev")
  endif()
  list(JOIN depends ", " CPACK_DEBIAN_DEV_PACKAGE_DEPENDS)
  if(TARGET wandb_imagemask_compiled)
    list(APPEND CPACK_COMPONENTS_ALL compiled)
    set(CPACK_DEBIAN_COMPILED_PACKAGE_NAME wandb-imagemask-compiled)
    set(CPACK_DEBIAN_COMPILED_PACKAGE_SECTION libdevel)
    set(CPACK_DEBIAN_COMPILED_PACKAGE_DEPENDS "wandb-imagemask (= ${PROJECT_VERSION})")
    set(CPACK_COMPONENT_COMPILED_DESCRIPTION "wandb-imagemask compiled once, as a static library
The compiled form of the wandb-imagemask library: libwandb-imagemask.a, its
CMake target wandb::imagemask_compiled and the pkg-config file
wandb_imagemask_compiled. A program built with WANDB_IMAGEMASK_HEADER_ONLY=0
links it instead of compiling the library in every source file.")
    install(FILES LICENSE DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/wandb-imagemask-compiled"
      RENAME copyright COMPONENT compiled)
  endif()
  if(TARGET wandb-imagemask)
    list(APPEND CPACK_COMPONENTS_ALL tool)
    set(CPACK_DEBIAN_TOOL_PACKAGE_NAME wandb-imagemask-tool)
    set(CPACK_DEBIAN_TOOL_PACKAGE_SECTION utils)
    set(CPACK_DEBIAN_TOOL_PACKAGE_SHLIBDEPS ON)
    set(CPACK_COMPONENT_TOOL_DESCRIPTION "Verify, inspect, relocate, sync and view offline W&B runs
The wandb-imagemask command-line tool, for offline runs written by the
wandb-imagemask C++ library or by W&B's Python SDK.")
    install(FILES LICENSE DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/wandb-imagemask-tool"
      RENAME copyright COMPONENT tool)
  endif()
  include(CPack)
endif()
