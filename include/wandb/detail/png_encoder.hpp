// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The mechanisms of the PNG encoder in png.hpp: the five row filters of PNG (ISO/IEC 15948
/// section 9), a per-row filter heuristic, and the chunk layout of the file.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../version.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// PNG's filter types, numbered as the filter byte that starts each row.
enum class RowFilter : std::uint8_t { none = 0, sub = 1, up = 2, average = 3, paeth = 4 };

/// The Paeth predictor: whichever of left (a), above (b), upper-left (c) is closest to a + b - c,
/// preferring a, then b, on ties. Written with selects, not branches: on photos the winner is
/// unpredictable, and mispredicted branches made the filter 5x slower.
std::uint8_t paeth_predictor(int a, int b, int c) noexcept;

/// out[i] = a[i] - b[i] (mod 256) for n bytes: sixteen at a time with SSE2 where there is SSE2,
/// then eight at a time in a 64-bit word: the high bit of each byte is set in the minuend and
/// cleared in the subtrahend so no borrow crosses bytes, then restored (Hacker's Delight 2-18).
void subtract_bytes(std::uint8_t* out, const std::uint8_t* a, const std::uint8_t* b, std::size_t n) noexcept;

/// Writes `filter` applied to `row` (`n` bytes, `bpp` bytes per pixel) into `out`. `prev` is the
/// row above, or nullptr for the first row (PNG treats it as zeros).
void filter_row(RowFilter filter, const std::uint8_t* row, const std::uint8_t* prev, std::size_t n,
                std::size_t bpp, std::uint8_t* out) noexcept;

/// The filter whose output has the smallest sum of bytes read as signed magnitudes, the heuristic
/// the PNG specification recommends. `scratch` holds `n` bytes; the winner is written to `out`.
RowFilter filter_row_adaptive(const std::uint8_t* row, const std::uint8_t* prev, std::size_t n,
                              std::size_t bpp, std::uint8_t* scratch, std::uint8_t* out) noexcept;

/// Where the encoder reads its rows from: `row(y)` returns the `width * channels` bytes of row y.
/// A returned row stays valid until two more rows have been asked for, so a row and the one
/// above it can be filtered together. Implementations may point into the caller's pixels or
/// convert a row into a buffer of their own.
class PngRows {
public:
    /// Row y (0 <= y < height): width * channels bytes, 8 bits per channel.
    virtual const std::uint8_t* row(std::size_t y) = 0;

protected:
    PngRows() = default;
    PngRows(const PngRows&) = default;
    PngRows& operator=(const PngRows&) = default;
    ~PngRows() = default;
};

/// Stores a 32-bit value big-endian at p.
void put_u32_be(std::uint8_t* p, std::uint32_t v) noexcept;

/// Assembles a PNG file image: signature, IHDR, the zlib stream split into IDAT chunks of at most
/// `max_idat` bytes, IEND. `color_type` is PNG's (0 gray, 2 RGB, 6 RGBA); bit depth is 8.
std::vector<std::uint8_t> assemble_png(std::uint32_t width, std::uint32_t height, std::uint8_t color_type,
                                       const std::uint8_t* zlib, std::size_t zlib_size,
                                       std::size_t max_idat);

}  // namespace detail
WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "png_encoder-inl.hpp"
#endif
