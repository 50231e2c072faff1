// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of media.hpp: file names, the payloads, and the files written with
/// internal/media_encoding.hpp's encoders and detail/atomic_file.hpp.

#include "media.hpp"

#include <algorithm>

#include "detail/atomic_file.hpp"
#include "detail/text.hpp"
#include "internal/media_encoding.hpp"

WANDB_NAMESPACE_BEGIN

WANDB_IMAGEMASK_INLINE std::string make_file_path_upload_safe(std::string_view key) {
    while (!key.empty() && key.front() == '/') key.remove_prefix(1);
    std::string out;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = key.find('/', start);
        const std::string_view segment = key.substr(start, slash == std::string_view::npos ? key.npos : slash - start);
        out += segment == "." ? "_" : segment == ".." ? "__" : std::string(segment);
        if (slash == std::string_view::npos) break;
        out += '/';
        start = slash + 1;
    }
    return out;
}

namespace detail {

WANDB_IMAGEMASK_INLINE std::string checked_media_file_name(std::string_view key, std::int64_t step, std::string_view id,
                                                           std::string_view extension, const char* who) {
    require_name(key, who, "key");
    std::string name = make_file_path_upload_safe(key);
    name += '_';
    name += std::to_string(step);
    name += '_';
    name += id;
    name += extension;
    std::size_t start = 0;
    while (start <= name.size()) {
        const std::size_t slash = std::min(name.find('/', start), name.size());
        if (slash - start > 255)
            throw ValidationError(std::string(who) + ": key " + quoted(key) + " makes a file name segment of " +
                                  std::to_string(slash - start) + " bytes; the limit is 255");
        start = slash + 1;
    }
    return name;
}

}  // namespace detail

WANDB_IMAGEMASK_INLINE std::string media_file_name(std::string_view key, std::int64_t step, std::string_view id,
                                                   std::string_view extension) {
    return detail::checked_media_file_name(key, step, id, extension, "wandb::media_file_name");
}

WANDB_IMAGEMASK_INLINE void add_class_label_singletons(Json& wandb_config,
                                                       const std::vector<ClassLabelSingleton>& singletons) {
    if (!wandb_config.is_object()) wandb_config = Json::object();
    for (const ClassLabelSingleton& s : singletons) {
        Json entry = Json::object();
        entry["type"] = s.type;
        entry["key"] = s.key;
        entry["value"] = detail::class_labels_json(s.labels);
        wandb_config[s.type][s.key] = std::move(entry);
    }
}

namespace detail {

WANDB_IMAGEMASK_INLINE NamedImage name_image(const EncodedImage& encoded, const RunContext& context, const char* who) {
    const auto name = [&](const EncodedFile& file) {
        return NamedFile{&file, file.subdir + "/" +
                                    checked_media_file_name(context.key, context.step, file.sha256.hex().substr(0, 20),
                                                            file.extension, who)};
    };
    NamedImage out{name(encoded.image), {}, {}};
    for (const EncodedFile& f : encoded.boxes) out.boxes.push_back(name(f));
    for (const EncodedFile& f : encoded.masks) out.masks.push_back(name(f));
    return out;
}

WANDB_IMAGEMASK_INLINE void write_named(const NamedImage& named, const std::filesystem::path& files_dir,
                                        std::vector<std::string>& written, const char* who) {
    for_each_file(named, [&](const NamedFile& f) {
        if (std::find(written.begin(), written.end(), f.path) != written.end()) return;
        write_file_atomically(files_dir / f.path, f.file->bytes->data(), f.file->bytes->size(), who);
        written.push_back(f.path);
    });
}

WANDB_IMAGEMASK_INLINE Json file_payload(const NamedFile& f, const char* type) {
    Json j = Json::object();
    j["_type"] = type;
    j["sha256"] = f.file->sha256.hex();
    j["size"] = f.file->bytes->size();
    j["path"] = f.path;
    return j;
}

WANDB_IMAGEMASK_INLINE void layer_payloads(const Image& image, const NamedImage& named, const std::string& key,
                                           Json& boxes, Json& masks, RunPayload& payload) {
    for_each_file(named, [&](const NamedFile& f) {
        if (std::find(payload.files.begin(), payload.files.end(), f.path) == payload.files.end())
            payload.files.push_back(f.path);
    });
    boxes = Json::object();
    masks = Json::object();
    for (std::size_t i = 0; i < image.boxes().size(); ++i) {
        const auto& [name, layer] = image.boxes()[i];
        boxes[name] = file_payload(named.boxes[i], "boxes2D");
        payload.singletons.push_back({"bounding_box/class_labels", key + "_wandb_delimeter_" + name, layer->class_labels()});
    }
    for (std::size_t i = 0; i < image.masks().size(); ++i) {
        const auto& [name, layer] = image.masks()[i];
        masks[name] = file_payload(named.masks[i], "mask");
        payload.singletons.push_back({"mask/class_labels", key + "_wandb_delimeter_" + name, layer->class_labels()});
    }
}

WANDB_IMAGEMASK_INLINE RunPayload image_payload(const Image& image, const NamedImage& named, const std::string& key) {
    RunPayload payload;
    Json boxes, masks;
    layer_payloads(image, named, key, boxes, masks, payload);
    Json& j = payload.value;
    j = Json::object();
    if (image.caption()) j["caption"] = *image.caption();
    const Json file = file_payload(named.image, "image-file");
    for (auto& [k, v] : file.items()) j[k] = v;
    j["format"] = image.format();
    j["width"] = image.width();
    j["height"] = image.height();
    if (image.grouping() && *image.grouping() != 0) j["grouping"] = *image.grouping();
    if (!boxes.empty()) j["boxes"] = std::move(boxes);
    if (!masks.empty()) j["masks"] = std::move(masks);
    return payload;
}

WANDB_IMAGEMASK_INLINE RunPayload images_payload(const std::vector<Image>& images, const std::vector<NamedImage>& named,
                                                 const std::string& key) {
    RunPayload payload;
    Json filenames = Json::array(), captions = Json::array(), all_masks = Json::array(), all_boxes = Json::array();
    bool any_masks = false, any_boxes = false;
    for (std::size_t i = 0; i < images.size(); ++i) {
        const Image& image = images[i];
        filenames.push_back(named[i].image.path);
        Json boxes, masks;
        layer_payloads(image, named[i], key, boxes, masks, payload);
        captions.push_back(image.caption() ? Json(*image.caption()) : Json(nullptr));
        any_masks = any_masks || !masks.empty();
        any_boxes = any_boxes || !boxes.empty();
        all_masks.push_back(masks.empty() ? Json(nullptr) : std::move(masks));
        all_boxes.push_back(boxes.empty() ? Json(nullptr) : std::move(boxes));
    }
    Json& j = payload.value;
    j = Json::object();
    j["_type"] = "images/separated";
    j["width"] = images.front().width();
    j["height"] = images.front().height();
    j["format"] = images.front().format();
    j["count"] = images.size();
    j["filenames"] = std::move(filenames);
    if (images.front().caption()) j["captions"] = std::move(captions);
    if (any_masks) j["all_masks"] = std::move(all_masks);
    if (any_boxes) j["all_boxes"] = std::move(all_boxes);
    return payload;
}

WANDB_IMAGEMASK_INLINE void check_image_list(const std::vector<Image>& images, const std::string& key,
                                             const char* who) {
    if (images.empty())
        throw ValidationError(std::string(who) + ": the list of images under key " + detail::quoted(key) + " is empty");
    if (images.size() > max_images_per_key)
        throw ValidationError(std::string(who) + ": " + std::to_string(images.size()) + " images under key " +
                              detail::quoted(key) + "; W&B shows at most " + std::to_string(max_images_per_key) +
                              " per key, so log them under several keys");
    for (std::size_t i = 1; i < images.size(); ++i)
        if (images[i].width() != images[0].width() || images[i].height() != images[0].height())
            throw ValidationError(std::string(who) + ": image " + std::to_string(i) + " under key " + detail::quoted(key) +
                                  " is " + std::to_string(images[i].width()) + "x" + std::to_string(images[i].height()) +
                                  " pixels but image 0 is " + std::to_string(images[0].width()) + "x" +
                                  std::to_string(images[0].height()) +
                                  "; W&B shows a list at one size, so log images of other sizes under another key");
}

}  // namespace detail

WANDB_IMAGEMASK_INLINE RunPayload bind_to_run(const Image& image, const RunContext& context) {
    constexpr const char* who = "wandb::bind_to_run";
    const detail::EncodedImage encoded = detail::encode_all(image);
    const detail::NamedImage named = detail::name_image(encoded, context, who);
    std::vector<std::string> written;
    detail::write_named(named, context.files_dir, written, who);
    return detail::image_payload(image, named, context.key);
}

WANDB_IMAGEMASK_INLINE RunPayload bind_to_run(const std::vector<Image>& images, const RunContext& context) {
    constexpr const char* who = "wandb::bind_to_run";
    detail::check_image_list(images, context.key, who);
    std::vector<detail::EncodedImage> encoded;
    encoded.reserve(images.size());
    for (const Image& image : images) encoded.push_back(detail::encode_all(image));
    std::vector<detail::NamedImage> named;
    for (const detail::EncodedImage& e : encoded) named.push_back(detail::name_image(e, context, who));
    std::vector<std::string> written;
    for (const detail::NamedImage& n : named) detail::write_named(n, context.files_dir, written, who);
    return detail::images_payload(images, named, context.key);
}

WANDB_NAMESPACE_END
