// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Logging a wandb::Table to an offline run as the SDK's `run.log({key: table})` does
/// (`data_types/utils.py` val_to_json + `_log_table_artifact`, `table.py`, `image.py`):
/// 1. a `run_table` artifact `run-<run id>-<key>` whose members are `<key>.table.json` (the table in
///    "artifact context", written with `json.dumps(sort_keys=True)`), every image and mask file
///    under an MD5-derived name, and one `media/classes/<md5 of repr(class set)>_cls.classes.json`
///    per distinct class set;
/// 2. the run-side file `media/table/<key>_<step>_<sha256[:20]>.table.json` holding only
///    `{"columns": [...], "data": [...]}` (first 10000 rows, images as the string "Image");
/// 3. the history value `{"_type": "table-file", ...}` pointing at both.
/// The offline run appends the Artifact record, a Files record for the run-side file and the
/// history value; this header only builds and writes them.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../error.hpp"
#include "../image.hpp"
#include "../json.hpp"
#include "../media.hpp"
#include "../table.hpp"
#include "../detail/artifact.hpp"
#include "../detail/atomic_file.hpp"
#include "../detail/hash.hpp"
#include "media_encoding.hpp"
#include "../detail/python_json.hpp"
#include "../detail/python_repr.hpp"
#include "../detail/records.hpp"
#include "../detail/text.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// The distinct image and mask files of a table's cells (in the rows the artifact holds), to be
/// encoded before the table is staged: on a worker pool, outside the run's lock. One file per
/// shared buffer, as the staging names them: an image's pixels or file bytes (and its format),
/// and each mask.
class TableMediaFiles {
public:
    /// Lists the files of `table`'s image cells; encodes nothing yet.
    explicit TableMediaFiles(const Table& table) {
        const std::size_t rows = std::min(table.nrows(), Table::max_artifact_rows);
        for (std::size_t r = 0; r < rows; ++r)
            for (const TableCell& cell : table.data()[r]) {
                const Image* image = cell.image();
                if (!image) continue;
                images_.try_emplace(image_key(*image), Slot<Image>{image, {}});
                for (const auto& layer : image->masks()) masks_.try_emplace(layer.second.get(), Slot<ImageMask<std::uint8_t>>{layer.second.get(), {}});
            }
    }

    /// Appends one task per file, each encoding into its own slot (this object must outlive them).
    void add_tasks(std::vector<std::function<void()>>& tasks) {
        for (auto& [key, slot] : images_) tasks.emplace_back([&slot = slot] { slot.encoded = encode_image(*slot.source); });
        for (auto& [key, slot] : masks_) tasks.emplace_back([&slot = slot] { slot.encoded = encode_mask(*slot.source); });
    }

    /// Encodes every file on the calling thread.
    void encode_here() {
        std::vector<std::function<void()>> tasks;
        add_tasks(tasks);
        for (auto& task : tasks) task();
    }

    /// The encoded file of an image cell listed by the constructor.
    const EncodedFile& image(const Image& image) const { return images_.at(image_key(image)).encoded; }
    /// The encoded file of a mask of such a cell.
    const EncodedFile& mask(const ImageMask<std::uint8_t>& mask) const { return masks_.at(&mask).encoded; }
    /// How many files there are to encode (images and masks; boxes are inline).
    std::size_t size() const noexcept { return images_.size() + masks_.size(); }

private:
    template <class Source>
    struct Slot {
        const Source* source;
        EncodedFile encoded;
    };
    static std::pair<const void*, std::string> image_key(const Image& image) {
        const void* buffer = image.file_bytes() ? static_cast<const void*>(image.file_bytes().get())
                                                : static_cast<const void*>(image.pixel_view());
        return {buffer, image.format()};
    }

    std::map<std::pair<const void*, std::string>, Slot<Image>> images_;  // map nodes stay put: tasks hold them
    std::map<const void*, Slot<ImageMask<std::uint8_t>>> masks_;
};

/// Turns table cells into their artifact-context JSON, staging each distinct media file once:
/// an Image's pixels (or file bytes) and each mask are encoded once per shared buffer, and files
/// with identical bytes share one member name (the SDK names them by MD5), so one staged copy.
class TableArtifactWriter {
public:
    /// \param stager  receives the media members; \param files  the table's encoded media.
    TableArtifactWriter(ArtifactStager& stager, const TableMediaFiles& files) : stager_(stager), files_(files) {}

    /// The table's `<key>.table.json` value: `_type`, `columns`, `data`, `ncols`, `nrows`,
    /// `column_types`, `log_mode` (first Table::max_artifact_rows rows).
    /// \throws IoError if a media file cannot be staged; ValidationError if encoding fails.
    Json table_json(const Table& table) {
        Json data = Json::array();
        const std::size_t rows = std::min(table.nrows(), Table::max_artifact_rows);
        for (std::size_t r = 0; r < rows; ++r) {
            Json row = Json::array();
            for (const TableCell& cell : table.data()[r]) row.push_back(cell_json(cell));
            data.push_back(std::move(row));
        }
        Json j = Json::object();
        j["_type"] = "table";
        j["columns"] = table.columns();
        j["data"] = std::move(data);
        j["ncols"] = table.ncols();
        j["nrows"] = rows;
        j["column_types"] = table.column_types();
        j["log_mode"] = table.log_mode();
        return j;
    }

    /// A cell in artifact context: JSON values as they are, images as `image-file` objects,
    /// histograms as their payload.
    Json cell_json(const TableCell& cell) {
        return std::visit(overloaded{[](const Json& json) { return json; },
                                     [this](const Image& image) { return image_json(image); },
                                     [](const Histogram& histogram) { return histogram.to_json(); }},
                          cell.get());
    }

private:
    struct MediaRef {
        std::string path;    ///< member name
        std::string sha256;  ///< hex digest of the bytes
    };

    /// Stages an encoded file: a temporary file (pixels, array masks) is renamed to its MD5
    /// (`<subdir>/<md5 hex[:20]><extension>`), a file given by path keeps its name below its
    /// SHA-256 (`<subdir>/<sha256 hex[:20]>/<basename>`).
    MediaRef stage(const EncodedFile& file, const std::optional<std::filesystem::path>& source) {
        const Md5Digest md5 = Md5::of(file.bytes->data(), file.bytes->size());
        const std::string sha = file.sha256.hex();
        // A file keeps its stem; its extension is the one it is logged with (a mask file without
        // ".png" gets one, see mask_file_extension).
        const std::string name = source ? file.subdir + "/" + sha.substr(0, 20) + "/" + source->stem().string() + file.extension
                                        : file.subdir + "/" + md5.hex().substr(0, 20) + file.extension;
        stager_.add(name, file.bytes->data(), file.bytes->size(), &md5);
        return {name, sha};
    }

    const MediaRef& image_file(const Image& image) {
        const EncodedFile& file = files_.image(image);
        auto it = staged_.find(&file);
        if (it == staged_.end()) it = staged_.emplace(&file, stage(file, image.path())).first;
        return it->second;
    }

    const MediaRef& mask_file(const ImageMask<std::uint8_t>& mask) {
        const EncodedFile& file = files_.mask(mask);
        auto it = staged_.find(&file);
        if (it == staged_.end()) it = staged_.emplace(&file, stage(file, mask.path())).first;
        return it->second;
    }

    /// `{"type": "classes-file", "path", "digest"}` for a class set, staging its file once.
    Json classes_json(const std::vector<ClassInfo>& class_set) {
        std::vector<std::pair<int, std::string>> pairs;
        for (const ClassInfo& c : class_set) pairs.emplace_back(c.id, c.name);
        const std::string repr = python_class_set_repr(pairs);
        const std::string name = "media/classes/" + Md5::of(repr.data(), repr.size()).hex() + "_cls.classes.json";
        const ArtifactManifestEntry* entry = stager_.find(name);
        if (!entry) {
            const Json file = Classes(class_set);  // {"_type": "classes", "class_set": [...]}
            entry = &stager_.add(name, dump_python_json(file));
        }
        Json j = Json::object();
        j["type"] = "classes-file";
        j["path"] = entry->path;
        j["digest"] = entry->digest;
        return j;
    }

    /// The SDK's `Image.to_json(artifact)`, in its key order: caption, path, sha256, _type,
    /// format, width, height, grouping, classes, boxes (bare box lists), masks.
    Json image_json(const Image& image) {
        Json j = Json::object();
        if (image.caption()) j["caption"] = *image.caption();
        const MediaRef& file = image_file(image);
        j["path"] = file.path;
        j["sha256"] = file.sha256;
        j["_type"] = "image-file";
        j["format"] = image.format();
        j["width"] = image.width();
        j["height"] = image.height();
        if (image.grouping() && *image.grouping() != 0) j["grouping"] = *image.grouping();
        const std::vector<ClassInfo> class_set = image.class_set();
        if (!class_set.empty()) j["classes"] = classes_json(class_set);
        if (!image.boxes().empty()) {
            Json boxes = Json::object();
            for (const auto& [key, layer] : image.boxes()) {
                Json list = Json::array();
                for (const Box2D& box : layer->box_data()) list.push_back(box);
                boxes[key] = std::move(list);
            }
            j["boxes"] = std::move(boxes);
        }
        if (!image.masks().empty()) {
            Json masks = Json::object();
            for (const auto& [key, mask] : image.masks()) {
                const MediaRef& ref = mask_file(*mask);
                Json m = Json::object();
                m["path"] = ref.path;
                m["sha256"] = ref.sha256;
                m["_type"] = "mask";
                masks[key] = std::move(m);
            }
            j["masks"] = std::move(masks);
        }
        return j;
    }

    ArtifactStager& stager_;
    const TableMediaFiles& files_;
    std::map<const EncodedFile*, MediaRef> staged_;
};

/// Where and under which names a table is logged.
struct TableRunContext {
    std::filesystem::path run_dir;    ///< the offline run directory; staging goes to run_dir/artifacts/staging
    std::filesystem::path files_dir;  ///< run_dir / "files"; the run-side table file goes below it
    std::string run_id;               ///< the run's id (names the artifact)
    std::string project;              ///< ArtifactRecord.project
    std::string entity;               ///< ArtifactRecord.entity (may be empty)
    std::string key;                  ///< the (inner) history key the table is logged under
    std::int64_t step = 0;            ///< the step of the row (names the run file)
    std::function<std::string(std::size_t)> random_id;  ///< [a-z0-9] ids of the given length
    const char* who = "wandb::Table";  ///< prefix of error messages: the API the user called
    /// Called with the run file's path (relative to files_dir) before it is written; unset = none.
    std::function<void(const std::string&)> claim_run_file;
};

/// The length of an artifact's `client_id` and `sequence_client_id`: the SDK's
/// `generate_fast_id(128)` (wandb/sdk/artifacts/artifact.py).
inline constexpr std::size_t artifact_client_id_length = 128;

/// What logging a table produced.
struct LoggedTable {
    ArtifactRecord artifact;   ///< the `run_table` artifact, ready for encode_record
    std::string run_file;      ///< "media/table/<key>_<step>_<sha256[:20]>.table.json", below files_dir
    Json history_value;        ///< {"_type": "table-file", ...} in the SDK's key order
    std::size_t files_encoded = 0;  ///< media files encoded (images and masks; once per shared buffer)
    std::size_t files_staged = 0;   ///< staged copies written (one per distinct member)
};

/// Stages a table for an offline run: writes every artifact member as a read-only copy below
/// `run_dir/artifacts/staging/` and the run-side table file below `files_dir` (each atomically),
/// and returns the ArtifactRecord, the run file's path and the history value.
/// \throws wandb::ValidationError for a bad key, empty run id, missing random_id, or a cell that
///         cannot be encoded; wandb::IoError naming the path if a file cannot be written. On any
///         failure the files staged by this call are removed and no run file is left.
/// \param files  the table's media, encoded (see TableMediaFiles).
inline LoggedTable stage_table_for_run(const Table& table, const TableRunContext& context, const TableMediaFiles& files) {
    const char* const who = context.who;
    require_name(context.key, who, "key");
    require_name(context.run_id, who, "run id");
    if (!context.random_id) throw ValidationError(std::string(who) + ": the run context has no random_id generator");
    // The manifest names each staged copy by its absolute path, a protobuf string: it must be UTF-8.
    if (const auto bad = first_invalid_utf8(context.run_dir.string()))
        throw ValidationError(std::string(who) + ": cannot log table " + detail::quoted(context.key) + ": the run directory " +
                              detail::quoted(context.run_dir.string()) + " is not valid UTF-8 (at byte " + std::to_string(*bad) +
                              "), and the artifact manifest must name the staged files by their absolute paths");

    // The run-side file: columns and the first max_run_rows rows, media cells as their class name.
    Json run_data = Json::array();
    const std::size_t run_rows = std::min(table.nrows(), Table::max_run_rows);
    for (std::size_t r = 0; r < run_rows; ++r) {
        Json row = Json::array();
        for (const TableCell& cell : table.data()[r])
            row.push_back(std::visit(overloaded{[](const Json& json) { return json; },
                                                [](const Image&) { return Json("Image"); },  // the SDK writes the class name
                                                [](const Histogram&) { return Json("Histogram"); }},
                                     cell.get()));
        run_data.push_back(std::move(row));
    }
    Json run_json = Json::object();
    run_json["columns"] = table.columns();
    run_json["data"] = std::move(run_data);
    const std::string text = dump_run_json(run_json);
    const std::string sha = Sha256::of(text.data(), text.size()).hex();
    // Its name is computed first (once): a key the run cannot name is refused before staging.
    const std::string run_file = "media/table/" + checked_media_file_name(context.key, context.step, sha.substr(0, 20), ".table.json", who);
    if (context.claim_run_file) context.claim_run_file(run_file);

    LoggedTable out;
    out.run_file = run_file;
    ArtifactRecord& a = out.artifact;
    a.client_id = context.random_id(artifact_client_id_length);
    a.sequence_client_id = context.random_id(artifact_client_id_length);

    ArtifactStager stager(context.run_dir / "artifacts" / "staging", context.random_id, who);
    TableArtifactWriter writer(stager, files);
    const std::string member = with_suffix(logical_path(context.key), "table");
    stager.add(member, dump_python_json(writer.table_json(table)));

    std::vector<ArtifactManifestEntry> entries = stager.entries();
    a.run_id = context.run_id;
    a.project = context.project;
    a.entity = context.entity;
    a.type = "run_table";
    a.name = sanitize_artifact_name("run-" + context.run_id + "-" + context.key);
    a.digest = manifest_digest(entries);
    a.aliases = {"latest"};
    a.finalize = true;
    ArtifactManifest manifest;
    manifest.version = 1;
    manifest.storage_policy = "wandb-storage-policy-v1";
    manifest.storage_policy_config = {{"storageLayout", "\"V2\""}};
    manifest.contents = std::move(entries);
    a.manifest = std::move(manifest);

    write_file_atomically(context.files_dir / out.run_file, text.data(), text.size(), who);

    Json& h = out.history_value;
    h = Json::object();
    h["_type"] = "table-file";
    h["sha256"] = sha;
    h["size"] = text.size();
    h["artifact_path"] = "wandb-client-artifact://" + a.client_id + "/" + member;
    h["_latest_artifact_path"] = "wandb-client-artifact://" + a.sequence_client_id + ":latest/" + member;
    h["path"] = out.run_file;
    h["ncols"] = table.ncols();
    h["nrows"] = table.nrows();
    h["log_mode"] = table.log_mode();

    out.files_encoded = files.size();
    out.files_staged = stager.files_written();
    stager.commit();
    return out;
}

/// stage_table_for_run, encoding the table's media on the calling thread first.
inline LoggedTable stage_table_for_run(const Table& table, const TableRunContext& context) {
    TableMediaFiles files(table);
    files.encode_here();
    return stage_table_for_run(table, context, files);
}

}  // namespace detail
WANDB_NAMESPACE_END
