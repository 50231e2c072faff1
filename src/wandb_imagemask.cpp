// SPDX-License-Identifier: MIT
// The compiled form of the library (CMake target wandb::imagemask_compiled): every definition of
// the headers, compiled once (stb's implementation is beside it, in stb.cpp). Built with
// WANDB_IMAGEMASK_HEADER_ONLY=0, as every source that links it must be (the target says so to its
// users).
#define WANDB_IMAGEMASK_IMPLEMENTATION
#include <wandb/wandb.hpp>
