// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of image_mask.hpp: reading and decoding a saved mask PNG.

#include "image_mask.hpp"

#include <array>
#include <string>

#include "detail/image_file.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

WANDB_IMAGEMASK_INLINE MaskFile read_mask_file(const std::filesystem::path& path, const char* who) {
    MaskFile file;
    file.bytes = read_input_file(path, who, "mask file");
    if (sniff_format(*file.bytes) != FileFormat::png)
        throw ValidationError(std::string(who) + ": mask file " + path.string() + " is not a PNG image");
    PngHeader header;
    if (!read_png_header(*file.bytes, header))
        throw ValidationError(std::string(who) + ": mask file " + path.string() + " is corrupt: no IHDR chunk");
    if (header.color_type != 0 || header.bit_depth != 8)
        throw ValidationError(std::string(who) + ": mask file " + path.string() +
                              " must be single-channel 8-bit gray, but it has " +
                              std::to_string(header.channels()) + " channel" + (header.channels() == 1 ? "" : "s") +
                              " (" + header.color_name() + ") of " + std::to_string(header.bit_depth) + " bit" +
                              (header.bit_depth == 1 ? "" : "s"));
    const auto info = probe_image(*file.bytes, path, who, "mask file");
    const auto pixels = decode_image(*file.bytes, 1, path, who, "mask file");
    file.labels = xt::xtensor<std::uint8_t, 2>(xt::adapt(pixels.get(), info.height * info.width, xt::no_ownership(),
                                                         std::array<std::size_t, 2>{info.height, info.width}));
    return file;
}

}  // namespace detail
#if !WANDB_IMAGEMASK_HEADER_ONLY
template class ImageMask<std::uint8_t>;
#endif

WANDB_NAMESPACE_END
