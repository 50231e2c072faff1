// wandb-imagemask: log segmentation masks, images, boxes and tables to Weights & Biases from C++.
// SPDX-License-Identifier: MIT
#pragma once

/// The library version, as numbers and as a string.
#define WANDB_IMAGEMASK_VERSION_MAJOR 0
#define WANDB_IMAGEMASK_VERSION_MINOR 1
#define WANDB_IMAGEMASK_VERSION_PATCH 0
#define WANDB_IMAGEMASK_VERSION_STRING "0.1.0"

/// Header-only (1, the default) or compiled mode (0). Header-only, every definition is inline in
/// the headers. Compiled (`-DWANDB_IMAGEMASK_HEADER_ONLY=0` everywhere in a program), the headers
/// declare the non-template functions and classes and hold only templates and small inline
/// members; the definitions are compiled once, in the one source file that defines
/// WANDB_IMAGEMASK_IMPLEMENTATION before including `<wandb/wandb.hpp>`, or by linking the CMake
/// target `wandb::imagemask_compiled` (built from such a file, stb's implementation included).
#ifndef WANDB_IMAGEMASK_HEADER_ONLY
#define WANDB_IMAGEMASK_HEADER_ONLY 1
#endif

/// 1 where this translation unit compiles the library's definitions (every one header-only; in
/// compiled mode the one that defines WANDB_IMAGEMASK_IMPLEMENTATION), else 0. A header `x.hpp`
/// with definitions keeps them in `x-inl.hpp`, which it includes at its end when this is 1.
#if WANDB_IMAGEMASK_HEADER_ONLY || defined(WANDB_IMAGEMASK_IMPLEMENTATION)
#define WANDB_IMAGEMASK_DEFINITIONS 1
#else
#define WANDB_IMAGEMASK_DEFINITIONS 0
#endif

/// Marks a definition in an `-inl.hpp` file: `inline` header-only, nothing in compiled mode
/// (where it is compiled once).
#if WANDB_IMAGEMASK_HEADER_ONLY
#define WANDB_IMAGEMASK_INLINE inline
#else
#define WANDB_IMAGEMASK_INLINE
#endif

/// The inline namespace every symbol lives in. It names the mode and the build options that
/// change function bodies (today WANDB_IMAGEMASK_HAVE_LIBDEFLATE: deflate and CRC-32), so two
/// parts of one program built differently hold different symbols: a value passed between them,
/// or a header-only part calling a compiled one, is a link error, never a silent ODR violation.
#if WANDB_IMAGEMASK_HEADER_ONLY && defined(WANDB_IMAGEMASK_HAVE_LIBDEFLATE)
#define WANDB_IMAGEMASK_ABI_NAMESPACE v0_libdeflate
#elif WANDB_IMAGEMASK_HEADER_ONLY
#define WANDB_IMAGEMASK_ABI_NAMESPACE v0_builtin_deflate
#elif defined(WANDB_IMAGEMASK_HAVE_LIBDEFLATE)
#define WANDB_IMAGEMASK_ABI_NAMESPACE v0_compiled_libdeflate
#else
#define WANDB_IMAGEMASK_ABI_NAMESPACE v0_compiled_builtin_deflate
#endif

/// Opens the library namespace. `wandb` is shared with W&B's own experimental C++ binding, so
/// every symbol lives in the inline namespace WANDB_IMAGEMASK_ABI_NAMESPACE (`wandb::v0_libdeflate`,
/// `wandb::v0_compiled_libdeflate`, ...): callers still write `wandb::Image`.
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
