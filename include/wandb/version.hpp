// wandb-imagemask: log segmentation masks, images, boxes and tables to Weights & Biases from C++.
// SPDX-License-Identifier: MIT
#pragma once

/// The library version, as numbers and as a string.
#define WANDB_IMAGEMASK_VERSION_MAJOR 0
#define WANDB_IMAGEMASK_VERSION_MINOR 1
#define WANDB_IMAGEMASK_VERSION_PATCH 0
#define WANDB_IMAGEMASK_VERSION_STRING "0.1.0"

/// The inline namespace every symbol lives in. It names the build options that change function
/// bodies (today only WANDB_IMAGEMASK_HAVE_LIBDEFLATE: deflate and CRC-32), so two parts of one
/// program built with different options hold different symbols: a value passed between them is
/// a link error, never a silent ODR violation.
#if defined(WANDB_IMAGEMASK_HAVE_LIBDEFLATE)
#define WANDB_IMAGEMASK_ABI_NAMESPACE v0_libdeflate
#else
#define WANDB_IMAGEMASK_ABI_NAMESPACE v0_builtin_deflate
#endif

/// Opens the library namespace. `wandb` is shared with W&B's own experimental C++ binding, so
/// every symbol lives in the inline namespace WANDB_IMAGEMASK_ABI_NAMESPACE (`wandb::v0_libdeflate`
/// or `wandb::v0_builtin_deflate`): callers still write `wandb::Image`.
#define WANDB_NAMESPACE_BEGIN \
    namespace wandb {         \
    inline namespace WANDB_IMAGEMASK_ABI_NAMESPACE {
/// Closes what WANDB_NAMESPACE_BEGIN opened.
#define WANDB_NAMESPACE_END \
    }                       \
    }

WANDB_NAMESPACE_BEGIN

/// The library version as "major.minor.patch".
inline constexpr const char* version_string = WANDB_IMAGEMASK_VERSION_STRING;

/// The producer name written into offline runs and metadata files.
inline constexpr const char* producer_name = "wandb-imagemask-cpp";

WANDB_NAMESPACE_END
