// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::StridedPixels`: pixels in memory this library does not own (a cv::Mat, a tensor, an
/// Eigen matrix, your own buffer), described by element type, shape and byte strides, with the
/// handle that keeps that memory alive. Masks and images built from one are validated and encoded
/// from that memory, without a copy of the pixels.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "version.hpp"

WANDB_NAMESPACE_BEGIN

/// The element type of StridedPixels. Masks take the integer types; images take all of them
/// (u8 is read in place, the others are converted to 8 bits by Normalize's rule).
enum class PixelType { u8, i8, u16, i16, u32, i32, u64, i64, f32, f64 };

/// The PixelType of a C++ arithmetic type: by size and signedness for integers (bool is u8),
/// f32 for float, f64 for double.
template <class T>
constexpr PixelType pixel_type_of() noexcept {
    static_assert(std::is_arithmetic_v<T> && (sizeof(T) <= 8) && !std::is_same_v<T, long double>,
                  "wandb::pixel_type_of: pixels must be integers of 1 to 8 bytes, float or double");
    if constexpr (std::is_same_v<T, float>) {
        return PixelType::f32;
    } else if constexpr (std::is_same_v<T, double>) {
        return PixelType::f64;
    } else if constexpr (std::is_same_v<T, bool> || (sizeof(T) == 1 && std::is_unsigned_v<T>)) {
        return PixelType::u8;
    } else if constexpr (sizeof(T) == 1) {
        return PixelType::i8;
    } else if constexpr (sizeof(T) == 2) {
        return std::is_signed_v<T> ? PixelType::i16 : PixelType::u16;
    } else if constexpr (sizeof(T) == 4) {
        return std::is_signed_v<T> ? PixelType::i32 : PixelType::u32;
    } else {
        return std::is_signed_v<T> ? PixelType::i64 : PixelType::u64;
    }
}

/// "uint8", "int8", ..., "float32", "float64" (numpy's names).
const char* pixel_type_name(PixelType type) noexcept;

/// Bytes per element of a PixelType.
std::size_t pixel_type_size(PixelType type) noexcept;

/// A read-only view of `height` x `width` pixels of `channels` elements each, in memory this
/// library does not own. The element (row r, column c, output channel k) is at byte
/// `data + r * row_stride + c * column_stride + channel_order[k] * channel_stride`: any ROI,
/// any storage order, interleaved (HWC) or planar (CHW), BGR read as RGB by `channel_order`.
/// `owner` keeps the memory alive (a copy of a cv::Mat header, of a tensor, a shared_ptr to your
/// buffer); every mask and image built from the view holds it until their last copy is gone.
/// Strides are in bytes, may be zero or negative, and must be multiples of the element size.
struct StridedPixels {
    const void* data = nullptr;       ///< channel channel_order[0] of pixel (0, 0)
    PixelType type = PixelType::u8;   ///< the element type
    std::size_t height = 0;           ///< rows
    std::size_t width = 0;            ///< columns
    std::size_t channels = 1;         ///< 1 (gray, or a mask), 3 (RGB) or 4 (RGBA), as logged
    std::ptrdiff_t row_stride = 0;    ///< bytes from pixel (r, c) to (r + 1, c)
    std::ptrdiff_t column_stride = 0; ///< bytes from pixel (r, c) to (r, c + 1)
    std::ptrdiff_t channel_stride = 0;  ///< bytes from a pixel's source channel j to j + 1
    std::array<std::uint8_t, 4> channel_order{{0, 1, 2, 3}};  ///< logged channel k = source channel channel_order[k]
    std::shared_ptr<const void> owner;  ///< keeps `data` valid; must not be null
};

/// A view of `height` x `width` x `channels` elements of type T, with strides in elements of T
/// (as xtensor, numpy / sizeof, torch and Eigen give them), RGB order.
/// \param owner  keeps `data` valid (see StridedPixels::owner).
template <class T>
StridedPixels strided_pixels(const T* data, std::size_t height, std::size_t width, std::size_t channels,
                             std::ptrdiff_t row_stride, std::ptrdiff_t column_stride, std::ptrdiff_t channel_stride,
                             std::shared_ptr<const void> owner) {
    constexpr auto size = static_cast<std::ptrdiff_t>(sizeof(T));
    StridedPixels view;
    view.data = data;
    view.type = pixel_type_of<T>();
    view.height = height;
    view.width = width;
    view.channels = channels;
    view.row_stride = row_stride * size;
    view.column_stride = column_stride * size;
    view.channel_stride = channel_stride * size;
    view.owner = std::move(owner);
    return view;
}

WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "strided_pixels-inl.hpp"
#endif
