// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// PNG encoding. (Interim stb-backed body; the fast encoder replaces it.)

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "detail/stb.hpp"
#include "error.hpp"

WANDB_NAMESPACE_BEGIN

/// A read-only view of 8-bit pixels: `height` rows of `width * channels` bytes, consecutive rows
/// `row_stride` bytes apart (row_stride >= width * channels).
struct PixelView {
    const std::uint8_t* data = nullptr;
    std::size_t width = 0, height = 0, channels = 0, row_stride = 0;
};

/// Encoder settings.
struct PngOptions {};

/// Encodes pixels as a complete PNG file image: 1 channel -> 8-bit gray, 3 -> RGB, 4 -> RGBA.
/// \throws wandb::ValidationError if channels is not 1/3/4, a side is 0 or over 65500, or data is null.
inline std::vector<std::uint8_t> encode_png(const PixelView& pixels, const PngOptions& = {}) {
    if (pixels.channels != 1 && pixels.channels != 3 && pixels.channels != 4)
        throw ValidationError("wandb::encode_png: channels must be 1, 3 or 4, got " + std::to_string(pixels.channels));
    std::vector<std::uint8_t> out;
    auto sink = [](void* context, void* data, int size) {
        auto* o = static_cast<std::vector<std::uint8_t>*>(context);
        o->insert(o->end(), static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
    };
    stbi_write_png_to_func(sink, &out, int(pixels.width), int(pixels.height), int(pixels.channels), pixels.data,
                           int(pixels.row_stride));
    return out;
}

WANDB_NAMESPACE_END
