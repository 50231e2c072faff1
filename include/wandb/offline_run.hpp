// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::OfflineRun`: a W&B run written to disk as the Python SDK writes an offline run, for the
/// standard `wandb sync <run dir>` to upload later (the usual way on air-gapped clusters).

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include "detail/atomic_file.hpp"
#include "detail/json_text.hpp"
#include "detail/log_writer.hpp"
#include "detail/media_encoding.hpp"
#include "detail/records.hpp"
#include "detail/run_companions.hpp"
#include "detail/run_files.hpp"
#include "detail/table_artifact.hpp"
#include "detail/text.hpp"
#include "detail/worker_pool.hpp"
#include "error.hpp"
#include "json.hpp"
#include "media.hpp"
#include "row.hpp"

WANDB_NAMESPACE_BEGIN

/// How to start an offline run; every field is optional. The names match `wandb.init`'s.
struct OfflineRunOptions {
    std::string project;           ///< W&B project; "" = the server's default ("uncategorized")
    std::string entity;            ///< user or team; "" = the syncing user's default
    std::string name;              ///< display name; "" = W&B picks one
    std::string group;             ///< run group
    std::string job_type;          ///< e.g. "train", "eval"
    std::vector<std::string> tags;  ///< up to 64 characters each
    std::string notes;             ///< free text shown with the run
    Json config = Json::object();  ///< initial config (hyperparameters); a JSON object
    std::string run_id;            ///< "" = 8 random characters [a-z0-9]
    std::filesystem::path root;    ///< where `wandb/` goes; "" = $WANDB_DIR, else the current directory
    std::size_t media_threads = 0;  ///< threads encoding one log call's media; 0 = hardware threads
    bool quiet = false;            ///< true: do not print the `wandb sync` command at finish

    // Companions (README "Watch it live", "System metrics"), in detail/run_companions.hpp.
    /// Upload the run while it is written with `wandb beta sync --live <run dir>`, a child process
    /// that finish waits for. Unset: on if $WANDB_IMAGEMASK_LIVE_SYNC is 1, true, yes or on.
    std::optional<bool> live_sync;
    /// The W&B CLI the live sync runs: a name looked up in PATH, or a path.
    std::string live_sync_executable = "wandb";
    /// How long finish waits for the live sync to upload the rest and end before stopping it.
    std::chrono::milliseconds live_sync_timeout = std::chrono::seconds(60);
    /// Sample CPU, memory, disk, network and NVIDIA GPU metrics into Stats records on a thread.
    bool system_metrics = true;
    /// Time between two samples, the first one interval after the start; at least 100 ms (W&B's
    /// minimum; its default is 15 s).
    std::chrono::milliseconds system_metrics_interval = std::chrono::seconds(15);
};

/// An offline W&B run: `<root>/wandb/offline-run-<YYYYMMDD_HHMMSS>-<id>/` with the transaction
/// log `run-<id>.wandb` and `files/` (media, config.yaml, wandb-summary.json, wandb-metadata.json).
/// Every `log` reaches the operating system before it returns, so a process killed at any moment
/// leaves a log whose complete records all read back. `log`, `update_config` and `update_summary`
/// may be called from several threads; their records never interleave.
class OfflineRun {
public:
    /// Creates the run directory and log and writes the Header and Run records.
    /// \throws wandb::ValidationError  for a bad option (run id or project with one of / \ # ? % :,
    ///         a tag over 64 characters, config not an object, text that is not UTF-8);
    ///         wandb::IoError  if the directory or log cannot be created.
    explicit OfflineRun(OfflineRunOptions options = {})
        : options_(std::move(options)), started_(std::chrono::system_clock::now()),
          started_steady_(std::chrono::steady_clock::now()), uncaught_at_start_(std::uncaught_exceptions()),
          pool_(options_.media_threads) {
        validate_options();
        if (options_.run_id.empty()) options_.run_id = detail::random_base36(8);
        std::filesystem::path root = options_.root;
        if (root.empty()) {
            const char* env = std::getenv("WANDB_DIR");
            root = env && *env ? std::filesystem::path(env) : std::filesystem::current_path();
        }
        dir_ = std::filesystem::absolute(root) / "wandb" /
               ("offline-run-" + detail::format_time(started_, "%Y%m%d_%H%M%S", false) + "-" + options_.run_id);
        detail::create_directories(dir_ / "files", who);
        companions_ = std::make_unique<detail::RunCompanions>(companion_settings());
        writer_ = std::make_unique<detail::LogWriter>((dir_ / ("run-" + options_.run_id + ".wandb")).string());
        config_ = options_.config;

        append(detail::HeaderRecord{std::string(version_string) + "+" + producer_name, "0.40.0"});
        detail::RunRecord run;
        run.run_id = options_.run_id;
        run.entity = options_.entity;
        run.project = options_.project;
        run.display_name = options_.name;
        run.run_group = options_.group;
        run.job_type = options_.job_type;
        run.notes = options_.notes;
        run.tags = options_.tags;
        run.host = detail::host_name();
        const auto since_epoch = started_.time_since_epoch();
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
        run.start_time = detail::Timestamp{
            seconds.count(),
            static_cast<std::int32_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count())};
        for (auto it = config_.begin(); it != config_.end(); ++it)
            run.config.push_back({it.key(), {}, detail::json_text(it.value())});
        append(run);

        Json metadata_json = detail::run_metadata(started_);
        detail::add_gpu_facts(metadata_json, companions_->gpus());
        const std::string metadata = metadata_json.dump(4);
        detail::write_file_atomically(files_dir() / "wandb-metadata.json", metadata.data(), metadata.size(), who);
        append(detail::FilesRecord{{{"wandb-metadata.json", detail::FilePolicy::now, detail::FileType::wandb}}});
        companions_->start([this](const detail::StatsRecord& stats) { append_stats(stats); });
    }

    OfflineRun(const OfflineRun&) = delete;
    OfflineRun& operator=(const OfflineRun&) = delete;

    /// Finishes the run if `finish` was not called: exit code 1 when an exception is unwinding
    /// (the run shows as failed in W&B), else 0. Errors are swallowed here; call `finish` to see them.
    ~OfflineRun() {
        if (finished_) return;
        try {
            finish(std::uncaught_exceptions() > uncaught_at_start_ ? 1 : 0);
        } catch (...) {
        }
    }

    /// Logs a row at the next step (0, 1, 2, ...): media are written below `files/media/`, each file
    /// announced in a Files record (a Table becomes a staged `run_table` artifact, its Artifact
    /// record and a run-side file, as the SDK logs one), then a History record with the values plus `_step`,
    /// `_runtime` and `_timestamp`, then a Summary record; mask and box class labels go to the
    /// config (`_wandb`) when they change.
    /// \throws wandb::ValidationError  for a bad key (empty, not UTF-8, control characters, a
    ///         duplicate, or reserved: _step, _runtime, _timestamp, _wandb), a bad string, a list
    ///         of images that is empty or over 108, or a finished run; nothing is written then.
    ///         wandb::IoError  if a file or the log cannot be written; the log stays readable and
    ///         the row is not logged at all: its records are not in the log, the media files it
    ///         wrote are removed again, and its step and values are not taken.
    void log(const Row& row) { log_row(row, std::nullopt); }

    /// Logs a row at an explicit step, which must be greater than every step logged before (the
    /// SDK drops such a row with a warning; here it is an error, so the loss of data is seen).
    /// \throws wandb::ValidationError  also for a step not greater than the last one, a negative
    ///         first step, or the largest int64 (steps go up to 2^63 - 2).
    void log(const Row& row, std::int64_t step) { log_row(row, step); }

    /// Sets config values (top-level keys replace earlier ones) and records them.
    /// \throws wandb::ValidationError  if `values` is not an object, uses the reserved key
    ///         `_wandb`, or holds text that is not UTF-8; wandb::IoError as for log (the values
    ///         are then not set).
    void update_config(const Json& values) { record_then_set<detail::ConfigRecord>(values, "update_config", config_); }

    /// Sets summary values (the numbers a run's table shows), replacing logged ones per key.
    /// \throws as update_config.
    void update_summary(const Json& values) { record_then_set<detail::SummaryRecord>(values, "update_summary", summary_); }

    /// Stops the system-metrics sampler, writes the Exit and Final records, `files/config.yaml`
    /// and `files/wandb-summary.json`, fsyncs the log, prints the `wandb sync` command (unless
    /// quiet), then waits for the live sync (at most `live_sync_timeout`). Later calls do nothing.
    /// \throws wandb::IoError  if the records or files cannot be written.
    void finish(int exit_code = 0) {
        companions_->finishing();  // the last Stats record lands before the Exit record
        finish_log(exit_code);
        companions_->finish_live_sync();  // outside the lock: the child reads the Exit record and ends
    }

    /// The run id.
    const std::string& id() const noexcept { return options_.run_id; }
    /// The run directory, absolute.
    const std::filesystem::path& dir() const noexcept { return dir_; }
    /// The run's `files/` directory.
    std::filesystem::path files_dir() const { return dir_ / "files"; }
    /// The transaction log, `run-<id>.wandb`.
    std::filesystem::path log_path() const { return dir_ / ("run-" + options_.run_id + ".wandb"); }
    /// The command that uploads the run: `wandb sync <dir>`.
    std::string sync_command() const { return "wandb sync " + dir_.string(); }
    /// The step the next `log(row)` will use.
    std::int64_t next_step() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return next_step_;
    }
    /// Threads encoding one log call's media (the calling thread included).
    std::size_t media_threads() const noexcept { return pool_.size(); }

private:
    static constexpr const char* who = "wandb::OfflineRun";

    /// finish's part under the lock: the Exit and Final records and the files written at the end.
    void finish_log(int exit_code) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (finished_) return;
        finished_ = true;
        const double runtime = runtime_seconds();
        append(detail::ExitRecord{exit_code, static_cast<std::int32_t>(runtime)});
        append(detail::FinalRecord{});
        writer_->flush_to_disk();
        writer_->close();
        const std::string yaml = detail::config_yaml(config_);
        detail::write_file_atomically(files_dir() / "config.yaml", yaml.data(), yaml.size(), who, true);
        Json summary = summary_;
        summary["_wandb"] = Json{{"runtime", static_cast<std::int64_t>(runtime)}};
        const std::string summary_text = detail::json_text(summary);
        detail::write_file_atomically(files_dir() / "wandb-summary.json", summary_text.data(), summary_text.size(),
                                      who, true);
        if (!options_.quiet)
            std::cerr << "wandb: offline run " << options_.run_id << " finished; upload it with:\nwandb: "
                      << sync_command() << "\n";
    }

    /// Appends a Stats record from the sampler thread, unless the run has finished.
    void append_stats(const detail::StatsRecord& stats) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!finished_) append(stats);
    }

    detail::CompanionSettings companion_settings() const {
        detail::CompanionSettings c;
        c.system_metrics = options_.system_metrics;
        c.interval = options_.system_metrics_interval;
        c.live_sync = options_.live_sync;
        c.live_sync_executable = options_.live_sync_executable;
        c.live_sync_timeout = options_.live_sync_timeout;
        c.run_dir = dir_;
        c.run_id = options_.run_id;
        c.quiet = options_.quiet;
        return c;
    }

    /// What one log call writes before its History record, in row order: Files records (a path)
    /// and Artifact records (a logged table), and the class labels for the config.
    struct Written {
        std::vector<std::variant<std::string, detail::ArtifactRecord>> records;
        std::vector<ClassLabelSingleton> singletons;
        std::vector<std::filesystem::path> table_files;  ///< staged copies and run-side files, to undo
    };


    /// The media of one log call, in the order the row names them.
    struct PendingMedia {
        const Image* image = nullptr;             // a single image, or
        const std::vector<Image>* images = nullptr;  // a list
        std::string key;                           // the (inner) key that names its files
        std::vector<detail::EncodedImage> encoded;
    };

    template <class Record>
    void append(const Record& record) {
        writer_->append(detail::encode_record(static_cast<std::int64_t>(writer_->records_written()) + 1, record));
    }

    double runtime_seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_steady_).count();
    }

    void check_open(const char* what) const {
        if (finished_) throw ValidationError(std::string(who) + "::" + what + ": the run has finished");
    }

    /// Every key and string inside a JSON value is UTF-8 (nlohmann would throw only when dumping).
    /// \param caller  message prefix; \param where  names the value, e.g. `value of "loss"`.
    static void check_json_text(const Json& value, const std::string& caller, const std::string& where) {
        if (value.is_string()) {
            detail::require_utf8(value.get_ref<const std::string&>(), caller.c_str(), where);
        } else if (value.is_object()) {
            for (auto it = value.begin(); it != value.end(); ++it) {
                detail::require_utf8(it.key(), caller.c_str(), "a key in " + where);
                check_json_text(it.value(), caller, where + "." + it.key());
            }
        } else if (value.is_array()) {
            std::size_t i = 0;
            for (const Json& v : value) check_json_text(v, caller, where + "[" + std::to_string(i++) + "]");
        }
    }

    /// update_config/update_summary: appends a Config or Summary record of `values`, then sets
    /// them in `target`; values the log does not hold never reach config.yaml or the summary.
    template <class Record>
    void record_then_set(const Json& values, const char* what, Json& target) {
        check_object(values, what);
        std::lock_guard<std::mutex> lock(mutex_);
        check_open(what);
        Record record;
        for (auto it = values.begin(); it != values.end(); ++it)
            record.update.push_back({it.key(), {}, detail::json_text(it.value())});
        append(record);
        for (auto it = values.begin(); it != values.end(); ++it) target[it.key()] = it.value();
    }

    static void check_object(const Json& values, const char* what) {
        if (!values.is_object())
            throw ValidationError(std::string(who) + "::" + what + ": values must be a JSON object, got " +
                                  values.type_name());
        if (values.contains("_wandb"))
            throw ValidationError(std::string(who) + "::" + what + ": the key \"_wandb\" is reserved for W&B");
        check_json_text(values, std::string(who) + "::" + what, "values");
    }

    static void check_name_option(const std::string& value, const char* option) {
        detail::require_utf8(value, who, std::string("option ") + option);
        for (const char c : std::string("/\\#?%:"))
            if (value.find(c) != std::string::npos)
                throw ValidationError(std::string(who) + ": option " + option + " " + detail::quoted(value) +
                                      " contains '" + c + "'; W&B forbids / \\ # ? % :");
    }

    void validate_options() const {
        check_name_option(options_.run_id, "run_id");
        check_name_option(options_.project, "project");
        check_name_option(options_.entity, "entity");
        for (const auto& [value, option] :
             {std::pair{&options_.name, "name"}, {&options_.group, "group"}, {&options_.job_type, "job_type"},
              {&options_.notes, "notes"}})
            detail::require_utf8(*value, who, std::string("option ") + option);
        for (const std::string& tag : options_.tags) {
            detail::require_name(tag, who, "tag");
            if (tag.size() > 64)
                throw ValidationError(std::string(who) + ": tag " + detail::quoted(tag) + " is " +
                                      std::to_string(tag.size()) + " bytes; W&B allows 64");
        }
        if (!options_.config.is_object())
            throw ValidationError(std::string(who) + ": option config must be a JSON object, got " +
                                  options_.config.type_name());
        check_json_text(options_.config, who, "option config");
        if (options_.system_metrics && options_.system_metrics_interval < std::chrono::milliseconds(100))
            throw ValidationError(std::string(who) + ": option system_metrics_interval is " +
                                  std::to_string(options_.system_metrics_interval.count()) +
                                  " ms; W&B samples at most every 100 ms");
        if (options_.live_sync_timeout.count() < 0)
            throw ValidationError(std::string(who) + ": option live_sync_timeout is negative (" +
                                  std::to_string(options_.live_sync_timeout.count()) + " ms)");
        if (options_.live_sync_executable.empty())
            throw ValidationError(std::string(who) + ": option live_sync_executable is empty");
    }

    /// Checks keys and values and collects the media to encode; writes nothing.
    void collect(const Row& row, const std::string& path, std::vector<PendingMedia>& media) const {
        std::vector<const std::string*> seen;
        for (const auto& [key, value] : row) {
            const std::string where = path.empty() ? key : path + "." + key;
            const std::string named = "wandb::OfflineRun::log: key " + detail::quoted(where);
            detail::require_name(key, "wandb::OfflineRun::log", "key" + (path.empty() ? "" : " inside " + detail::quoted(path)));
            for (std::size_t i = 0; i < key.size(); ++i) {
                const auto c = static_cast<unsigned char>(key[i]);
                if (c < 0x20 || c == 0x7F)
                    throw ValidationError(named + " holds a control character at byte " + std::to_string(i));
            }
            if (path.empty() && (key == "_step" || key == "_runtime" || key == "_timestamp" || key == "_wandb"))
                throw ValidationError(named + " is reserved for W&B");
            for (const std::string* other : seen)
                if (*other == key) throw ValidationError(named + " appears twice in one row");
            seen.push_back(&key);
            const auto& v = value.get();
            if (const auto* json = std::get_if<Json>(&v)) {
                check_json_text(*json, "wandb::OfflineRun::log", "value of " + detail::quoted(where));
            } else if (const auto* image = std::get_if<Image>(&v)) {
                media.push_back({image, nullptr, key, {}});  // file names are checked once encoded
            } else if (const auto* images = std::get_if<std::vector<Image>>(&v)) {
                detail::check_image_list(*images, key, "wandb::OfflineRun::log");
                media.push_back({nullptr, images, key, {}});
            } else if (std::holds_alternative<std::shared_ptr<const Table>>(v)) {
                media_file_name(key, 0, "0", ".table.json");  // fail fast; staging checks the exact name
            } else {
                collect(std::get<Row>(v), where, media);
            }
        }
    }

    /// Encodes every file of every image of the call on the pool, each file its own task.
    void encode(std::vector<PendingMedia>& media) {
        std::vector<std::function<void()>> tasks;
        for (PendingMedia& m : media) {
            const std::size_t count = m.image ? 1 : m.images->size();
            m.encoded.resize(count);
            for (std::size_t i = 0; i < count; ++i) {
                const Image& image = m.image ? *m.image : (*m.images)[i];
                detail::EncodedImage& out = m.encoded[i];
                out.boxes.resize(image.boxes().size());
                out.masks.resize(image.masks().size());
                tasks.emplace_back([&image, &out] { out.image = detail::encode_image(image); });
                for (std::size_t k = 0; k < image.boxes().size(); ++k)
                    tasks.emplace_back([&image, &out, k] { out.boxes[k] = detail::encode_boxes(*image.boxes()[k].second); });
                for (std::size_t k = 0; k < image.masks().size(); ++k)
                    tasks.emplace_back([&image, &out, k] { out.masks[k] = detail::encode_mask(*image.masks()[k].second); });
            }
        }
        pool_.run(tasks);
    }

    /// The history JSON of a row, writing media files and staging tables in row order (caller
    /// holds the lock).
    Json materialize(const Row& row, std::vector<PendingMedia>::iterator& next, std::int64_t name_step, Written& out) {
        Json j = Json::object();
        for (const auto& [key, value] : row) {
            const auto& v = value.get();
            if (const auto* json = std::get_if<Json>(&v)) {
                j[key] = *json;
            } else if (std::holds_alternative<Row>(v)) {
                j[key] = materialize(std::get<Row>(v), next, name_step, out);
            } else if (const auto* table = std::get_if<std::shared_ptr<const Table>>(&v)) {
                const detail::TableRunContext context{dir_,       files_dir(), options_.run_id, options_.project,
                                                      options_.entity, key,    name_step,       detail::random_base36};
                detail::LoggedTable logged = detail::stage_table_for_run(**table, context);
                for (const auto& entry : logged.artifact.manifest->contents) out.table_files.push_back(entry.local_path);
                out.table_files.push_back(files_dir() / logged.run_file);
                out.records.emplace_back(std::move(logged.artifact));
                out.records.emplace_back(std::move(logged.run_file));
                j[key] = std::move(logged.history_value);
            } else {
                const RunContext context{files_dir(), key, name_step};  // the SDK names nested media by the inner key
                RunPayload payload = next->image ? detail::store_run_image(*next->image, next->encoded.front(), context)
                                                 : detail::store_run_images(*next->images, next->encoded, context);
                ++next;
                j[key] = std::move(payload.value);
                for (std::string& file : payload.files) out.records.emplace_back(std::move(file));
                out.singletons.insert(out.singletons.end(), payload.singletons.begin(), payload.singletons.end());
            }
        }
        return j;
    }

    void log_row(const Row& row, std::optional<std::int64_t> explicit_step) {
        std::vector<PendingMedia> media;
        collect(row, "", media);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            check_open("log");
        }
        encode(media);  // outside the lock: other threads may log meanwhile

        std::lock_guard<std::mutex> lock(mutex_);
        check_open("log");
        const std::int64_t step = explicit_step.value_or(next_step_);
        if (explicit_step && *explicit_step < next_step_) {
            if (next_step_ == 0)  // nothing logged yet: there is no last step to name
                throw ValidationError("wandb::OfflineRun::log: step " + std::to_string(*explicit_step) +
                                      " is negative; steps start at 0");
            throw ValidationError("wandb::OfflineRun::log: step " + std::to_string(*explicit_step) +
                                  " is not greater than the last logged step " + std::to_string(next_step_ - 1) +
                                  "; steps must increase (log all values of one step in one call)");
        }
        constexpr std::int64_t max_step = std::numeric_limits<std::int64_t>::max() - 1;  // so step + 1 exists
        if (step > max_step)
            throw ValidationError("wandb::OfflineRun::log: step " + std::to_string(step) +
                                  " is out of range; steps go up to " + std::to_string(max_step));
        // The exact names of every file of the row (log call counter and sha256 known now): a key
        // that cannot name one of them is refused before the first file is written.
        std::vector<std::string> paths;
        for (const PendingMedia& m : media)
            for (const detail::EncodedImage& e : m.encoded)
                detail::run_file_paths(e, RunContext{files_dir(), m.key, log_calls_}, paths);
        // One log call is all or nothing: its media files are written, then all its records in one
        // append; if anything fails, the files it wrote are removed again and the run's state
        // (config, summary, steps) is left as it was, so the log never names a missing file and a
        // later call is not affected by the failed one.
        writer_->check_writable();  // before any media file: a vanished run directory is not recreated
        std::vector<bool> existed(paths.size());
        for (std::size_t i = 0; i < paths.size(); ++i) existed[i] = std::filesystem::exists(files_dir() / paths[i]);
        Json wandb_config;
        bool config_changed = false;
        Json values;
        Json meta = Json::object();
        Written written;
        try {
            auto next = media.begin();
            values = materialize(row, next, log_calls_, written);

            std::vector<detail::Bytes> records;
            auto num = static_cast<std::int64_t>(writer_->records_written());
            for (const auto& record : written.records) {
                if (const auto* file = std::get_if<std::string>(&record)) {
                    records.push_back(detail::encode_record(++num, detail::FilesRecord{{{*file}}}));
                } else {
                    records.push_back(detail::encode_record(++num, std::get<detail::ArtifactRecord>(record)));
                }
            }
            if (!written.singletons.empty()) {
                wandb_config = config_.contains("_wandb") ? config_["_wandb"] : Json::object();
                add_class_label_singletons(wandb_config, written.singletons);
                config_changed = !config_.contains("_wandb") || config_["_wandb"] != wandb_config;
                if (config_changed)
                    records.push_back(detail::encode_record(
                        ++num, detail::ConfigRecord{{{"_wandb", {}, detail::json_text(wandb_config)}}, {}}));
            }
            meta["_step"] = step;
            meta["_runtime"] = runtime_seconds();
            meta["_timestamp"] = detail::unix_seconds(std::chrono::system_clock::now());
            detail::HistoryRecord history;
            detail::SummaryRecord summary;
            for (const Json* part : std::initializer_list<const Json*>{&values, &meta})
                for (auto it = part->begin(); it != part->end(); ++it) {
                    history.items.push_back({it.key(), {}, detail::json_text(it.value())});
                    summary.update.push_back(history.items.back());
                }
            history.step = step;
            records.push_back(detail::encode_record(++num, history));
            records.push_back(detail::encode_record(++num, summary));
            writer_->append_all(records);
        } catch (...) {
            for (std::size_t i = 0; i < paths.size(); ++i)
                if (!existed[i]) ::unlink((files_dir() / paths[i]).c_str());  // files only, never a directory
            for (const auto& file : written.table_files) ::unlink(file.c_str());  // each unique to this call
            throw;
        }
        if (config_changed) config_["_wandb"] = std::move(wandb_config);
        for (const Json* part : std::initializer_list<const Json*>{&values, &meta})
            for (auto it = part->begin(); it != part->end(); ++it) summary_[it.key()] = it.value();
        next_step_ = step + 1;
        ++log_calls_;
    }

    OfflineRunOptions options_;
    std::chrono::system_clock::time_point started_;
    std::chrono::steady_clock::time_point started_steady_;
    int uncaught_at_start_ = 0;
    detail::WorkerPool pool_;
    std::filesystem::path dir_;
    mutable std::mutex mutex_;
    std::unique_ptr<detail::LogWriter> writer_;
    Json config_ = Json::object();
    Json summary_ = Json::object();
    std::int64_t next_step_ = 0;
    std::int64_t log_calls_ = 0;
    bool finished_ = false;
    std::unique_ptr<detail::RunCompanions> companions_;  // last: its threads end before the rest goes
};

WANDB_NAMESPACE_END
