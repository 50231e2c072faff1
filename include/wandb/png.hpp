// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The PNG encoder every mask and image goes through: 8-bit gray, RGB or RGBA pixels in, a complete
/// PNG file image out. Fast by default, at about the file size PIL writes.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "error.hpp"
#include "version.hpp"

WANDB_NAMESPACE_BEGIN

/// A read-only view of 8-bit pixels: `height` rows of `width * channels` bytes, consecutive rows
/// `row_stride` bytes apart (row_stride >= width * channels).
struct PixelView {
    const std::uint8_t* data = nullptr;
    std::size_t width = 0, height = 0, channels = 0, row_stride = 0;
};

/// How the encoder filters rows before deflating them (PNG filter types, ISO/IEC 15948 section 9).
/// `automatic` compresses a sample of the image with two candidates and keeps the smaller: for
/// gray Up (region masks) or None (noise-like masks), for colour Paeth (photos) or Up (smooth
/// images); see bench/README.md. `adaptive` chooses per row by the PNG specification's
/// sum-of-magnitudes heuristic, at several times the filtering cost.
enum class PngFilter { automatic, none, sub, up, average, paeth, adaptive };

/// The default PngOptions::compression_level: chosen per image. A sample of the filtered rows is
/// compressed both ways; libdeflate's LZ77 (level 6) is used when it is 15% smaller (plots,
/// screenshots, text), else this library's run-length encoder (masks, photos, noise).
inline constexpr int automatic_compression = -1;

/// Encoder settings; the defaults are the fast path, with files about the size PIL writes.
/// \param compression_level  automatic_compression (default); 0 stores; 1 forces the run-length
///        encoder; 2..12 force libdeflate at that level. Without libdeflate: run-length encoder.
/// \param filter  the row filter strategy, see PngFilter.
struct PngOptions {
    int compression_level = automatic_compression;
    PngFilter filter = PngFilter::automatic;
};

namespace detail {

class PngRows;           // detail/png_encoder.hpp: where the encoder reads its rows from
enum class ZlibBackend;  // detail/deflate.hpp: which deflate implementation compresses (int, as declared there)

/// The largest width or height encode_png accepts (what W&B and PIL accept for PNG).
inline constexpr std::size_t max_png_side = 65500;

/// Checks the shape encode_png accepts.
/// \throws wandb::ValidationError  if channels is not 1/3/4 or a side is 0 or over 65500.
void check_png_shape(std::size_t w, std::size_t h, std::size_t ch);

/// The one PNG encoder, reading `h` rows of `w * ch` bytes from `source` (pixels in memory, or
/// rows converted one at a time from a strided source: no copy of the whole image is made for
/// that). The sample that chooses filter and level reads rows at a quarter, half and three
/// quarters down; the image is then read top to bottom once.
/// \throws wandb::ValidationError  as encode_png does.
std::vector<std::uint8_t> encode_png_rows(PngRows& source, std::size_t w, std::size_t h, std::size_t ch,
                                          const PngOptions& options, ZlibBackend backend,
                                          std::size_t max_idat = std::size_t(1) << 30);

/// encode_png_rows over a PixelView: the rows are read where they are.
/// \throws wandb::ValidationError  as encode_png does.
std::vector<std::uint8_t> encode_png_with(const PixelView& pixels, const PngOptions& options,
                                          ZlibBackend backend, std::size_t max_idat = std::size_t(1) << 30);

}  // namespace detail

/// Encodes pixels as a complete PNG file image: 1 channel -> 8-bit gray (color type 0), 3 -> RGB (2),
/// 4 -> RGBA (6). Bit depth 8, no interlacing, one zlib stream in one or more IDAT chunks.
/// \param pixels  the image; not modified. \param options  compression level and row filter.
/// \throws wandb::ValidationError  if channels is not 1/3/4, a side is 0 or over 65500, data is null,
///         row_stride < width * channels, or an option is out of range.
std::vector<std::uint8_t> encode_png(const PixelView& pixels, const PngOptions& options = {});

WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "png-inl.hpp"
#endif
