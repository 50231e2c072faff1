// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// One `OfflineRun::log` call's values, from the Row to what the log records: the media
/// pipeline. Every medium (an Image, a list of Images, a Table, a Histogram) goes through the same
/// steps, each a std::visit over the kinds (so a new kind that a step does not handle fails to
/// compile):
///
/// 1. collect (LogCall's constructor): the row's keys and JSON values are checked, its media
///    listed in row order; nothing is written.
/// 2. encode: every file of every medium is one task on the run's worker pool (an image and each
///    of its layers; a table's distinct images and masks).
/// 3. write: each medium's files get their names (once) and are written below `files/`, a table
///    is staged as its artifact; all outside the run's lock, since the names depend only on the
///    key, the call's name counter and the bytes.
/// 4. payloads: the history value of the row, in order, and the records that go before its
///    History record (Files and Artifact records) with the class-label singletons.
/// If anything fails, undo() removes every file and directory the call created (a media file
/// only if the run says that no other call holds its name).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <unistd.h>

#include "../histogram.hpp"
#include "../image.hpp"
#include "../json.hpp"
#include "../media.hpp"
#include "../row.hpp"
#include "../table.hpp"
#include "../detail/json_check.hpp"
#include "../detail/json_text.hpp"
#include "../detail/records.hpp"
#include "../detail/text.hpp"
#include "../detail/worker_pool.hpp"
#include "media_encoding.hpp"
#include "table_artifact.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// Where one log call's files go and what names them.
struct LogCallContext {
    std::filesystem::path run_dir;    ///< the run directory (tables are staged below it)
    std::filesystem::path files_dir;  ///< run_dir / "files"
    std::string run_id, project, entity;
    std::int64_t name_step = 0;       ///< the step in the call's file names
    std::function<std::string(std::size_t)> random_id;
    /// Called with each media file's path (relative to files_dir) before the call writes it, so
    /// that the run knows which of its calls hold a name (two calls of one step name identical
    /// bytes alike); unset = no one is told.
    std::function<void(const std::string&)> claim;
};

namespace log_call_impl {

/// Adds one item per leaf of `value` to `out`, named `path` + the labels below it, as
/// append_leaf_items (nested_items.hpp) lists them: a non-object is a leaf, an object is walked
/// key by key (an empty one has no leaf). `path` and `text` are scratch space.
inline void add_leaf_items(const Json& value, std::vector<std::string_view>& path, std::string& text,
                           HistorySummaryEncoder& out) {
    if (!value.is_object()) {
        text.clear();
        append_json_text(text, value);
        out.item(path.data(), path.size(), text);
        return;
    }
    for (auto it = value.begin(); it != value.end(); ++it) {
        path.push_back(it.key());
        add_leaf_items(it.value(), path, text, out);
        path.pop_back();
    }
}

}  // namespace log_call_impl

/// Appends a log call's History record (numbered `num`, at `step`) and Summary record (`num + 1`)
/// to `records`: one item per leaf of the object `values`, then of `meta`, in both; the
/// Summary's followed by `_wandb.runtime` = `runtime_seconds`, which wandb-core's handler updates
/// with every row (updateRunTiming), so a run that never finishes still shows how long it ran.
/// The bytes are those of append_leaf_items into a HistoryRecord and a SummaryRecord copied
/// from it, each encode_record'ed, without the RecordItems.
/// \throws ValidationError if a label or value text is not valid UTF-8.
inline void append_row_records(std::vector<Bytes>& records, std::int64_t num, const Json& values, const Json& meta,
                               std::int64_t step, std::int64_t runtime_seconds) {
    // Scratch space kept by each thread from call to call: a log then allocates only its records.
    thread_local HistorySummaryEncoder encoder;
    thread_local std::vector<std::string_view> path;
    thread_local std::string text;
    encoder.clear();
    path.clear();  // a call that threw may have left labels
    if (text.capacity() > 65536) std::string().swap(text);  // don't hoard a huge value's text
    records.reserve(records.size() + 2);
    log_call_impl::add_leaf_items(values, path, text, encoder);
    log_call_impl::add_leaf_items(meta, path, text, encoder);
    const std::string_view runtime_key[] = {"_wandb", "runtime"};
    text = std::to_string(runtime_seconds);
    encoder.item(runtime_key, 2, text, true);
    encoder.finish(num, step, records);
}

/// One log call: its row's media through the steps of the file comment.
class LogCall {
public:
    /// The API named in every message of the call.
    static constexpr const char* who = "wandb::OfflineRun::log";

    /// Step 1: checks every key and JSON value of `row` and lists its media; writes nothing.
    /// \throws ValidationError for a bad key (empty, not UTF-8, control characters, duplicate,
    ///         reserved at the top level), a bad JSON value, or a bad list of images.
    explicit LogCall(const Row& row) : row_(row) { collect(row, ""); }

    /// Step 2: encodes every medium's files on `pool` (the calling thread works too).
    /// \throws what encoding throws (ValidationError), after every task has ended.
    void encode(WorkerPool& pool) {
        std::vector<std::function<void()>> tasks;
        for (Medium& m : media_)
            std::visit(overloaded{[&](ImageMedium& x) { add_image_tasks(*x.image, x.encoded, tasks); },
                                  [&](ImageListMedium& x) {
                                      x.encoded.resize(x.images->size());
                                      for (std::size_t i = 0; i < x.images->size(); ++i)
                                          add_image_tasks((*x.images)[i], x.encoded[i], tasks);
                                  },
                                  [&](TableMedium& x) { x.files->add_tasks(tasks); },
                                  [](HistogramMedium&) {}},
                       m.kind);
        pool.run(tasks);
    }

    /// Step 3: names every file (a key that cannot name one is refused before any is written),
    /// then writes them and stages the tables. What it wrote is remembered for undo().
    /// \throws ValidationError for a name; IoError if a file cannot be written.
    void write(const LogCallContext& context) {
        files_dir_ = context.files_dir;
        for (Medium& m : media_) {
            const RunContext run{context.files_dir, m.key, context.name_step};
            std::visit(overloaded{[&](ImageMedium& x) { x.named = name_image(x.encoded, run, who); },
                                  [&](ImageListMedium& x) {
                                      for (const EncodedImage& e : x.encoded) x.named.push_back(name_image(e, run, who));
                                  },
                                  [](TableMedium&) {},  // named and checked when staged, below
                                  [](HistogramMedium&) {}},
                       m.kind);
        }
        note_new_directories(context);
        const auto claim = [&](const std::string& path) {
            if (std::find(claimed_.begin(), claimed_.end(), path) != claimed_.end()) return;
            if (context.claim) context.claim(path);
            claimed_.push_back(path);
        };
        for (Medium& m : media_)
            std::visit(overloaded{[&](ImageMedium& x) { for_each_file(x.named, [&](const NamedFile& f) { claim(f.path); }); },
                                  [&](ImageListMedium& x) {
                                      for (const NamedImage& n : x.named)
                                          for_each_file(n, [&](const NamedFile& f) { claim(f.path); });
                                  },
                                  [](TableMedium&) {},  // claimed when its name is known, in stage_table_for_run
                                  [](HistogramMedium&) {}},
                       m.kind);
        for (Medium& m : media_)
            std::visit(overloaded{[&](ImageMedium& x) { write_named(x.named, context.files_dir, written_, who); },
                                  [&](ImageListMedium& x) {
                                      for (const NamedImage& n : x.named) write_named(n, context.files_dir, written_, who);
                                  },
                                  [&](TableMedium& x) {
                                      const TableRunContext table_context{
                                          context.run_dir, context.files_dir, context.run_id, context.project,
                                          context.entity,  m.key,             context.name_step, context.random_id, who, claim};
                                      x.staged = stage_table_for_run(*x.table, table_context, *x.files);
                                      for (const auto& entry : x.staged->artifact.manifest->contents)
                                          staged_.push_back(entry.local_path);
                                  },
                                  [](HistogramMedium&) {}},
                       m.kind);
    }

    /// Whether the row holds a medium (an Image, a list, a Table, a Histogram): only then do
    /// steps 2 and 3 have anything to do.
    bool has_media() const noexcept { return !media_.empty(); }

    /// What step 4 gives: the row's history value and what goes before it in the log.
    struct Payloads {
        Json values;  ///< the row as history JSON, keys in row order
        /// The Files and Artifact records before the History record, in row order, numbered from
        /// `first_num`.
        std::vector<Bytes> records;
        std::vector<ClassLabelSingleton> singletons;
    };

    /// Step 4: the history value of the row and the records of its media.
    /// \param first_num  the Record.num of the first record returned.
    /// \throws ValidationError if a record cannot be encoded (text that is not UTF-8).
    Payloads payloads(std::int64_t first_num) {
        Payloads out;
        std::int64_t num = first_num;
        auto next = media_.begin();
        out.values = values_of(row_, next, out, num);
        return out;
    }

    /// The media files' paths (relative to the files directory) the call claimed, each once.
    const std::vector<std::string>& claimed() const noexcept { return claimed_; }

    /// Removes every file and directory (if empty) the call wrote: a claimed media file only if
    /// `release(path)` says no other call holds it. Never throws.
    template <class Release>
    void undo(Release&& release) noexcept {
        for (const std::string& path : claimed_)
            if (release(path)) ::unlink((files_dir_ / path).c_str());
        for (const auto& file : staged_) ::unlink(file.c_str());  // each unique to this call
        std::sort(new_dirs_.begin(), new_dirs_.end(),
                  [](const auto& a, const auto& b) { return a.native().size() > b.native().size(); });
        for (const auto& d : new_dirs_) ::rmdir(d.c_str());  // deepest first; only what this call made
    }

private:
    struct ImageMedium {
        const Image* image;
        EncodedImage encoded;
        NamedImage named;
    };
    struct ImageListMedium {
        const std::vector<Image>* images;
        std::vector<EncodedImage> encoded;
        std::vector<NamedImage> named;
    };
    struct TableMedium {
        const Table* table;
        std::unique_ptr<TableMediaFiles> files;  // stays put while the encoding tasks hold it
        std::optional<LoggedTable> staged;
    };
    struct HistogramMedium {
        const Histogram* histogram;
    };
    /// A medium of the call: the (inner) key that names its files, and its kind's state.
    struct Medium {
        std::string key;
        std::variant<ImageMedium, ImageListMedium, TableMedium, HistogramMedium> kind;
    };

    /// Lists the media of `row` (at `path`, "" for the top level) and checks its keys and JSON
    /// values. The messages name the whole dotted key; they are built only for a key or value
    /// that needs the full check (or fails it), not for the printable-ASCII keys and the numbers,
    /// bools and nulls of a plain row.
    void collect(const Row& row, const std::string& path) {
        for (auto at = row.begin(); at != row.end(); ++at) {
            const std::string& key = at->first;
            const Value& value = at->second;
            const auto where = [&] { return path.empty() ? key : path + "." + key; };
            if (!plain_key(key, path)) check_key(key, where(), path);
            for (auto before = row.begin(); before != at; ++before)
                if (before->first == key)
                    throw ValidationError(std::string(who) + ": key " + detail::quoted(where()) + " appears twice in one row");
            const std::string& name = key;
            std::visit(overloaded{[&](const Json& json) {
                                      if (!plain_scalar(json)) check_json_value(json, who, "value of " + detail::quoted(where()));
                                  },
                                  [&](const Image& image) { media_.push_back({name, ImageMedium{&image, {}, {}}}); },
                                  [&](const std::vector<Image>& images) {
                                      check_image_list(images, name, who);
                                      media_.push_back({name, ImageListMedium{&images, {}, {}}});
                                  },
                                  [&](const std::shared_ptr<const Table>& table) {
                                      media_.push_back(
                                          {name, TableMedium{table.get(), std::make_unique<TableMediaFiles>(*table), {}}});
                                  },
                                  [&](const Histogram& histogram) { media_.push_back({name, HistogramMedium{&histogram}}); },
                                  [&](const Row& nested) { collect(nested, where()); }},
                       value.get());
        }
    }

    /// A key check_key accepts without a look further: non-empty printable ASCII (so UTF-8
    /// without control characters) and, at the top level, not one of W&B's own keys.
    static bool plain_key(const std::string& key, const std::string& path) noexcept {
        if (key.empty()) return false;
        for (const char ch : key) {
            const auto c = static_cast<unsigned char>(ch);
            if (c < 0x20 || c >= 0x7F) return false;
        }
        return !path.empty() || (key != "_step" && key != "_runtime" && key != "_timestamp" && key != "_wandb");
    }

    /// A JSON value check_json_value has nothing to check in: a number, a bool or null.
    static bool plain_scalar(const Json& json) noexcept {
        return json.is_number() || json.is_boolean() || json.is_null();
    }

    /// A key: non-empty UTF-8 without control characters (the message names the whole dotted
    /// key), and at the top level none of the keys W&B sets itself.
    static void check_key(const std::string& key, const std::string& where, const std::string& path) {
        const std::string named = std::string(who) + ": key " + detail::quoted(where);
        for (std::size_t i = 0; i < key.size(); ++i) {
            const auto c = static_cast<unsigned char>(key[i]);
            if (c < 0x20 || c == 0x7F) throw ValidationError(named + " holds a control character at byte " + std::to_string(i));
        }
        require_name(key, who, "key" + (path.empty() ? "" : " inside " + detail::quoted(path)));
        if (path.empty() && (key == "_step" || key == "_runtime" || key == "_timestamp" || key == "_wandb"))
            throw ValidationError(named + " is reserved for W&B");
    }

    /// One task per file of an image: the image, each box layer, each mask layer.
    static void add_image_tasks(const Image& image, EncodedImage& out, std::vector<std::function<void()>>& tasks) {
        out.boxes.resize(image.boxes().size());
        out.masks.resize(image.masks().size());
        tasks.emplace_back([&image, &out] { out.image = encode_image(image); });
        for (std::size_t k = 0; k < image.boxes().size(); ++k)
            tasks.emplace_back([&image, &out, k] { out.boxes[k] = encode_boxes(*image.boxes()[k].second); });
        for (std::size_t k = 0; k < image.masks().size(); ++k)
            tasks.emplace_back([&image, &out, k] { out.masks[k] = encode_mask(*image.masks()[k].second); });
    }

    /// Remembers the directories the call's files will create, so undo() removes them again.
    void note_new_directories(const LogCallContext& context) {
        files_dir_ = context.files_dir;
        std::error_code ec;
        const auto note = [&](const std::filesystem::path& relative_file, const std::filesystem::path& base) {
            for (std::filesystem::path d = relative_file.parent_path(); !d.empty(); d = d.parent_path())
                if (!std::filesystem::exists(base / d, ec) &&
                    std::find(new_dirs_.begin(), new_dirs_.end(), base / d) == new_dirs_.end())
                    new_dirs_.push_back(base / d);
        };
        for (const Medium& m : media_)
            std::visit(overloaded{[&](const ImageMedium& x) { for_each_file(x.named, [&](const NamedFile& f) { note(f.path, context.files_dir); }); },
                                  [&](const ImageListMedium& x) {
                                      for (const NamedImage& n : x.named)
                                          for_each_file(n, [&](const NamedFile& f) { note(f.path, context.files_dir); });
                                  },
                                  [&](const TableMedium&) {
                                      note("artifacts/staging/x", context.run_dir);
                                      note("media/table/" + make_file_path_upload_safe(m.key) + "_x", context.files_dir);
                                  },
                                  [](const HistogramMedium&) {}},
                       m.kind);
    }

    /// The history JSON of a row: JSON values as given, each medium's payload in its place;
    /// appends the media's records and singletons to `out`.
    Json values_of(const Row& row, std::vector<Medium>::iterator& next, Payloads& out, std::int64_t& num) {
        Json j = Json::object();
        for (const auto& [key, value] : row) {
            Json& slot = j[key];
            std::visit(overloaded{[&](const Json& json) { slot = json; },
                                  [&](const Row& nested) { slot = values_of(nested, next, out, num); },
                                  [&](const auto&) { slot = payload_of(*next++, out, num); }},
                       value.get());
        }
        return j;
    }

    /// One medium's history value; appends its records and singletons.
    static Json payload_of(Medium& m, Payloads& out, std::int64_t& num) {
        const auto files = [&](const RunPayload& payload) {
            for (const std::string& file : payload.files)
                out.records.push_back(encode_record(num++, FilesRecord{{{file}}}));
            out.singletons.insert(out.singletons.end(), payload.singletons.begin(), payload.singletons.end());
        };
        return std::visit(overloaded{[&](ImageMedium& x) {
                                         RunPayload payload = image_payload(*x.image, x.named, m.key);
                                         files(payload);
                                         return std::move(payload.value);
                                     },
                                     [&](ImageListMedium& x) {
                                         RunPayload payload = images_payload(*x.images, x.named, m.key);
                                         files(payload);
                                         return std::move(payload.value);
                                     },
                                     [&](TableMedium& x) {
                                         out.records.push_back(encode_record(num++, x.staged->artifact));
                                         out.records.push_back(encode_record(num++, FilesRecord{{{x.staged->run_file}}}));
                                         return std::move(x.staged->history_value);
                                     },
                                     [](HistogramMedium& x) { return x.histogram->to_json(); }},
                          m.kind);
    }

    const Row& row_;
    std::vector<Medium> media_;
    std::filesystem::path files_dir_;
    std::vector<std::string> written_;            // media files written, relative to files_dir_
    std::vector<std::string> claimed_;            // media files claimed (written_ and a table's run file)
    std::vector<std::filesystem::path> staged_;   // a table's staged copies and run-side file
    std::vector<std::filesystem::path> new_dirs_;  // directories the call's files create
};

}  // namespace detail
WANDB_NAMESPACE_END
