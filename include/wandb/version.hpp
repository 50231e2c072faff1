// wandb-imagemask: log segmentation masks, images, boxes and tables to Weights & Biases from C++.
// SPDX-License-Identifier: MIT
#pragma once

/// The library version, as numbers and as a string.
#define WANDB_IMAGEMASK_VERSION_MAJOR 0
#define WANDB_IMAGEMASK_VERSION_MINOR 1
#define WANDB_IMAGEMASK_VERSION_PATCH 0
#define WANDB_IMAGEMASK_VERSION_STRING "0.1.0"

/// Opens the library namespace. `wandb` is shared with W&B's own experimental C++ binding, so
/// every symbol lives in the versioned inline namespace `wandb::v0`: callers still write `wandb::Image`.
#define WANDB_NAMESPACE_BEGIN \
    namespace wandb {         \
    inline namespace v0 {
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
