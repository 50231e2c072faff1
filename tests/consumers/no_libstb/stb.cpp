// The one source file of the program that compiles stb's implementation.
#include <wandb/stb_implementation.hpp>
