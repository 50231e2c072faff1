// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zlib computes it. PNG chunks and the
/// `.wandb` log's record chunks both use it. libdeflate's vectorised implementation is used when
/// the build links libdeflate; otherwise a slicing-by-8 table implementation.

#include <cstddef>
#include <cstdint>

#include "../version.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// Table implementation; always available (tests compare it with the libdeflate one).
std::uint32_t crc32_portable(std::uint32_t crc, const void* data, std::size_t size) noexcept;

/// Continues a CRC-32: start with `crc = 0`, feed the bytes in any number of pieces. An empty piece
/// (`data` may then be null, as an empty vector's data() is) leaves `crc` unchanged.
std::uint32_t crc32(std::uint32_t crc, const void* data, std::size_t size) noexcept;

}  // namespace detail
WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "crc32-inl.hpp"
#endif
