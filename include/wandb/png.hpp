// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The PNG encoder every mask and image goes through: 8-bit gray, RGB or RGBA pixels in, a complete
/// PNG file image out. Fast by default, at about the file size PIL writes.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "detail/deflate.hpp"
#include "detail/png_encoder.hpp"
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

/// The largest width or height encode_png accepts (what W&B and PIL accept for PNG).
inline constexpr std::size_t max_png_side = 65500;

/// Checks the shape encode_png accepts.
/// \throws wandb::ValidationError  if channels is not 1/3/4 or a side is 0 or over 65500.
inline void check_png_shape(std::size_t w, std::size_t h, std::size_t ch) {
    static const std::string prefix = "wandb::encode_png: ";
    if (ch != 1 && ch != 3 && ch != 4)
        throw ValidationError(prefix + "channels must be 1, 3 or 4, got " + std::to_string(ch));
    if (w == 0 || w > max_png_side)
        throw ValidationError(prefix + "width must be 1.." + std::to_string(max_png_side) + ", got " + std::to_string(w));
    if (h == 0 || h > max_png_side)
        throw ValidationError(prefix + "height must be 1.." + std::to_string(max_png_side) + ", got " + std::to_string(h));
}

/// The one PNG encoder, reading `h` rows of `w * ch` bytes from `source` (pixels in memory, or
/// rows converted one at a time from a strided source: no copy of the whole image is made for
/// that). The sample that chooses filter and level reads rows at a quarter, half and three
/// quarters down; the image is then read top to bottom once.
/// \throws wandb::ValidationError  as encode_png does.
inline std::vector<std::uint8_t> encode_png_rows(PngRows& source, std::size_t w, std::size_t h, std::size_t ch,
                                                 const PngOptions& options, ZlibBackend backend,
                                                 std::size_t max_idat = std::size_t(1) << 30) {
    static const std::string prefix = "wandb::encode_png: ";
    check_png_shape(w, h, ch);
    const std::size_t row_bytes = w * ch;
    if (options.compression_level < automatic_compression || options.compression_level > max_compression_level)
        throw ValidationError(prefix + "compression_level must be -1 (automatic) or 0.." +
                              std::to_string(max_compression_level) + ", got " +
                              std::to_string(options.compression_level));
    if (int(options.filter) < int(PngFilter::automatic) || int(options.filter) > int(PngFilter::adaptive))
        throw ValidationError(prefix + "unknown filter " + std::to_string(int(options.filter)));
    if (max_idat == 0 || max_idat > std::size_t(std::numeric_limits<std::int32_t>::max()))
        throw ValidationError(prefix + "IDAT chunks must hold 1..2^31-1 bytes, got " + std::to_string(max_idat));

    const std::size_t line = row_bytes + 1;  // a filtered row: filter type byte, then the row
    if (h > std::numeric_limits<std::size_t>::max() / line)  // only where size_t has 32 bits
        throw ValidationError(prefix + "image of " + std::to_string(w) + "x" + std::to_string(h) + "x" +
                              std::to_string(ch) + " bytes does not fit in memory");

    // Filters rows [y0, y1) with `strategy` into `out`, `line` bytes per row.
    const auto scratch = allocate_bytes(options.filter == PngFilter::adaptive ? row_bytes : 0);
    auto filter_rows = [&](PngFilter strategy, std::size_t y0, std::size_t y1, std::uint8_t* out) {
        const std::uint8_t* prev = y0 == 0 ? nullptr : source.row(y0 - 1);
        for (std::size_t y = y0; y < y1; ++y, out += line) {
            const std::uint8_t* row = source.row(y);
            RowFilter f;
            if (strategy == PngFilter::adaptive) {
                f = filter_row_adaptive(row, prev, row_bytes, ch, scratch.get(), out + 1);
            } else {
                // PngFilter's none..paeth are RowFilter's none..paeth, shifted by `automatic`.
                f = RowFilter(int(strategy) - int(PngFilter::none));
                filter_row(f, row, prev, row_bytes, ch, out + 1);
            }
            out[0] = std::uint8_t(f);
            prev = row;
        }
    };

    // The automatic choices are made on a sample: about 48 KiB of rows from a quarter, half and
    // three quarters down, filtered and compressed each way in question.
    PngFilter strategy = options.filter;
    int level = options.compression_level;
    const bool choose_filter = strategy == PngFilter::automatic;
    // libdeflate clears its hash tables (128-256 KiB) on every call: below 16 KiB of filtered
    // rows that costs more than compressing, and LZ77 could save only a few hundred bytes.
    const bool choose_level = level == automatic_compression && backend == ZlibBackend::best && have_libdeflate &&
                              line * h >= (std::size_t(16) << 10);
    if (choose_filter) strategy = ch == 1 ? PngFilter::up : PngFilter::paeth;
    if (level == automatic_compression) level = 1;
    if (choose_filter || choose_level) {
        const std::size_t rows = std::max<std::size_t>(1, (std::size_t(16) << 10) / line);
        auto filter_sample = [&](PngFilter f, std::uint8_t* out) {
            std::size_t sampled = 0, y_end = 0;  // rows in the sample; the row after the last range
            for (std::size_t place = 1; place <= 3; ++place) {
                const std::size_t y0 = std::max(y_end, h * place / 4 - std::min(h * place / 4, rows / 2));
                const std::size_t y1 = std::min(h, y0 + rows);
                if (y0 >= y1) continue;
                filter_rows(f, y0, y1, out + sampled * line);
                sampled += y1 - y0;
                y_end = y1;
            }
            return sampled * line;
        };
        const auto sample = allocate_bytes(3 * rows * line);
        std::size_t size = filter_sample(strategy, sample.get());
        std::size_t by_runs = zlib_compress(sample.get(), size, 1, ZlibBackend::runs).size;
        if (choose_filter) {
            // The other candidate: None for gray (noise-like masks), Up for colour (smooth images).
            const PngFilter other = ch == 1 ? PngFilter::none : PngFilter::up;
            const auto other_sample = allocate_bytes(3 * rows * line);
            filter_sample(other, other_sample.get());
            const std::size_t other_runs = zlib_compress(other_sample.get(), size, 1, ZlibBackend::runs).size;
            if (other_runs < by_runs) {
                strategy = other;
                by_runs = other_runs;
                std::memcpy(sample.get(), other_sample.get(), size);
            }
        }
        // LZ77 must beat the run-length encoder by 15% to be worth its time.
        if (choose_level && zlib_compress(sample.get(), size, 1, ZlibBackend::libdeflate).size * 100 < by_runs * 85)
            level = 6;
    }
    ByteBuffer z;
    if (resolve_backend(level, backend) == ZlibBackend::libdeflate) {
        // libdeflate compresses one buffer: the whole filtered image, the only copy of the pixels.
        const auto filtered = allocate_bytes(line * h);
        filter_rows(strategy, 0, h, filtered.get());
        z = zlib_compress(filtered.get(), line * h, level, backend);
    } else {
        // The runs encoder takes the filtered image in strips of about 256 KiB (at least a row):
        // no copy of the whole image, and a buffer small enough to stay in cache.
        const std::size_t strip_rows = std::max<std::size_t>(1, (std::size_t(256) << 10) / line);
        const std::size_t strips = (h + strip_rows - 1) / strip_rows;
        const auto strip = allocate_bytes(std::min(strip_rows, h) * line);
        z.data = allocate_bytes(RunDeflater::bound(line * h, strips));
        RunDeflater deflater(z.data.get(), level == 0, line * h);
        for (std::size_t y = 0; y < h; y += strip_rows) {
            const std::size_t y1 = std::min(h, y + strip_rows);
            filter_rows(strategy, y, y1, strip.get());
            deflater.add(strip.get(), (y1 - y) * line, y1 == h);
        }
        z.size = deflater.finish();
    }
    static constexpr std::uint8_t color_type[5] = {0, 0, 0, 2, 6};
    return assemble_png(std::uint32_t(w), std::uint32_t(h), color_type[ch], z.data.get(), z.size, max_idat);
}

/// encode_png_rows over a PixelView: the rows are read where they are.
/// \throws wandb::ValidationError  as encode_png does.
inline std::vector<std::uint8_t> encode_png_with(const PixelView& pixels, const PngOptions& options,
                                                 ZlibBackend backend, std::size_t max_idat = std::size_t(1) << 30) {
    static const std::string prefix = "wandb::encode_png: ";
    check_png_shape(pixels.width, pixels.height, pixels.channels);
    if (pixels.data == nullptr) throw ValidationError(prefix + "data is null");
    const std::size_t row_bytes = pixels.width * pixels.channels;
    if (pixels.row_stride < row_bytes)
        throw ValidationError(prefix + "row_stride must be at least width * channels = " + std::to_string(row_bytes) +
                              ", got " + std::to_string(pixels.row_stride));
    struct ViewRows final : PngRows {
        explicit ViewRows(const PixelView& v) : view(v) {}
        const std::uint8_t* row(std::size_t y) override { return view.data + y * view.row_stride; }
        PixelView view;
    } rows(pixels);
    return encode_png_rows(rows, pixels.width, pixels.height, pixels.channels, options, backend, max_idat);
}

}  // namespace detail

/// Encodes pixels as a complete PNG file image: 1 channel -> 8-bit gray (color type 0), 3 -> RGB (2),
/// 4 -> RGBA (6). Bit depth 8, no interlacing, one zlib stream in one or more IDAT chunks.
/// \param pixels  the image; not modified. \param options  compression level and row filter.
/// \throws wandb::ValidationError  if channels is not 1/3/4, a side is 0 or over 65500, data is null,
///         row_stride < width * channels, or an option is out of range.
inline std::vector<std::uint8_t> encode_png(const PixelView& pixels, const PngOptions& options = {}) {
    return detail::encode_png_with(pixels, options, detail::ZlibBackend::best);
}

WANDB_NAMESPACE_END
