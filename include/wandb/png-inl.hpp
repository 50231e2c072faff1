// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of png.hpp: the one PNG encoder, on detail/png_encoder.hpp's row filters and
/// chunk layout and detail/deflate.hpp's compressors.

#include "png.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "detail/deflate.hpp"
#include "detail/png_encoder.hpp"

WANDB_NAMESPACE_BEGIN

namespace detail {

WANDB_IMAGEMASK_INLINE void check_png_shape(std::size_t w, std::size_t h, std::size_t ch) {
    static const std::string prefix = "wandb::encode_png: ";
    if (ch != 1 && ch != 3 && ch != 4)
        throw ValidationError(prefix + "channels must be 1, 3 or 4, got " + std::to_string(ch));
    if (w == 0 || w > max_png_side)
        throw ValidationError(prefix + "width must be 1.." + std::to_string(max_png_side) + ", got " + std::to_string(w));
    if (h == 0 || h > max_png_side)
        throw ValidationError(prefix + "height must be 1.." + std::to_string(max_png_side) + ", got " + std::to_string(h));
}

WANDB_IMAGEMASK_INLINE std::vector<std::uint8_t> encode_png_rows(PngRows& source, std::size_t w, std::size_t h,
                                                                 std::size_t ch, const PngOptions& options,
                                                                 ZlibBackend backend, std::size_t max_idat) {
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

WANDB_IMAGEMASK_INLINE std::vector<std::uint8_t> encode_png_with(const PixelView& pixels, const PngOptions& options,
                                                                 ZlibBackend backend, std::size_t max_idat) {
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

WANDB_IMAGEMASK_INLINE std::vector<std::uint8_t> encode_png(const PixelView& pixels, const PngOptions& options) {
    return detail::encode_png_with(pixels, options, detail::ZlibBackend::best);
}

WANDB_NAMESPACE_END
