// SPDX-License-Identifier: MIT
/// \file
/// The only place that includes stb. Declarations only: Debian's libstb (pkg-config `stb`, CMake
/// links it for you) exports the functions. Without libstb, include <wandb/stb_implementation.hpp>
/// in exactly one of your source files: it includes this header again with stb's implementation
/// macros defined (and set WANDB_IMAGEMASK_LINK_STB=OFF in CMake).
///
/// No include guard, on purpose: stb's headers guard their own declarations, so a second
/// inclusion adds nothing unless the implementation macros are defined, and that second inclusion
/// is what <wandb/stb_implementation.hpp> relies on.

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#pragma GCC diagnostic ignored "-Wcast-qual"
#endif

#if __has_include(<stb/stb_image.h>)
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
#else
#include <stb_image.h>
#include <stb_image_write.h>
#endif

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
