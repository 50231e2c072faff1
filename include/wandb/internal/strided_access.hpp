// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Reading StridedPixels: the element type dispatch, shape and value checks made in the source's
/// own memory, the row reader the PNG encoder pulls 8-bit rows from (a row at a time, never the
/// whole image), and the copies made only on request (ImageMask::mask_data, jpg/bmp files).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "../error.hpp"
#include "../strided_pixels.hpp"
#include "../detail/image_file.hpp"
#include "../detail/png_encoder.hpp"
#include "../detail/text.hpp"

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
inline void check_view(const StridedPixels& v, const Caller& caller, bool mask) {
    const std::string who = std::string(caller.api) + ": " + caller.input;
    const std::string shape = v.channels == 1 ? shape_string(std::array<std::size_t, 2>{v.height, v.width})
                                              : shape_string(std::array<std::size_t, 3>{v.height, v.width, v.channels});
    if (v.height == 0 || v.width == 0) throw ValidationError(who + " is empty, shape " + shape);
    if (v.height > max_image_side || v.width > max_image_side)
        throw ValidationError(who + " shape " + shape + " has a side over " + std::to_string(max_image_side));
    if (v.data == nullptr) throw ValidationError(who + " data is null");
    if (!v.owner) throw ValidationError(who + " has no owner to keep its memory alive");
    if (mask && v.channels != 1)
        throw ValidationError(who + " has " + std::to_string(v.channels) + " channels; a mask has 1");
    if (v.channels != 1 && v.channels != 3 && v.channels != 4)
        throw ValidationError(who + " has " + std::to_string(v.channels) + " channels; images have 1, 3 or 4");
    for (std::size_t k = 0; k < v.channels; ++k)
        if (v.channel_order[k] > 3)
            throw ValidationError(who + " channel_order[" + std::to_string(k) + "] is " +
                                  std::to_string(v.channel_order[k]) + "; channels are 0..3");
    if (mask && (v.type == PixelType::f32 || v.type == PixelType::f64))
        throw ValidationError(who + " must hold integers, got " + pixel_type_name(v.type) +
                              "; round and convert a float mask to uint8 first");
    const auto size = std::ptrdiff_t(pixel_type_size(v.type));
    const auto address = reinterpret_cast<std::uintptr_t>(v.data);
    if (address % std::uintptr_t(size) != 0 || v.row_stride % size != 0 || v.column_stride % size != 0 ||
        v.channel_stride % size != 0)
        throw ValidationError(who + " is not aligned to its " + std::to_string(size) + "-byte " +
                              pixel_type_name(v.type) + " elements (data, row_stride " +
                              std::to_string(v.row_stride) + ", column_stride " + std::to_string(v.column_stride) +
                              ", channel_stride " + std::to_string(v.channel_stride) + ")");
}

/// Checks that every label of a (checked) mask view is 0..255, reading it where it is, in
/// row-major order; marks the ids present in `present` when it is not null.
/// \throws ValidationError  "<api>: <input> value V at row R, column C is outside 0..255".
inline void check_mask_values(const StridedPixels& v, const Caller& caller, bool* present) {
    visit_pixel_type(v.type, [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        if constexpr (std::is_floating_point_v<T>) {
            (void)tag;  // refused by check_view
        } else {
            const TypedPixels<T> px(v);
            // One unsigned comparison (a negative value wraps to a large one), which vectorizes.
            auto bad = [](T value) {
                if constexpr (sizeof(T) == 1) {
                    return std::is_signed_v<T> && static_cast<signed char>(value) < 0;
                } else {
                    return static_cast<std::make_unsigned_t<T>>(value) > 255u;
                }
            };
            for (std::size_t r = 0; r < v.height; ++r) {
                bool any_bad = false;
                if (px.rows_packed()) {  // a reduction the compiler vectorizes; positions only on failure
                    const T* p = px.row_data(r);
                    if constexpr (sizeof(T) > 1 || std::is_signed_v<T>) {
                        // The largest value read as unsigned: a negative one wraps above 255.
                        using U = std::make_unsigned_t<T>;
                        U top = 0;
                        for (std::size_t c = 0; c < v.width; ++c) top = std::max(top, static_cast<U>(p[c]));
                        any_bad = sizeof(T) == 1 ? top > 127u : top > 255u;
                    }
                    if (present)
                        for (std::size_t c = 0; c < v.width && !any_bad; ++c) present[std::size_t(p[c]) & 255] = true;
                } else {
                    for (std::size_t c = 0; c < v.width; ++c) {
                        const T value = px.at(r, c);
                        if constexpr (sizeof(T) > 1 || std::is_signed_v<T>) any_bad |= bad(value);
                        if (present) present[std::size_t(value) & 255] = true;
                    }
                }
                if (!any_bad) continue;
                for (std::size_t c = 0; c < v.width; ++c) {
                    const T value = px.at(r, c);
                    if (bad(value))
                        throw ValidationError(std::string(caller.api) + ": " + caller.input + " value " +
                                              std::to_string(+value) + " at row " + std::to_string(r) + ", column " +
                                              std::to_string(c) + " is outside 0..255");
                }
            }
        }
    });
}

/// Converts row y of an integer view to 8 bits (the values were checked to be 0..255) into `out`.
template <class T>
void convert_row(const TypedPixels<T>& px, std::size_t y, std::uint8_t* out) noexcept {
    if (px.rows_packed()) {
        const T* p = px.row_data(y);
        const std::size_t n = px.width * px.channels;
        for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(p[i]);
    } else if (px.channels == 1) {
        const unsigned char* p = px.base + std::ptrdiff_t(y) * px.row + px.channel[0];
        for (std::size_t c = 0; c < px.width; ++c, p += px.column) out[c] = static_cast<std::uint8_t>(*reinterpret_cast<const T*>(p));
    } else {
        for (std::size_t c = 0; c < px.width; ++c)
            for (std::size_t k = 0; k < px.channels; ++k) *out++ = static_cast<std::uint8_t>(px.at(y, c, k));
    }
}

/// The encoder's rows from an integer view whose values are 0..255: a pointer into the source
/// when its rows already are 8-bit packed pixels in logged order (a CV_8UC1 Mat, any ROI of it,
/// a contiguous uint8 tensor), else each row converted (narrowed, gathered across column and
/// channel strides, reordered) into one of two row buffers.
class StridedRows final : public PngRows {
public:
    explicit StridedRows(const StridedPixels& view) : view_(view) {
        visit_pixel_type(view.type, [&](auto* tag) {
            using T = std::remove_pointer_t<decltype(tag)>;
            if constexpr (std::is_integral_v<T>) {
                direct_ = std::is_same_v<T, std::uint8_t> && TypedPixels<T>(view).rows_packed();
                convert_ = [](const StridedPixels& v, std::size_t y, std::uint8_t* out) {
                    convert_row(TypedPixels<T>(v), y, out);
                };
            } else {
                (void)tag;
                throw ValidationError(std::string("wandb::encode_png: ") + pixel_type_name(view.type) +
                                      " pixels must be converted to 8 bits first");
            }
        });
        if (!direct_)
            for (auto& b : buffers_) b.resize(view.width * view.channels);
    }

    /// Row y as 8-bit pixels: in the source, or converted into the buffer not holding the last row returned.
    const std::uint8_t* row(std::size_t y) override {
        if (direct_)
            return static_cast<const std::uint8_t*>(view_.data) + std::ptrdiff_t(y) * view_.row_stride;
        for (int i = 0; i < 2; ++i)
            if (held_[i] == y) {
                last_ = i;
                return buffers_[i].data();
            }
        const int slot = 1 - last_;  // keep the row returned last: it is the row above the next one
        convert_(view_, y, buffers_[slot].data());
        held_[slot] = y;
        last_ = slot;
        return buffers_[slot].data();
    }

    /// True when rows are read in place (no conversion buffer).
    bool reads_in_place() const noexcept { return direct_; }

private:
    StridedPixels view_;
    bool direct_ = false;
    void (*convert_)(const StridedPixels&, std::size_t, std::uint8_t*) = nullptr;
    std::vector<std::uint8_t> buffers_[2];
    std::size_t held_[2] = {std::size_t(-1), std::size_t(-1)};
    int last_ = 1;
};

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
