// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Turning an Image and its overlays into file images, each with its SHA-256: the CPU-heavy part
/// of logging, kept apart from naming and writing so it can run on worker threads.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "../bounding_boxes.hpp"
#include "../image.hpp"
#include "../image_mask.hpp"
#include "../png.hpp"
#include "../detail/deflate.hpp"
#include "../detail/hash.hpp"
#include "../detail/image_file.hpp"
#include "../detail/stb.hpp"
#include "strided_access.hpp"
#include "strided_rows.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// One media file ready to be written: where it goes (subdirectory and extension), its bytes and
/// the SHA-256 of those bytes (computed once, here, not by reading the written file back).
struct EncodedFile {
    std::string subdir;     ///< "media/images", "media/images/mask" or "media/metadata/boxes2D"
    std::string extension;  ///< ".png", ".mask.png", ".boxes2D.json", ...
    SharedBytes bytes;
    Sha256Digest sha256;
};

/// The JPEG quality an Image logged as "jpg" is written with: PIL's default for `Image.save`
/// (75), which the SDK's `wandb.Image(..., file_type="jpg")` uses.
inline constexpr int jpeg_quality = 75;

/// Wraps bytes with their digest.
inline EncodedFile make_encoded_file(std::string subdir, std::string extension, SharedBytes bytes) {
    const Sha256Digest digest = Sha256::of(bytes->data(), bytes->size());
    return {std::move(subdir), std::move(extension), std::move(bytes), digest};
}

/// A PNG of a (validated) view, read a row at a time: from the view's own memory when its rows
/// are packed 8-bit pixels, else through two row buffers; never a copy of the whole image.
inline std::vector<std::uint8_t> encode_png_view(const StridedPixels& view) {
    StridedRows rows(view);
    return encode_png_rows(rows, view.width, view.height, view.channels, PngOptions{}, ZlibBackend::best);
}

/// The image's own file: its pixels encoded as png (our encoder), jpg (stb, jpeg_quality, alpha
/// dropped, as PIL saves RGBA-as-RGB) or bmp (stb); or the bytes of the file it came from.
/// PNG reads borrowed pixels where they are; stb needs one packed buffer, so jpg and bmp of
/// strided or reordered pixels make a temporary packed copy.
inline EncodedFile encode_image(const Image& image) {
    if (image.file_bytes())
        return make_encoded_file("media/images", "." + image.format(), image.file_bytes());
    const StridedPixels& view = *image.pixel_view();
    const std::size_t channels = view.channels;
    auto bytes = std::make_shared<std::vector<std::uint8_t>>();
    if (image.format() == "png") {
        *bytes = encode_png_view(view);
    } else {
        std::vector<std::uint8_t> packed;
        const std::uint8_t* pixels = static_cast<const std::uint8_t*>(view.data);
        if (!TypedPixels<std::uint8_t>(view).packed()) {
            packed.resize(view.height * view.width * channels);
            copy_view(view, packed.data());
            pixels = packed.data();
        }
        auto sink = [](void* context, void* data, int size) {
            auto* out = static_cast<std::vector<std::uint8_t>*>(context);
            const auto* p = static_cast<const std::uint8_t*>(data);
            out->insert(out->end(), p, p + size);
        };
        const int w = static_cast<int>(image.width()), h = static_cast<int>(image.height());
        const int ok = image.format() == "jpg"
                           ? stbi_write_jpg_to_func(sink, bytes.get(), w, h, static_cast<int>(channels), pixels, jpeg_quality)
                           : stbi_write_bmp_to_func(sink, bytes.get(), w, h, static_cast<int>(channels), pixels);
        if (!ok) throw ValidationError("wandb::Image: cannot encode a " + image.format() + " image");
    }
    return make_encoded_file("media/images", "." + image.format(), std::move(bytes));
}

/// The extension a mask read from a file is logged with: the file's own when it is `.png` in any
/// case (as the SDK keeps it), else `.png`, so that the stored file says what it holds (the SDK
/// would store `mask` or `mask.dat` without one).
inline std::string mask_file_extension(const std::filesystem::path& path) {
    std::string extension = path.extension().string();
    std::string lower = extension;
    for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return lower == ".png" ? extension : ".png";
}

/// A mask's file: an 8-bit gray PNG whose pixel values are the class ids (extension
/// ".mask.png"), or the bytes of the PNG it came from (see mask_file_extension).
inline EncodedFile encode_mask(const ImageMask<std::uint8_t>& mask) {
    if (mask.file_bytes())
        return make_encoded_file("media/images/mask", mask_file_extension(*mask.path()), mask.file_bytes());
    auto bytes = std::make_shared<std::vector<std::uint8_t>>(encode_png_view(mask.view()));
    return make_encoded_file("media/images/mask", ".mask.png", std::move(bytes));
}

/// A box layer's file: compact JSON `{"box_data": [...]}` (+ "class_labels" when given).
inline EncodedFile encode_boxes(const BoundingBoxes2D& boxes) {
    const std::string text = Json(boxes).dump();
    return make_encoded_file("media/metadata/boxes2D", ".boxes2D.json",
                             std::make_shared<std::vector<std::uint8_t>>(text.begin(), text.end()));
}

/// All files of one Image, in the SDK's binding order: the image, each box layer, each mask layer.
struct EncodedImage {
    EncodedFile image;
    std::vector<EncodedFile> boxes;  ///< parallel to Image::boxes()
    std::vector<EncodedFile> masks;  ///< parallel to Image::masks()
};

/// Encodes every file of an image on the calling thread.
inline EncodedImage encode_all(const Image& image) {
    EncodedImage out{encode_image(image), {}, {}};
    for (const auto& layer : image.boxes()) out.boxes.push_back(encode_boxes(*layer.second));
    for (const auto& layer : image.masks()) out.masks.push_back(encode_mask(*layer.second));
    return out;
}

}  // namespace detail
WANDB_NAMESPACE_END
