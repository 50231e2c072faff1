// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Compiles stb's implementation (stb_image and stb_image_write, the functions the library calls)
/// into the source file that includes this header. For programs without Debian's `libstb.so`
/// (stb from vcpkg, conda or a vendored copy is headers only): include it in exactly one source
/// file, before or after the other wandb headers, and do not link libstb (CMake:
/// `-DWANDB_IMAGEMASK_LINK_STB=OFF`; an install configured with it writes a `wandb_imagemask.pc`
/// without `-lstb`). A second source file including it makes the link fail with duplicate stb
/// symbols.
///
///     // stb.cpp, the only source file that includes it
///     #include <wandb/stb_implementation.hpp>

#if defined(STB_IMAGE_IMPLEMENTATION) || defined(STB_IMAGE_WRITE_IMPLEMENTATION)
#error "<wandb/stb_implementation.hpp> defines STB_IMAGE_IMPLEMENTATION and STB_IMAGE_WRITE_IMPLEMENTATION itself: do not define them too"
#endif

// detail/stb.hpp has no include guard on purpose: stb's headers guard their declarations and
// compile their implementation whenever these macros are defined, so this works even after
// <wandb/wandb.hpp> included it once. The macros are removed again so that a later inclusion
// (a wandb header included after this one) adds declarations only.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include "detail/stb.hpp"
#undef STB_IMAGE_IMPLEMENTATION
#undef STB_IMAGE_WRITE_IMPLEMENTATION
