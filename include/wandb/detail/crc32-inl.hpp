// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of crc32.hpp: libdeflate's CRC-32 when the build links it, and the
/// slicing-by-8 tables (computed at compile time).

#include "crc32.hpp"

#include <array>

#if defined(WANDB_IMAGEMASK_HAVE_LIBDEFLATE)
#include <libdeflate.h>
#endif

WANDB_NAMESPACE_BEGIN
namespace detail {

/// Eight 256-entry tables for slicing-by-8.
using Crc32Tables = std::array<std::array<std::uint32_t, 256>, 8>;

inline constexpr Crc32Tables make_crc32_tables() {
    Crc32Tables t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[0][i] = c;
    }
    for (std::size_t i = 0; i < 256; ++i)
        for (std::size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFFu];
    return t;
}

inline constexpr Crc32Tables crc32_tables = make_crc32_tables();

WANDB_IMAGEMASK_INLINE std::uint32_t crc32_portable(std::uint32_t crc, const void* data, std::size_t size) noexcept {
    const auto* p = static_cast<const std::uint8_t*>(data);
    std::uint32_t c = ~crc;
    while (size >= 8) {
        const std::uint32_t lo = c ^ (std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 |
                                      std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24);
        c = crc32_tables[7][lo & 0xFF] ^ crc32_tables[6][(lo >> 8) & 0xFF] ^
            crc32_tables[5][(lo >> 16) & 0xFF] ^ crc32_tables[4][lo >> 24] ^ crc32_tables[3][p[4]] ^
            crc32_tables[2][p[5]] ^ crc32_tables[1][p[6]] ^ crc32_tables[0][p[7]];
        p += 8;
        size -= 8;
    }
    while (size--) c = crc32_tables[0][(c ^ *p++) & 0xFFu] ^ (c >> 8);
    return ~c;
}

WANDB_IMAGEMASK_INLINE std::uint32_t crc32(std::uint32_t crc, const void* data, std::size_t size) noexcept {
#if defined(WANDB_IMAGEMASK_HAVE_LIBDEFLATE)
    if (size == 0) return crc;  // libdeflate_crc32(crc, NULL, 0) would return 0, not crc
    return static_cast<std::uint32_t>(libdeflate_crc32(crc, data, size));
#else
    return crc32_portable(crc, data, size);
#endif
}

}  // namespace detail
WANDB_NAMESPACE_END
