// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Binding media to a run: where files go (`<subdir>/<key>_<step>_<sha256[:20]><ext>`), writing
/// them, and the exact JSON the W&B UI reads from a run's history ("run context").

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "classes.hpp"
#include "detail/atomic_file.hpp"
#include "internal/media_encoding.hpp"
#include "detail/text.hpp"
#include "error.hpp"
#include "image.hpp"
#include "json.hpp"

WANDB_NAMESPACE_BEGIN

/// The most images W&B shows under one key (the SDK's Image.MAX_ITEMS).
inline constexpr std::size_t max_images_per_key = 108;

/// A history key made safe as a path below a media directory, as the SDK does it: leading '/'
/// removed; path segments that are exactly "." or ".." become "_" and "__"; a '/' inside the key
/// makes subdirectories. "val/img" -> "val/img", "../x" -> "__/x", "/abs" -> "abs".
inline std::string make_file_path_upload_safe(std::string_view key) {
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
/// media_file_name with the message prefix `who` (the API the user called).
inline std::string checked_media_file_name(std::string_view key, std::int64_t step, std::string_view id,
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

/// A media file's name below its subdirectory: `<upload-safe key>_<step>_<id><extension>`.
/// \param id  normally the first 20 hex digits of the file's SHA-256.
/// \throws wandb::ValidationError  if the key is empty, not UTF-8, holds a control character, or
///         makes a path segment longer than 255 bytes.
inline std::string media_file_name(std::string_view key, std::int64_t step, std::string_view id,
                                   std::string_view extension) {
    return detail::checked_media_file_name(key, step, id, extension, "wandb::media_file_name");
}

/// Where one logged value's media go: the run's files directory, the history key, the step.
struct RunContext {
    std::filesystem::path files_dir;  ///< the run's `files/` directory; media go below `media/`
    std::string key;                  ///< the history key, e.g. "img_with_masks" or "val/examples"
    std::int64_t step = 0;            ///< the step that names the files
};

/// A class-label map the run config records for one mask or box layer (the SDK's singletons):
/// `config._wandb[type][key] = {"type": type, "key": key, "value": labels}`.
struct ClassLabelSingleton {
    std::string type;  ///< "mask/class_labels" or "bounding_box/class_labels"
    std::string key;   ///< "<history key>_wandb_delimeter_<layer key>" (the SDK's spelling)
    ClassLabels labels;
};

/// What binding a value to a run produced.
struct RunPayload {
    Json value;                                   ///< the history value (image-file, images/separated)
    std::vector<std::string> files;               ///< files written, relative to files_dir, '/'-separated, in order
    std::vector<ClassLabelSingleton> singletons;  ///< class labels to record in config._wandb
};

/// Merges singletons into a `config._wandb` object: `{"mask/class_labels": {key: {...}}, ...}`.
/// A later singleton with the same type and key replaces the earlier one, as in the SDK.
inline void add_class_label_singletons(Json& wandb_config, const std::vector<ClassLabelSingleton>& singletons) {
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

/// An encoded file and the path it is written to below the run's files directory:
/// `<subdir>/<upload-safe key>_<step>_<sha256[:20]><extension>`, computed once, by name_image.
struct NamedFile {
    const EncodedFile* file = nullptr;
    std::string path;  ///< relative to the files directory, '/'-separated
};

/// The named files of one image, in the SDK's binding order: the image, each box layer, each mask
/// layer (parallel to Image::boxes() and Image::masks()).
struct NamedImage {
    NamedFile image;
    std::vector<NamedFile> boxes;
    std::vector<NamedFile> masks;
};

/// Names every file of an encoded image, so that a key that cannot name one of them is refused
/// before any file is written.
/// \throws ValidationError naming `who` if the key cannot name a file (see media_file_name).
inline NamedImage name_image(const EncodedImage& encoded, const RunContext& context, const char* who) {
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

/// Calls `visit` with every named file of an image, the image first, then boxes, then masks.
template <class Visit>
void for_each_file(const NamedImage& named, Visit&& visit) {
    visit(named.image);
    for (const NamedFile& f : named.boxes) visit(f);
    for (const NamedFile& f : named.masks) visit(f);
}

/// Writes each named file below `files_dir` (atomically) unless its path is in `written`, and
/// appends the paths it wrote: identical bytes under one key have one name, written once.
/// \throws IoError naming `who` and the path; files written before the failure stay (and are in `written`).
inline void write_named(const NamedImage& named, const std::filesystem::path& files_dir, std::vector<std::string>& written,
                        const char* who) {
    for_each_file(named, [&](const NamedFile& f) {
        if (std::find(written.begin(), written.end(), f.path) != written.end()) return;
        write_file_atomically(files_dir / f.path, f.file->bytes->data(), f.file->bytes->size(), who);
        written.push_back(f.path);
    });
}

/// A file's payload: `{"_type", "sha256", "size", "path"}` (the SDK's key order).
inline Json file_payload(const NamedFile& f, const char* type) {
    Json j = Json::object();
    j["_type"] = type;
    j["sha256"] = f.file->sha256.hex();
    j["size"] = f.file->bytes->size();
    j["path"] = f.path;
    return j;
}

/// Adds an image's files to `payload.files` (each path once, in order), fills the `boxes` and
/// `masks` objects with the layers' payloads, and adds the layers' class-label singletons.
inline void layer_payloads(const Image& image, const NamedImage& named, const std::string& key, Json& boxes, Json& masks,
                           RunPayload& payload) {
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

/// The `image-file` payload of a named image, in the SDK's key order: caption, _type, sha256,
/// size, path, format, width, height, grouping, boxes, masks; with its files and singletons.
inline RunPayload image_payload(const Image& image, const NamedImage& named, const std::string& key) {
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

/// The `images/separated` payload of a list of named images: _type, width, height, format (from
/// the first image), count, filenames, then captions (when the first image has one), all_masks
/// and all_boxes (when any image has them; null for the rest); with the files and singletons.
inline RunPayload images_payload(const std::vector<Image>& images, const std::vector<NamedImage>& named,
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

/// Checks a list of images before anything is encoded; `who` prefixes the message.
/// The images must all have the first one's size: the SDK writes one width and height for the
/// list (image.py `seq_to_json`, which only logs a warning that the UI will show the others
/// wrongly); here that is an error, since a warning nobody reads would hide it.
/// \throws ValidationError for an empty list, more than max_images_per_key, or sizes that differ.
inline void check_image_list(const std::vector<Image>& images, const std::string& key, const char* who) {
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

/// Writes an image's files (image, boxes, masks) below `context.files_dir` and returns the
/// history value `{"_type": "image-file", ..., "masks": {...}}`, the files written and the
/// class-label singletons, exactly as the SDK's bind_to_run + to_json produce them.
/// \throws wandb::ValidationError for a bad key (before any file is written); wandb::IoError if a
///         file cannot be written (no partial file is left; files written before the failure stay).
inline RunPayload bind_to_run(const Image& image, const RunContext& context) {
    constexpr const char* who = "wandb::bind_to_run";
    const detail::EncodedImage encoded = detail::encode_all(image);
    const detail::NamedImage named = detail::name_image(encoded, context, who);
    std::vector<std::string> written;
    detail::write_named(named, context.files_dir, written, who);
    return detail::image_payload(image, named, context.key);
}

/// Writes the files of a list of images logged under one key and returns the SDK's
/// `{"_type": "images/separated", ...}` value, the files and the singletons.
/// \throws wandb::ValidationError for an empty list, more than 108 images (W&B's limit), images of
///         different sizes, or a bad key; wandb::IoError as above.
inline RunPayload bind_to_run(const std::vector<Image>& images, const RunContext& context) {
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
