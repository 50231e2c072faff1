// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::OfflineRun`: a W&B run written to disk as the Python SDK writes an offline run, for the
/// standard `wandb sync <run dir>` to upload later (the usual way on air-gapped clusters).

#include <algorithm>
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
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <unistd.h>

#include "detail/atomic_file.hpp"
#include "detail/class_colors.hpp"
#include "detail/environment_record.hpp"
#include "detail/json_check.hpp"
#include "detail/json_text.hpp"
#include "detail/log_writer.hpp"
#include "detail/media_encoding.hpp"
#include "detail/nested_items.hpp"
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
    std::string project;           ///< W&B project; "" = "uncategorized", as the SDK names it outside a git repository
    std::string entity;            ///< user or team; "" = the syncing user's default
    std::string name;              ///< display name; "" = W&B picks one
    std::string group;             ///< run group
    std::string job_type;          ///< e.g. "train", "eval"
    std::vector<std::string> tags;  ///< 1 to 64 characters (code points) each, as W&B allows
    std::string notes;             ///< free text shown with the run
    Json config = Json::object();  ///< initial config (hyperparameters); a JSON object
    std::string run_id;            ///< "" = 8 random characters [a-z0-9]; see OfflineRun() for the rules
    std::filesystem::path root;    ///< where `wandb/` goes; "" = $WANDB_DIR, else the current directory
    std::size_t media_threads = 0;  ///< threads encoding one log call's media; 0 = hardware threads; at most 1024
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
    /// Creates the run directory and log and writes the Header, Run and Environment records. Facts about the
    /// machine and process (arguments, host, current directory) are written with invalid UTF-8
    /// replaced by U+FFFD, so they never fail a run. If anything fails, the log and directories
    /// this constructor created are removed again.
    /// A run id follows W&B's rules (wandb_settings.py `validate_run_id`): not empty, no leading or
    /// trailing white space, none of `: ; , # ? / ' \ %`; and ours: UTF-8 without control
    /// characters, not `.` or `..` (a run's URL ends with its id), and at most 227 bytes (the run
    /// directory's name, `offline-run-<YYYYMMDD_HHMMSS>-<id>`, must fit in 255).
    /// \throws wandb::ValidationError  for a bad option (run id as above; project or entity with
    ///         one of / \ # ? % :; a tag empty, over 64 characters or with a control character;
    ///         config not an object, with the reserved key `_wandb`, or a value refused as `log`
    ///         refuses one; text that is not UTF-8; media_threads over 1024), or when the run
    ///         directory already holds a log of this id (two runs with one id in the same second);
    ///         wandb::IoError  if the current directory is gone or the directory or log cannot be
    ///         created or written.
    explicit OfflineRun(OfflineRunOptions options = {})
        : options_(std::move(options)), started_(std::chrono::system_clock::now()),
          started_steady_(std::chrono::steady_clock::now()), uncaught_at_start_(std::uncaught_exceptions()),
          pool_(checked_media_threads(options_.media_threads)) {
        guarded("", [&] { start(); });
    }

    OfflineRun(const OfflineRun&) = delete;
    OfflineRun& operator=(const OfflineRun&) = delete;

    /// Finishes the run if `finish` was not called or failed: exit code 1 when an exception is unwinding
    /// (the run shows as failed in W&B), else 0. Errors are swallowed here; call `finish` to see them.
    ~OfflineRun() {
        if (finished_ || !writer_) return;
        try {
            finish(std::uncaught_exceptions() > uncaught_at_start_ ? 1 : 0);  // once more, if finish failed
        } catch (...) {
        }
    }

    /// Logs a row at the next step (0, 1, 2, ...): media are written below `files/media/`, each file
    /// announced in a Files record (a Table becomes a staged `run_table` artifact, its Artifact
    /// record and a run-side file, as the SDK logs one), then a History record with the values plus `_step`,
    /// `_runtime` and `_timestamp`, then a Summary record (those values and `_wandb.runtime`),
    /// each with one `nested_key` item per leaf as wandb-core writes them (an empty object has no
    /// leaf, so it is not recorded); mask and box class labels go to the config (`_wandb`) when
    /// they change.
    /// \throws wandb::ValidationError  for a bad key (empty, not UTF-8, control characters, a
    ///         duplicate, or reserved: _step, _runtime, _timestamp, _wandb), a JSON value that is
    ///         not UTF-8, discarded, binary or nested deeper than 256 levels, a list of images that
    ///         is empty, over 108 or of different sizes, or a finished run; nothing is written then.
    ///         wandb::IoError  if a file or the log cannot be written; the log stays readable and
    ///         the row is not logged at all: its records are not in the log, the media files it
    ///         wrote are removed again, and its step and values are not taken.
    void log(const Row& row) {
        guarded("log", [&] { log_row(row, std::nullopt); });
    }

    /// Logs a row at an explicit step, which must be greater than every step logged before (the
    /// SDK drops such a row with a warning; here it is an error, so the loss of data is seen).
    /// \throws wandb::ValidationError  also for a step not greater than the last one, a negative
    ///         first step, or the largest int64 (steps go up to 2^63 - 2).
    void log(const Row& row, std::int64_t step) {
        guarded("log", [&] { log_row(row, step); });
    }

    /// Sets config values (top-level keys replace earlier ones) and records them.
    /// \throws wandb::ValidationError  if `values` is not an object, uses the reserved key
    ///         `_wandb`, or holds a key or value refused as `log` refuses them; wandb::IoError as
    ///         for log (the values are then not set).
    void update_config(const Json& values) {
        guarded("update_config", [&] { record_then_set<detail::ConfigRecord>(values, "update_config", config_); });
    }

    /// Sets summary values (the numbers a run's table shows), replacing logged ones per key.
    /// \throws as update_config; the keys `_step`, `_runtime` and `_timestamp` are reserved too.
    void update_summary(const Json& values) {
        guarded("update_summary", [&] { record_then_set<detail::SummaryRecord>(values, "update_summary", summary_); });
    }

    /// Stops the system-metrics sampler (its last Stats record lands before the Exit record), writes
    /// `files/config.yaml` and `files/wandb-summary.json`, then a Summary record with the
    /// runtime (`_wandb.runtime`, `_runtime`, as wandb-core's handler writes it at exit), the Exit
    /// and Final records (in one write), fsyncs the log, and prints the `wandb sync` command (unless quiet). Each
    /// call is all or nothing: if any of it fails, the files it wrote are removed and the records
    /// are not in the log, so `finish` can be called again (the destructor tries once more).
    /// After the first call that succeeds, waits for the live sync (at most `live_sync_timeout`,
    /// outside the lock: the child reads the Exit record and ends). Later calls do nothing.
    /// \throws wandb::IoError  if the records or files cannot be written.
    void finish(int exit_code = 0) {
        companions_->finishing();
        bool done_now = false;
        guarded("finish", [&] {
            std::lock_guard<std::mutex> lock(mutex_);
            if (finished_) return;
            constexpr const char* caller = "wandb::OfflineRun::finish";
            if (!exit_written_) {
                const double runtime = runtime_seconds();
                const std::filesystem::path yaml_path = files_dir() / "config.yaml";
                const std::filesystem::path summary_path = files_dir() / "wandb-summary.json";
                try {
                    writer_->check_writable(caller);  // a vanished run directory is not recreated
                    const std::string yaml = detail::config_yaml(config_);
                    detail::write_file_atomically(yaml_path, yaml.data(), yaml.size(), caller, true);
                    Json summary = summary_;
                    summary["_wandb"] = Json{{"runtime", static_cast<std::int64_t>(runtime)}};
                    summary["_runtime"] = static_cast<std::int64_t>(runtime);  // as the runtime Summary record sets it
                    const std::string summary_text = detail::json_text(summary);
                    detail::write_file_atomically(summary_path, summary_text.data(), summary_text.size(), caller, true);
                    const auto num = static_cast<std::int64_t>(writer_->records_written());
                    writer_->append_all({detail::encode_record(num + 1, detail::runtime_summary(static_cast<std::int64_t>(runtime))),
                                         detail::encode_record(num + 2, detail::ExitRecord{exit_code, static_cast<std::int32_t>(runtime)}),
                                         detail::encode_record(num + 3, detail::FinalRecord{})},
                                        caller);
                } catch (...) {
                    ::unlink(yaml_path.c_str());  // only finish writes these two: nothing else is lost
                    ::unlink(summary_path.c_str());
                    throw;
                }
                exit_written_ = true;
            }
            writer_->flush_to_disk(caller);  // if this fails, a retry syncs again (the records are written)
            try {
                writer_->close(caller);
            } catch (const IoError&) {
                // After a successful fsync every byte is on disk; a late close error loses nothing.
            }
            finished_ = true;
            done_now = true;
        });
        if (done_now && !options_.quiet)
            std::cerr << "wandb: offline run " << options_.run_id << " finished; upload it with:\nwandb: "
                      << sync_command() << "\n";
        if (done_now) companions_->finish_live_sync();
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

    /// Appends a Stats record from the sampler thread, unless the run has finished.
    void append_stats(const detail::StatsRecord& stats) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!exit_written_)
            writer_->append(detail::encode_record(static_cast<std::int64_t>(writer_->records_written()) + 1, stats),
                            "wandb::OfflineRun: the system-metrics sampler");
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

    double runtime_seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_steady_).count();
    }

    void check_open(const char* what) const {
        if (finished_) throw ValidationError(std::string(who) + "::" + what + ": the run has finished");
    }

    /// The most media threads a run takes: more than any machine's cores (and each thread holds a
    /// stack), so a larger number is a mistake (e.g. a byte count passed by accident).
    static constexpr std::size_t max_media_threads = 1024;

    static std::size_t checked_media_threads(std::size_t threads) {
        if (threads > max_media_threads)
            throw ValidationError(std::string(who) + ": option media_threads " + std::to_string(threads) +
                                  " is over " + std::to_string(max_media_threads) + "; 0 takes the hardware threads");
        return threads;
    }

    /// Runs a public call's body so that nothing but wandb:: exceptions leave it: a
    /// std::filesystem, std::system_error or nlohmann::json exception that reaches this point
    /// (none should) becomes an IoError or ValidationError prefixed with the API called, keeping
    /// the inner message whole.
    template <class Body>
    static void guarded(const char* what, Body&& body) {
        const std::string api = std::string(who) + (*what ? "::" : "") + what;
        try {
            body();
        } catch (const ValidationError&) {
            throw;
        } catch (const IoError&) {
            throw;
        } catch (const FormatError&) {
            throw;
        } catch (const std::system_error& e) {  // std::filesystem::filesystem_error included
            throw IoError(api + ": " + e.what());
        } catch (const nlohmann::json::exception& e) {
            throw ValidationError(api + ": " + e.what());
        }
    }

    /// The constructor's work (see OfflineRun()): everything is built and checked before the first
    /// file is created, and what it created is removed again if a later step fails.
    void start() {
        validate_options();
        if (options_.run_id.empty()) options_.run_id = detail::random_base36(8);
        // The SDK's name outside a git repository; wandb-core's sync passes an empty project to
        // CreateArtifact as it is (stream/sender.go sendArtifact), so the records must say it.
        if (options_.project.empty()) options_.project = "uncategorized";
        std::error_code ec;
        std::filesystem::path root = options_.root;
        if (root.empty()) {
            const char* env = std::getenv("WANDB_DIR");
            root = env && *env ? std::filesystem::path(env) : std::filesystem::current_path(ec);
            if (ec) throw IoError(std::string(who) + ": cannot find the current directory: " + ec.message());
        }
        root = std::filesystem::absolute(root, ec);
        if (ec) throw IoError(std::string(who) + ": cannot make " + options_.root.string() + " absolute: " + ec.message());
        dir_ = root / "wandb" / ("offline-run-" + detail::format_time(started_, "%Y%m%d_%H%M%S", false) + "-" + options_.run_id);
        companions_ = std::make_unique<detail::RunCompanions>(companion_settings());
        config_ = options_.config;

        // Every record and file of the start, encoded before anything is created.
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
        // wandb-core uploads the wandb-metadata.json it makes from the Environment record; the file
        // written here (the same facts) is for people looking at the directory, and is not announced.
        Json facts = detail::run_metadata(started_);
        detail::add_gpu_facts(facts, companions_->gpus());
        const std::vector<detail::Bytes> records = {
            detail::encode_record(1, detail::HeaderRecord{std::string(version_string) + "+" + producer_name, "0.40.0"}),
            detail::encode_record(2, run),
            detail::encode_record(3, detail::environment_record(facts, started_, detail::random_base36(32)))};
        const std::string metadata = facts.dump(4);

        const std::filesystem::path log = log_path();
        if (::access(log.c_str(), F_OK) == 0)
            throw ValidationError(std::string(who) + ": " + dir_.string() + " already holds the log of run " +
                                  detail::quoted(options_.run_id) +
                                  " (two runs with one id started in the same second); give each run its own id");
        std::vector<std::filesystem::path> created;  // directories this start made, outermost first
        for (const std::filesystem::path& d : {root / "wandb", dir_, dir_ / "files"})
            if (!std::filesystem::exists(d, ec)) created.push_back(d);
        try {
            detail::create_directories(dir_ / "files", who);
            writer_ = std::make_unique<detail::LogWriter>(log.string(), who);
            writer_->append_all(records, who);
            detail::write_file_atomically(files_dir() / "wandb-metadata.json", metadata.data(), metadata.size(), who);
        } catch (...) {
            if (writer_) {
                writer_.reset();
                ::unlink(log.c_str());
            }
            // wandb-metadata.json is written last and atomically: a failure leaves none of it.
            for (auto it = created.rbegin(); it != created.rend(); ++it) ::rmdir(it->c_str());  // only if empty
            throw;
        }
        companions_->start([this](const detail::StatsRecord& stats) { append_stats(stats); });
    }

    /// update_config/update_summary: appends a Config or Summary record of `values`, then sets
    /// them in `target`; values the log does not hold never reach config.yaml or the summary.
    template <class Record>
    void record_then_set(const Json& values, const char* what, Json& target) {
        const std::string api = std::string(who) + "::" + what;
        check_object(values, api, "values", std::is_same_v<Record, detail::SummaryRecord>);
        std::lock_guard<std::mutex> lock(mutex_);
        check_open(what);
        Record record;
        for (auto it = values.begin(); it != values.end(); ++it)
            record.update.push_back({it.key(), {}, detail::json_text(it.value())});
        writer_->append(detail::encode_record(static_cast<std::int64_t>(writer_->records_written()) + 1, record),
                        api.c_str());
        for (auto it = values.begin(); it != values.end(); ++it) target[it.key()] = it.value();
    }

    /// Checks a config or summary object: every key and value as `log` checks them (see
    /// detail/json_check.hpp), `_wandb` reserved, and for the summary `_step`, `_runtime`,
    /// `_timestamp` too (the values `log` sets).
    /// \param api  message prefix; \param name  names the object, e.g. "values", "option config".
    static void check_object(const Json& values, const std::string& api, const std::string& name, bool summary) {
        if (!values.is_object())
            throw ValidationError(api + ": " + name + " must be a JSON object, got " + values.type_name());
        for (auto it = values.begin(); it != values.end(); ++it) {
            const std::string& key = it.key();
            detail::require_utf8(key, api.c_str(), "a key of " + name);
            if (key == "_wandb" || (summary && (key == "_step" || key == "_runtime" || key == "_timestamp")))
                throw ValidationError(api + ": the key " + detail::quoted(key) + " is reserved for W&B");
            detail::check_json_value(it.value(), api.c_str(), (name == "values" ? "" : name + ", ") + "value of " + detail::quoted(key));
        }
    }

    static void check_name_option(const std::string& value, const char* option) {
        detail::require_utf8(value, who, std::string("option ") + option);
        for (const char c : std::string("/\\#?%:"))
            if (value.find(c) != std::string::npos)
                throw ValidationError(std::string(who) + ": option " + option + " " + detail::quoted(value) +
                                      " contains '" + c + "'; W&B forbids / \\ # ? % :");
    }

    /// W&B's run id rules (wandb/sdk/wandb_settings.py, validate_run_id: not empty, no white space
    /// at either end, none of : ; , # ? / '), the characters the older SDK forbade too (\ %), and
    /// what a run directory and URL need (see OfflineRun()).
    static void check_run_id(const std::string& id) {
        if (id.empty()) return;  // a random id is made
        const std::string named = std::string(who) + ": option run_id " + detail::quoted(id);
        detail::require_name(id, who, "option run_id");
        for (const char c : std::string(":;,#?/'\\%"))
            if (id.find(c) != std::string::npos)
                throw ValidationError(named + " contains '" + c + "'; W&B forbids : ; , # ? / ' \\ %");
        if (id.front() == ' ' || id.back() == ' ')
            throw ValidationError(named + " starts or ends with a space; W&B forbids that");
        if (id == "." || id == "..")
            throw ValidationError(named + " is not a usable id: a run's URL ends with its id");
        constexpr std::size_t longest = 255 - (sizeof("offline-run-YYYYMMDD_HHMMSS-") - 1);
        if (id.size() > longest)
            throw ValidationError(std::string(who) + ": option run_id is " + std::to_string(id.size()) +
                                  " bytes long; at most " + std::to_string(longest) +
                                  " fit in the run directory's name (255 bytes)");
    }

    void validate_options() const {
        check_run_id(options_.run_id);
        check_name_option(options_.project, "project");
        check_name_option(options_.entity, "entity");
        for (const auto& [value, option] :
             {std::pair{&options_.name, "name"}, {&options_.group, "group"}, {&options_.job_type, "job_type"},
              {&options_.notes, "notes"}})
            detail::require_utf8(*value, who, std::string("option ") + option);
        for (const std::string& tag : options_.tags) {
            detail::require_name(tag, who, "tag");
            // W&B counts a tag's length in characters (Python's len, wandb_settings.py
            // validate_run_tags; the server refuses longer ones at sync): code points here.
            std::size_t characters = 0;
            for (const char c : tag) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
            if (characters > 64)
                throw ValidationError(std::string(who) + ": tag " + detail::quoted(tag) + " is " +
                                      std::to_string(characters) + " characters; W&B allows 64");
        }
        check_object(options_.config, who, "option config", false);
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
    void collect(const Row& row, const std::string& path, std::vector<PendingMedia>& media,
                 std::vector<std::string>& table_keys) const {
        std::vector<const std::string*> seen;
        for (const auto& [key, value] : row) {
            const std::string where = path.empty() ? key : path + "." + key;
            const std::string named = "wandb::OfflineRun::log: key " + detail::quoted(where);
            for (std::size_t i = 0; i < key.size(); ++i) {  // before require_name: the message names the full key
                const auto c = static_cast<unsigned char>(key[i]);
                if (c < 0x20 || c == 0x7F)
                    throw ValidationError(named + " holds a control character at byte " + std::to_string(i));
            }
            detail::require_name(key, "wandb::OfflineRun::log", "key" + (path.empty() ? "" : " inside " + detail::quoted(path)));
            if (path.empty() && (key == "_step" || key == "_runtime" || key == "_timestamp" || key == "_wandb"))
                throw ValidationError(named + " is reserved for W&B");
            for (const std::string* other : seen)
                if (*other == key) throw ValidationError(named + " appears twice in one row");
            seen.push_back(&key);
            // std::visit: a new kind of value fails to compile here instead of failing at run time.
            const std::string& name = key;  // lambdas cannot capture a structured binding in C++17
            std::visit(detail::overloaded{
                           [&](const Json& json) {
                               detail::check_json_value(json, "wandb::OfflineRun::log", "value of " + detail::quoted(where));
                           },
                           [&](const Image& image) { media.push_back({&image, nullptr, name, {}}); },  // names checked once encoded
                           [&](const std::vector<Image>& images) {
                               detail::check_image_list(images, name, "wandb::OfflineRun::log");
                               media.push_back({nullptr, &images, name, {}});
                           },
                           [&](const std::shared_ptr<const Table>&) {
                               detail::checked_media_file_name(name, 0, "0", ".table.json", "wandb::OfflineRun::log");
                               table_keys.push_back(name);  // fail fast; staging checks the exact name
                           },
                           [&](const Row& nested) { collect(nested, where, media, table_keys); }},
                       value.get());
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
                const detail::TableRunContext context{dir_,           files_dir(), options_.run_id,
                                                      options_.project, options_.entity, key,
                                                      name_step,        detail::random_base36, "wandb::OfflineRun::log"};
                detail::LoggedTable logged = detail::stage_table_for_run(**table, context);
                for (const auto& entry : logged.artifact.manifest->contents) out.table_files.push_back(entry.local_path);
                out.table_files.push_back(files_dir() / logged.run_file);
                out.records.emplace_back(std::move(logged.artifact));
                out.records.emplace_back(std::move(logged.run_file));
                j[key] = std::move(logged.history_value);
            } else {
                const RunContext context{files_dir(), key, name_step};  // the SDK names nested media by the inner key
                constexpr const char* caller = "wandb::OfflineRun::log";
                RunPayload payload = next->image
                                         ? detail::store_run_image(*next->image, next->encoded.front(), context, caller)
                                         : detail::store_run_images(*next->images, next->encoded, context, caller);
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
        std::vector<std::string> table_keys;
        collect(row, "", media, table_keys);
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
                detail::run_file_paths(e, RunContext{files_dir(), m.key, log_calls_}, paths, "wandb::OfflineRun::log");
        // One log call is all or nothing: its media files are written, then all its records in one
        // append; if anything fails, the files it wrote are removed again and the run's state
        // (config, summary, steps) is left as it was, so the log never names a missing file and a
        // later call is not affected by the failed one.
        writer_->check_writable("wandb::OfflineRun::log");  // before any media file: a vanished run is not recreated
        // What exists before the call: a failed call removes the files and directories it made.
        std::error_code ec;
        std::vector<bool> existed(paths.size());
        for (std::size_t i = 0; i < paths.size(); ++i) existed[i] = std::filesystem::exists(files_dir() / paths[i], ec);
        std::vector<std::filesystem::path> new_dirs;  // deepest first after the sort below
        auto note_new_dirs = [&](const std::filesystem::path& relative_file, const std::filesystem::path& base) {
            for (std::filesystem::path d = relative_file.parent_path(); !d.empty(); d = d.parent_path())
                if (!std::filesystem::exists(base / d, ec)) new_dirs.push_back(base / d);
        };
        for (const std::string& path : paths) note_new_dirs(path, files_dir());
        for (const std::string& key : table_keys) {
            note_new_dirs("artifacts/staging/x", dir_);
            note_new_dirs("media/table/" + make_file_path_upload_safe(key) + "_x", files_dir());
        }
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
            for (const auto& record : written.records)
                std::visit(detail::overloaded{[&](const std::string& file) {
                                                  records.push_back(detail::encode_record(++num, detail::FilesRecord{{{file}}}));
                                              },
                                              [&](const detail::ArtifactRecord& artifact) {
                                                  records.push_back(detail::encode_record(++num, artifact));
                                              }},
                           record);
            if (!written.singletons.empty()) {
                wandb_config = config_.contains("_wandb") ? config_["_wandb"] : Json::object();
                add_class_label_singletons(wandb_config, written.singletons);
                config_changed = !config_.contains("_wandb") || config_["_wandb"] != wandb_config;
                if (config_changed)
                    records.push_back(detail::encode_record(
                        ++num, detail::ConfigRecord{{{"_wandb", {}, detail::json_text(wandb_config)}}, {}}));
            }
            const double runtime = runtime_seconds();
            meta["_step"] = step;
            meta["_runtime"] = runtime;
            meta["_timestamp"] = detail::unix_seconds(std::chrono::system_clock::now());
            detail::HistoryRecord history;
            detail::append_leaf_items(values, history.items);
            detail::append_leaf_items(meta, history.items);
            detail::SummaryRecord summary{history.items, {}};
            // wandb-core's handler updates `_wandb.runtime` with every row (updateRunTiming), so a
            // run that never finishes still shows how long it ran.
            summary.update.push_back({std::string(), {"_wandb", "runtime"}, std::to_string(std::int64_t(runtime))});
            history.step = step;
            records.push_back(detail::encode_record(++num, history));
            records.push_back(detail::encode_record(++num, summary));
            class_colors_.record(dir_, row);  // the colors labels carry, for wandb-imagemask view
            writer_->append_all(records, "wandb::OfflineRun::log");
        } catch (...) {
            class_colors_.undo(dir_);
            for (std::size_t i = 0; i < paths.size(); ++i)
                if (!existed[i]) ::unlink((files_dir() / paths[i]).c_str());
            for (const auto& file : written.table_files) ::unlink(file.c_str());  // each unique to this call
            std::sort(new_dirs.begin(), new_dirs.end(), [](const auto& a, const auto& b) { return a.native().size() > b.native().size(); });
            for (const auto& d : new_dirs) ::rmdir(d.c_str());  // only what this call made, and only if empty
            throw;
        }
        if (config_changed) config_["_wandb"] = std::move(wandb_config);
        detail::merge_leaves(summary_, values);
        detail::merge_leaves(summary_, meta);
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
    detail::ClassColorRecorder class_colors_;
    std::int64_t next_step_ = 0;
    std::int64_t log_calls_ = 0;
    bool exit_written_ = false;  ///< finish wrote the Exit and Final records (then only the fsync is left)
    bool finished_ = false;
    std::unique_ptr<detail::RunCompanions> companions_;  // last: its threads end before the rest goes
};

WANDB_NAMESPACE_END
