// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The row reader the PNG encoder pulls 8-bit rows from a StridedPixels view with (a row at a
/// time, never the whole image): in the source's memory, or converted into a row buffer. Reached
/// only from the encoding (internal/media_encoding.hpp), so it stays inline.

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "../error.hpp"
#include "../strided_pixels.hpp"
#include "../detail/png_encoder.hpp"
#include "strided_access.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

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

}  // namespace detail
WANDB_NAMESPACE_END
