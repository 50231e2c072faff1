// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of image.hpp: the images from a pixel view and from a file, the overlays, the
/// class set, and the 8-bit pixels made on request.

#include "image.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "detail/image_file.hpp"

WANDB_NAMESPACE_BEGIN

WANDB_IMAGEMASK_INLINE Image::Image(StridedPixels pixels, ImageFormat file_type, Normalize normalize, detail::Caller caller) {
    detail::check_view(pixels, caller, false);
    if (pixels.type == PixelType::u8 && (normalize == Normalize::off || any_above_one(pixels))) {
        storage_ = std::make_shared<detail::ImageStorage>();
        storage_->view = std::move(pixels);
    } else {
        own(convert_view_to_8bit(pixels, normalize, pixels.channels == 1 ? 2 : 3, caller.api));
    }
    set_format(file_type);
}

WANDB_IMAGEMASK_INLINE xt::xtensor<std::uint8_t, 3> Image::convert_view_to_8bit(const StridedPixels& view,
                                                                                Normalize normalize, std::size_t rank,
                                                                                const char* api) {
    return detail::visit_pixel_type(view.type, [&](auto* tag) {
        using Source = std::remove_pointer_t<decltype(tag)>;
        return convert_to_8bit(detail::TypedPixels<Source>(view), normalize, rank, api);
    });
}

WANDB_IMAGEMASK_INLINE Image::Image(const Image& other) = default;
WANDB_IMAGEMASK_INLINE Image::Image(Image&& other) noexcept = default;
WANDB_IMAGEMASK_INLINE Image& Image::operator=(const Image& other) = default;
WANDB_IMAGEMASK_INLINE Image& Image::operator=(Image&& other) noexcept = default;
WANDB_IMAGEMASK_INLINE Image::~Image() = default;

WANDB_IMAGEMASK_INLINE Image::Image(const std::filesystem::path& path) {
    std::string extension = path.extension().string();
    std::string lower = extension;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (lower != ".png" && lower != ".jpg" && lower != ".jpeg" && lower != ".bmp")
        throw ValidationError(std::string(who) + ": image file " + path.string() +
                              " must have extension .png, .jpg, .jpeg or .bmp");
    file_bytes_ = detail::read_input_file(path, who, "image file");
    const auto info = detail::probe_image(*file_bytes_, path, who, "image file");
    const auto expected = lower == ".png" ? detail::FileFormat::png
                          : lower == ".bmp" ? detail::FileFormat::bmp
                                            : detail::FileFormat::jpeg;
    if (info.format != expected)
        throw ValidationError(std::string(who) + ": image file " + path.string() + " holds a " +
                              format_name(info.format) + " image; its extension says " + extension.substr(1));
    detail::check_decodes(*file_bytes_, info, path, who, "image file");  // the whole file, not only its header
    path_ = path;
    format_ = extension.substr(1);
    width_ = info.width;
    height_ = info.height;
}

WANDB_IMAGEMASK_INLINE Image& Image::with_boxes(std::string key, BoundingBoxes2D boxes) & {
    check_layer_key(key, "boxes", has_boxes(key));
    boxes_.emplace_back(std::move(key), std::make_shared<const BoundingBoxes2D>(std::move(boxes)));
    return *this;
}

WANDB_IMAGEMASK_INLINE Image& Image::with_classes(Classes classes) & {
    classes_ = std::move(classes);
    return *this;
}

WANDB_IMAGEMASK_INLINE Image& Image::with_caption(std::string caption) & {
    detail::require_utf8(caption, who, "caption");
    caption_ = std::move(caption);
    return *this;
}

WANDB_IMAGEMASK_INLINE Image& Image::with_grouping(int grouping) & {
    grouping_ = grouping;
    return *this;
}

WANDB_IMAGEMASK_INLINE const std::shared_ptr<const xt::xtensor<std::uint8_t, 3>>& Image::pixels() const {
    static const std::shared_ptr<const xt::xtensor<std::uint8_t, 3>> none;
    if (!storage_) return none;
    std::call_once(storage_->materialized, [this] {
        if (storage_->tensor) return;
        const StridedPixels& v = storage_->view;
        auto copy = std::make_shared<xt::xtensor<std::uint8_t, 3>>(std::array<std::size_t, 3>{v.height, v.width, v.channels});
        detail::copy_view(v, copy->data());
        storage_->tensor = std::move(copy);
    });
    return storage_->tensor;
}

WANDB_IMAGEMASK_INLINE std::vector<ClassInfo> Image::class_set() const {
    std::vector<ClassInfo> merged;
    auto put = [&](int id, const std::string& name) {
        auto it = std::find_if(merged.begin(), merged.end(), [&](const ClassInfo& c) { return c.id == id; });
        if (it != merged.end()) {
            it->name = name;
        } else {
            merged.push_back({id, name});
        }
    };
    for (const auto& layer : boxes_)
        for (const auto& [id, name] : layer.second->class_labels()) put(id, name);
    for (const auto& layer : masks_)
        for (const auto& [id, name] : layer.second->class_labels()) put(id, name);
    if (classes_)
        for (const ClassInfo& c : classes_->class_set()) put(c.id, c.name);
    return merged;
}

WANDB_IMAGEMASK_INLINE const char* Image::format_name(detail::FileFormat f) {
    switch (f) {
        case detail::FileFormat::png: return "PNG";
        case detail::FileFormat::jpeg: return "JPEG";
        case detail::FileFormat::bmp: return "BMP";
        default: return "unknown";
    }
}

WANDB_IMAGEMASK_INLINE Image& Image::add_mask(std::string key, ImageMask<std::uint8_t> mask) {
    check_layer_key(key, "mask", has_mask(key));
    if (mask.height() != height_ || mask.width() != width_)
        throw ValidationError(std::string(who) + ": mask " + detail::quoted(key) + " has shape (" +
                              std::to_string(mask.height()) + ", " + std::to_string(mask.width()) +
                              ") but the image has shape (" + std::to_string(height_) + ", " +
                              std::to_string(width_) + ")");
    masks_.emplace_back(std::move(key), std::make_shared<const ImageMask<std::uint8_t>>(std::move(mask)));
    return *this;
}

WANDB_IMAGEMASK_INLINE bool Image::has_mask(const std::string& key) const {
    return std::any_of(masks_.begin(), masks_.end(), [&](const auto& m) { return m.first == key; });
}

WANDB_IMAGEMASK_INLINE bool Image::has_boxes(const std::string& key) const {
    return std::any_of(boxes_.begin(), boxes_.end(), [&](const auto& b) { return b.first == key; });
}

WANDB_IMAGEMASK_INLINE void Image::check_layer_key(const std::string& key, const char* kind, bool taken) {
    detail::require_name(key, who, std::string(kind) + " key");
    if (taken) throw ValidationError(std::string(who) + ": duplicate " + kind + " key " + detail::quoted(key));
}

WANDB_IMAGEMASK_INLINE void Image::own(xt::xtensor<std::uint8_t, 3>&& pixels) {
    auto tensor = std::make_shared<const xt::xtensor<std::uint8_t, 3>>(std::move(pixels));
    height_ = tensor->shape()[0];
    width_ = tensor->shape()[1];
    const std::size_t channels = tensor->shape()[2];
    storage_ = std::make_shared<detail::ImageStorage>();
    storage_->view = strided_pixels(tensor->data(), height_, width_, channels, std::ptrdiff_t(width_ * channels),
                                    std::ptrdiff_t(channels), 1, tensor);
    storage_->tensor = std::move(tensor);
}

WANDB_IMAGEMASK_INLINE void Image::set_format(ImageFormat file_type) {
    if (storage_) {
        height_ = storage_->view.height;
        width_ = storage_->view.width;
    }
    format_ = file_type == ImageFormat::png ? "png" : file_type == ImageFormat::jpg ? "jpg" : "bmp";
}

WANDB_IMAGEMASK_INLINE bool Image::any_above_one(const StridedPixels& view) {
    const detail::TypedPixels<std::uint8_t> px(view);
    for (std::size_t r = 0; r < px.height; ++r) {
        if (px.rows_packed()) {
            const std::uint8_t* p = px.row_data(r);
            if (std::any_of(p, p + px.width * px.channels, [](std::uint8_t v) { return v > 1; })) return true;
        } else {
            for (std::size_t c = 0; c < px.width; ++c)
                for (std::size_t k = 0; k < px.channels; ++k)
                    if (px.at(r, c, k) > 1) return true;
        }
    }
    return false;
}

WANDB_NAMESPACE_END
