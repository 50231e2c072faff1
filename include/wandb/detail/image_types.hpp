// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// What images and masks hold and check without reading a file: the shared bytes of a file read
/// once, the formats accepted from files, and the largest side W&B takes (image_file.hpp reads
/// and checks the files themselves).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "../version.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// Immutable file content, shared by copies of the object that read it.
using SharedBytes = std::shared_ptr<const std::vector<std::uint8_t>>;

/// The largest side W&B's image pipeline (PIL) accepts; the SDK declares it as MAX_DIMENSION.
inline constexpr std::size_t max_image_side = 65500;

/// The formats W&B shows and we accept from files.
enum class FileFormat { unknown, png, jpeg, bmp };

}  // namespace detail
WANDB_NAMESPACE_END
