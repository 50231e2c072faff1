// SPDX-License-Identifier: MIT
// stb's implementation, in the compiled library (wandb::imagemask_compiled), so that programs
// linking it need no libstb.so.
#include <wandb/stb_implementation.hpp>
