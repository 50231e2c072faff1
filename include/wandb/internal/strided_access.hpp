// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Reading StridedPixels: the element type dispatch, shape and value checks made in the source's
/// own memory (their definitions in strided_access-inl.hpp), and the copies made only on request
/// (ImageMask::mask_data, jpg/bmp files). The row reader the PNG encoder pulls 8-bit rows from is
/// strided_rows.hpp's.

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../strided_pixels.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// Who reads a view, for error messages: the API the user called and what it calls its input,
/// e.g. {"wandb::mask_from_mat", "mask"} -> "wandb::mask_from_mat: mask value 300 at row 3, ...".
struct Caller {
    const char* api;    ///< "wandb::mask_from_mat"
    const char* input;  ///< "mask"
};

/// Calls `f(static_cast<T*>(nullptr))` with T the C++ type of `type`.
template <class F>
decltype(auto) visit_pixel_type(PixelType type, F&& f) {
    switch (type) {
        case PixelType::u8: return f(static_cast<std::uint8_t*>(nullptr));
        case PixelType::i8: return f(static_cast<std::int8_t*>(nullptr));
        case PixelType::u16: return f(static_cast<std::uint16_t*>(nullptr));
        case PixelType::i16: return f(static_cast<std::int16_t*>(nullptr));
        case PixelType::u32: return f(static_cast<std::uint32_t*>(nullptr));
        case PixelType::i32: return f(static_cast<std::int32_t*>(nullptr));
        case PixelType::u64: return f(static_cast<std::uint64_t*>(nullptr));
        case PixelType::i64: return f(static_cast<std::int64_t*>(nullptr));
        case PixelType::f32: return f(static_cast<float*>(nullptr));
        case PixelType::f64: break;
    }
    return f(static_cast<double*>(nullptr));
}

/// A StridedPixels whose element type is known: byte offsets of rows, columns and logged channels.
template <class T>
struct TypedPixels {
    explicit TypedPixels(const StridedPixels& v)
        : base(static_cast<const unsigned char*>(v.data)), height(v.height), width(v.width), channels(v.channels),
          row(v.row_stride), column(v.column_stride), order(v.channel_order) {
        for (std::size_t k = 0; k < 4; ++k) channel[k] = std::ptrdiff_t(v.channel_order[k]) * v.channel_stride;
    }
    /// The element at row r, column c, logged channel k.
    T at(std::size_t r, std::size_t c, std::size_t k = 0) const noexcept {
        return *reinterpret_cast<const T*>(base + std::ptrdiff_t(r) * row + std::ptrdiff_t(c) * column + channel[k]);
    }
    /// True when each row is width * channels consecutive elements in logged order.
    bool rows_packed() const noexcept {
        if (column != std::ptrdiff_t(channels * sizeof(T))) return false;
        for (std::size_t k = 0; k < channels; ++k)
            if (channel[k] != std::ptrdiff_t(k * sizeof(T))) return false;
        return true;
    }
    /// True when the whole view is one row-major array (rows packed and back to back).
    bool packed() const noexcept { return rows_packed() && (height == 1 || row == std::ptrdiff_t(width) * column); }
    /// Row r's first element, for packed rows.
    const T* row_data(std::size_t r) const noexcept {
        return reinterpret_cast<const T*>(base + std::ptrdiff_t(r) * row + channel[0]);
    }
    /// Calls `f(i, value)` for every element in row-major logged order (i = flat index).
    template <class F>
    void for_each(F&& f) const {
        if (packed()) {
            const T* p = row_data(0);
            const std::size_t n = height * width * channels;
            for (std::size_t i = 0; i < n; ++i) f(i, p[i]);
            return;
        }
        std::size_t i = 0;
        for (std::size_t r = 0; r < height; ++r)
            for (std::size_t c = 0; c < width; ++c)
                for (std::size_t k = 0; k < channels; ++k) f(i++, at(r, c, k));
    }

    const unsigned char* base;
    std::size_t height, width, channels;
    std::ptrdiff_t row, column;
    std::array<std::uint8_t, 4> order;        ///< logged channel k is source channel order[k]
    std::array<std::ptrdiff_t, 4> channel{};  ///< byte offset of logged channel k
};

/// Checks what every view must be: 1..65500 rows and columns, data and owner set, 1, 3 or 4
/// channels (1 for a mask) and channel_order naming channels of the source, strides and data
/// aligned to the element type, integers for a mask.
/// \throws ValidationError  naming the caller's API and input.
void check_view(const StridedPixels& v, const Caller& caller, bool mask);

/// Checks that every label of a (checked) mask view is 0..255, reading it where it is, in
/// row-major order; marks the ids present in `present` when it is not null.
/// \throws ValidationError  "<api>: <input> value V at row R, column C is outside 0..255".
void check_mask_values(const StridedPixels& v, const Caller& caller, bool* present);

/// Copies an integer view into `out` as height * width * channels row-major elements of U (exact:
/// the values were checked). The one whole-image copy, made only when asked for.
template <class U>
void copy_view(const StridedPixels& v, U* out) {
    visit_pixel_type(v.type, [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        (void)tag;
        TypedPixels<T>(v).for_each([&](std::size_t i, T value) { out[i] = static_cast<U>(value); });
    });
}

}  // namespace detail
WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "strided_access-inl.hpp"
#endif
