// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of strided_pixels.hpp: the names and sizes of the element types.

#include "strided_pixels.hpp"

#include <cstddef>

WANDB_NAMESPACE_BEGIN

WANDB_IMAGEMASK_INLINE const char* pixel_type_name(PixelType type) noexcept {
    switch (type) {
        case PixelType::u8: return "uint8";
        case PixelType::i8: return "int8";
        case PixelType::u16: return "uint16";
        case PixelType::i16: return "int16";
        case PixelType::u32: return "uint32";
        case PixelType::i32: return "int32";
        case PixelType::u64: return "uint64";
        case PixelType::i64: return "int64";
        case PixelType::f32: return "float32";
        case PixelType::f64: return "float64";
    }
    return "unknown";
}

WANDB_IMAGEMASK_INLINE std::size_t pixel_type_size(PixelType type) noexcept {
    switch (type) {
        case PixelType::u8:
        case PixelType::i8: return 1;
        case PixelType::u16:
        case PixelType::i16: return 2;
        case PixelType::u32:
        case PixelType::i32:
        case PixelType::f32: return 4;
        default: return 8;
    }
}

WANDB_NAMESPACE_END
