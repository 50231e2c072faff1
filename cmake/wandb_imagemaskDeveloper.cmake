# Settings for this project's own tests, examples and benchmarks; never applied to users' targets.
include_guard(GLOBAL)

add_library(wandb_imagemask_developer INTERFACE)
target_link_libraries(wandb_imagemask_developer INTERFACE wandb::imagemask)
target_compile_options(wandb_imagemask_developer INTERFACE -Wall -Wextra -Wpedantic -Wshadow)
if(WANDB_IMAGEMASK_WERROR)
  target_compile_options(wandb_imagemask_developer INTERFACE -Werror)
endif()
if(WANDB_IMAGEMASK_SANITIZE)
  target_compile_options(wandb_imagemask_developer INTERFACE
    -fsanitize=${WANDB_IMAGEMASK_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(wandb_imagemask_developer INTERFACE -fsanitize=${WANDB_IMAGEMASK_SANITIZE})
endif()
