// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The only place that includes stb. Declarations only: Debian's libstb (pkg-config `stb`, CMake
/// links it for you) exports the functions. Without libstb, compile stb into exactly one of your
/// translation units by defining STB_IMAGE_IMPLEMENTATION and STB_IMAGE_WRITE_IMPLEMENTATION
/// before including <wandb/wandb.hpp> there (and set WANDB_IMAGEMASK_LINK_STB=OFF in CMake).

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
