// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Binding media to a run: where files go (`<subdir>/<key>_<step>_<sha256[:20]><ext>`), writing
/// them, and the exact JSON the W&B UI reads from a run's history ("run context").

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "classes.hpp"
#include "error.hpp"
#include "image.hpp"
#include "json.hpp"

WANDB_NAMESPACE_BEGIN

/// The most images W&B shows under one key (the SDK's Image.MAX_ITEMS).
inline constexpr std::size_t max_images_per_key = 108;

/// A history key made safe as a path below a media directory, as the SDK does it: leading '/'
/// removed; path segments that are exactly "." or ".." become "_" and "__"; a '/' inside the key
/// makes subdirectories. "val/img" -> "val/img", "../x" -> "__/x", "/abs" -> "abs".
std::string make_file_path_upload_safe(std::string_view key);

namespace detail {
/// media_file_name with the message prefix `who` (the API the user called).
std::string checked_media_file_name(std::string_view key, std::int64_t step, std::string_view id,
                                    std::string_view extension, const char* who);
}  // namespace detail

/// A media file's name below its subdirectory: `<upload-safe key>_<step>_<id><extension>`.
/// \param id  normally the first 20 hex digits of the file's SHA-256.
/// \throws wandb::ValidationError  if the key is empty, not UTF-8, holds a control character, or
///         makes a path segment longer than 255 bytes.
std::string media_file_name(std::string_view key, std::int64_t step, std::string_view id,
                            std::string_view extension);

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
void add_class_label_singletons(Json& wandb_config, const std::vector<ClassLabelSingleton>& singletons);

namespace detail {

struct EncodedFile;   // internal/media_encoding.hpp
struct EncodedImage;  // internal/media_encoding.hpp

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
NamedImage name_image(const EncodedImage& encoded, const RunContext& context, const char* who);

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
void write_named(const NamedImage& named, const std::filesystem::path& files_dir, std::vector<std::string>& written,
                 const char* who);

/// A file's payload: `{"_type", "sha256", "size", "path"}` (the SDK's key order).
Json file_payload(const NamedFile& f, const char* type);

/// Adds an image's files to `payload.files` (each path once, in order), fills the `boxes` and
/// `masks` objects with the layers' payloads, and adds the layers' class-label singletons.
void layer_payloads(const Image& image, const NamedImage& named, const std::string& key, Json& boxes, Json& masks,
                    RunPayload& payload);

/// The `image-file` payload of a named image, in the SDK's key order: caption, _type, sha256,
/// size, path, format, width, height, grouping, boxes, masks; with its files and singletons.
RunPayload image_payload(const Image& image, const NamedImage& named, const std::string& key);

/// The `images/separated` payload of a list of named images: _type, width, height, format (from
/// the first image), count, filenames, then captions (when the first image has one), all_masks
/// and all_boxes (when any image has them; null for the rest); with the files and singletons.
RunPayload images_payload(const std::vector<Image>& images, const std::vector<NamedImage>& named,
                          const std::string& key);

/// Checks a list of images before anything is encoded; `who` prefixes the message.
/// The images must all have the first one's size: the SDK writes one width and height for the
/// list (image.py `seq_to_json`, which only logs a warning that the UI will show the others
/// wrongly); here that is an error, since a warning nobody reads would hide it.
/// \throws ValidationError for an empty list, more than max_images_per_key, or sizes that differ.
void check_image_list(const std::vector<Image>& images, const std::string& key, const char* who);

}  // namespace detail

/// Writes an image's files (image, boxes, masks) below `context.files_dir` and returns the
/// history value `{"_type": "image-file", ..., "masks": {...}}`, the files written and the
/// class-label singletons, exactly as the SDK's bind_to_run + to_json produce them.
/// \throws wandb::ValidationError for a bad key (before any file is written); wandb::IoError if a
///         file cannot be written (no partial file is left; files written before the failure stay).
RunPayload bind_to_run(const Image& image, const RunContext& context);

/// Writes the files of a list of images logged under one key and returns the SDK's
/// `{"_type": "images/separated", ...}` value, the files and the singletons.
/// \throws wandb::ValidationError for an empty list, more than 108 images (W&B's limit), images of
///         different sizes, or a bad key; wandb::IoError as above.
RunPayload bind_to_run(const std::vector<Image>& images, const RunContext& context);

WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "media-inl.hpp"
#endif
