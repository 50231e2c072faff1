# Settings for this project's own tests, examples and benchmarks; never applied to users' targets.
include_guard(GLOBAL)

# WANDB_IMAGEMASK_COMPILED_TESTS: our tests, examples, benchmarks and tool are built in compiled
# mode, against wandb::imagemask_compiled (tests/run.sh builds every test in both modes).
option(WANDB_IMAGEMASK_COMPILED_TESTS "Build this project's own targets against wandb::imagemask_compiled" OFF)
if(WANDB_IMAGEMASK_COMPILED_TESTS AND NOT TARGET wandb_imagemask_compiled)
  message(FATAL_ERROR "WANDB_IMAGEMASK_COMPILED_TESTS needs WANDB_IMAGEMASK_BUILD_COMPILED=ON")
endif()

add_library(wandb_imagemask_developer INTERFACE)
if(WANDB_IMAGEMASK_COMPILED_TESTS)
  target_link_libraries(wandb_imagemask_developer INTERFACE wandb::imagemask_compiled)
else()
  target_link_libraries(wandb_imagemask_developer INTERFACE wandb::imagemask)
endif()
set(WANDB_IMAGEMASK_DEVELOPER_OPTIONS -Wall -Wextra -Wpedantic -Wshadow)
if(WANDB_IMAGEMASK_WERROR)
  list(APPEND WANDB_IMAGEMASK_DEVELOPER_OPTIONS -Werror)
endif()
if(WANDB_IMAGEMASK_SANITIZE)
  list(APPEND WANDB_IMAGEMASK_DEVELOPER_OPTIONS
    -fsanitize=${WANDB_IMAGEMASK_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(wandb_imagemask_developer INTERFACE -fsanitize=${WANDB_IMAGEMASK_SANITIZE})
endif()
target_compile_options(wandb_imagemask_developer INTERFACE ${WANDB_IMAGEMASK_DEVELOPER_OPTIONS})
# The tool and the tests' helper programs (a run in a process of its own, the log and report
# fixtures, the log follower): against the compiled library when there is one, so that it is
# compiled once, not in each of them; the tests themselves run in both modes (tests/run.sh).
function(wandb_imagemask_link_helper target)
  target_link_libraries(${target} PRIVATE wandb_imagemask_developer)
  if(TARGET wandb::imagemask_compiled)
    target_link_libraries(${target} PRIVATE wandb::imagemask_compiled)
  endif()
endfunction()

# The compiled library itself, in our own builds, gets the same warnings and sanitizers.
if(TARGET wandb_imagemask_compiled)
  target_compile_options(wandb_imagemask_compiled PRIVATE ${WANDB_IMAGEMASK_DEVELOPER_OPTIONS})
  # stb_image_write's JPEG writer shifts negative ints (stb_image_write.h, stbiw__jpg_writeBits),
  # which UBSan reports; header-only, stb comes from Debian's uninstrumented libstb.so. Every other
  # check (ASan, the rest of UBSan) still covers stb here.
  if(WANDB_IMAGEMASK_SANITIZE MATCHES "undefined")
    set_source_files_properties("${PROJECT_SOURCE_DIR}/src/stb.cpp" PROPERTIES COMPILE_OPTIONS -fno-sanitize=shift)
  endif()
endif()
