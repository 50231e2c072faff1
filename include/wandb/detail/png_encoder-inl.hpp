// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of png_encoder.hpp: the row filters (SSE2 where there is SSE2) and the chunks
/// with their CRC-32.

#include "png_encoder.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "crc32.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

WANDB_IMAGEMASK_INLINE std::uint8_t paeth_predictor(int a, int b, int c) noexcept {
    const int pa = std::abs(b - c), pb = std::abs(a - c), pc = std::abs(a + b - 2 * c);
    const int ab = pb < pa ? b : a;
    const int pab = pb < pa ? pb : pa;
    return std::uint8_t(pc < pab ? c : ab);
}

WANDB_IMAGEMASK_INLINE void subtract_bytes(std::uint8_t* out, const std::uint8_t* a, const std::uint8_t* b,
                                           std::size_t n) noexcept {
    constexpr std::uint64_t high = 0x8080808080808080ull;
    std::size_t i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16)  // x86-64 always has SSE2: sixteen bytes at a time
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                         _mm_sub_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)),
                                      _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i))));
#endif
    for (; i + 8 <= n; i += 8) {
        std::uint64_t x, y;
        std::memcpy(&x, a + i, 8);
        std::memcpy(&y, b + i, 8);
        const std::uint64_t d = ((x | high) - (y & ~high)) ^ ((x ^ ~y) & high);
        std::memcpy(out + i, &d, 8);
    }
    for (; i < n; ++i) out[i] = std::uint8_t(a[i] - b[i]);
}

WANDB_IMAGEMASK_INLINE void filter_row(RowFilter filter, const std::uint8_t* row, const std::uint8_t* prev,
                                       std::size_t n, std::size_t bpp, std::uint8_t* out) noexcept {
    const std::size_t head = bpp < n ? bpp : n;  // bytes with no left neighbour
    switch (filter) {
    case RowFilter::none:
        std::memcpy(out, row, n);
        return;
    case RowFilter::sub:
        std::memcpy(out, row, head);
        subtract_bytes(out + head, row + head, row, n - head);
        return;
    case RowFilter::up:
        if (prev == nullptr) {
            std::memcpy(out, row, n);
        } else {
            subtract_bytes(out, row, prev, n);
        }
        return;
    case RowFilter::average:
        if (prev == nullptr) {
            std::memcpy(out, row, head);
            for (std::size_t i = head; i < n; ++i) out[i] = std::uint8_t(row[i] - (row[i - bpp] >> 1));
        } else {
            for (std::size_t i = 0; i < head; ++i) out[i] = std::uint8_t(row[i] - (prev[i] >> 1));
            for (std::size_t i = head; i < n; ++i)
                out[i] = std::uint8_t(row[i] - ((unsigned(row[i - bpp]) + prev[i]) >> 1));
        }
        return;
    case RowFilter::paeth:
        if (prev == nullptr) {  // with a zero row above, Paeth predicts the left neighbour: Sub
            filter_row(RowFilter::sub, row, prev, n, bpp, out);
        } else {
            for (std::size_t i = 0; i < head; ++i) out[i] = std::uint8_t(row[i] - prev[i]);
            for (std::size_t i = head; i < n; ++i)
                out[i] = std::uint8_t(row[i] - paeth_predictor(row[i - bpp], prev[i], prev[i - bpp]));
        }
        return;
    }
}

WANDB_IMAGEMASK_INLINE RowFilter filter_row_adaptive(const std::uint8_t* row, const std::uint8_t* prev, std::size_t n,
                                                     std::size_t bpp, std::uint8_t* scratch,
                                                     std::uint8_t* out) noexcept {
    auto cost = [n](const std::uint8_t* bytes) {
        std::size_t sum = 0;
        for (std::size_t i = 0; i < n; ++i) sum += bytes[i] < 128 ? bytes[i] : 256u - bytes[i];
        return sum;
    };
    RowFilter best = RowFilter::none;
    std::size_t best_cost = cost(row);
    for (RowFilter f : {RowFilter::sub, RowFilter::up, RowFilter::average, RowFilter::paeth}) {
        filter_row(f, row, prev, n, bpp, scratch);
        const std::size_t c = cost(scratch);
        if (c < best_cost) {
            best_cost = c;
            best = f;
        }
    }
    filter_row(best, row, prev, n, bpp, out);
    return best;
}

WANDB_IMAGEMASK_INLINE void put_u32_be(std::uint8_t* p, std::uint32_t v) noexcept {
    p[0] = std::uint8_t(v >> 24);
    p[1] = std::uint8_t(v >> 16);
    p[2] = std::uint8_t(v >> 8);
    p[3] = std::uint8_t(v);
}

WANDB_IMAGEMASK_INLINE std::vector<std::uint8_t> assemble_png(std::uint32_t width, std::uint32_t height,
                                                              std::uint8_t color_type, const std::uint8_t* zlib,
                                                              std::size_t zlib_size, std::size_t max_idat) {
    static constexpr std::uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    const std::size_t idat_count = zlib_size == 0 ? 1 : (zlib_size + max_idat - 1) / max_idat;
    std::vector<std::uint8_t> png;
    // Appended piece by piece into reserved space, so no byte is written twice.
    png.reserve(8 + (12 + 13) + idat_count * 12 + zlib_size + 12);
    png.insert(png.end(), signature, signature + 8);
    auto add_chunk = [&png](const char* type, const std::uint8_t* data, std::size_t length) {
        std::uint8_t head[8];
        put_u32_be(head, std::uint32_t(length));
        std::memcpy(head + 4, type, 4);
        png.insert(png.end(), head, head + 8);
        png.insert(png.end(), data, data + length);
        std::uint8_t crc[4];
        put_u32_be(crc, crc32(crc32(0, head + 4, 4), data, length));
        png.insert(png.end(), crc, crc + 4);
    };
    std::uint8_t ihdr[13];
    put_u32_be(ihdr, width);
    put_u32_be(ihdr + 4, height);
    ihdr[8] = 8;            // bit depth
    ihdr[9] = color_type;   // colour type
    ihdr[10] = 0;           // compression method: deflate
    ihdr[11] = 0;           // filter method: adaptive, five filter types
    ihdr[12] = 0;           // interlace: none
    add_chunk("IHDR", ihdr, 13);
    std::size_t done = 0;
    for (std::size_t i = 0; i < idat_count; ++i) {
        const std::size_t length = std::min(max_idat, zlib_size - done);
        add_chunk("IDAT", zlib + done, length);
        done += length;
    }
    add_chunk("IEND", nullptr, 0);
    return png;
}

}  // namespace detail
WANDB_NAMESPACE_END
