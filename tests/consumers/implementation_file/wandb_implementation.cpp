// The one source file of the program that compiles wandb-imagemask's definitions.
#define WANDB_IMAGEMASK_IMPLEMENTATION
#include <wandb/wandb.hpp>
