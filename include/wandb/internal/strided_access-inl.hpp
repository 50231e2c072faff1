// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of strided_access.hpp: the checks every view and every mask's labels go through.

#include "strided_access.hpp"

#include <algorithm>
#include <string>

#include "../error.hpp"
#include "../detail/image_types.hpp"
#include "../detail/text.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

WANDB_IMAGEMASK_INLINE void check_view(const StridedPixels& v, const Caller& caller, bool mask) {
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

WANDB_IMAGEMASK_INLINE void check_mask_values(const StridedPixels& v, const Caller& caller, bool* present) {
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

}  // namespace detail
WANDB_NAMESPACE_END
