// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// What an OfflineRun does: its start (the run directory, the Header, Run and Environment
/// records), its log calls (internal/log_call.hpp's pipeline, then one append under the lock),
/// config and summary updates, and its finish; with the companions (system metrics, live sync).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <optional>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <unistd.h>

#include "../error.hpp"
#include "../json.hpp"
#include "../log_options.hpp"
#include "../media.hpp"
#include "../row.hpp"
#include "../run_options.hpp"
#include "../detail/atomic_file.hpp"
#include "../detail/environment_record.hpp"
#include "../detail/json_text.hpp"
#include "../detail/log_writer.hpp"
#include "../detail/nested_items.hpp"
#include "../detail/records.hpp"
#include "../detail/run_companions.hpp"
#include "../detail/run_files.hpp"
#include "../detail/text.hpp"
#include "../detail/worker_pool.hpp"
#include "class_colors.hpp"
#include "log_call.hpp"
#include "run_checks.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// The work of an OfflineRun (see offline_run.hpp, whose doc comments describe each call): its
/// state, the lock, the log writer, the worker pool and the companions.
class RunCore {
public:
    explicit RunCore(OfflineRunOptions options)
        : options_(std::move(options)), started_(std::chrono::system_clock::now()),
          started_steady_(std::chrono::steady_clock::now()), uncaught_at_start_(std::uncaught_exceptions()),
          pool_(checked_media_threads(options_.media_threads)) {
        guarded("", [&] { start(); });
    }

    RunCore(const RunCore&) = delete;
    RunCore& operator=(const RunCore&) = delete;

    ~RunCore() {
        if (finished_ || !writer_) return;
        try {
            finish(std::uncaught_exceptions() > uncaught_at_start_ ? 1 : 0);  // once more, if finish failed
        } catch (...) {
        }
    }

    void log(const Row& row, const LogOptions& options) {
        guarded("log", [&] { log_row(row, options); });
    }

    void update_config(const Json& values) {
        guarded("update_config", [&] { record_then_set<ConfigRecord>(values, "update_config", config_); });
    }

    void update_summary(const Json& values) {
        guarded("update_summary", [&] { record_then_set<SummaryRecord>(values, "update_summary", summary_); });
    }

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
                    const std::string yaml = config_yaml(config_);
                    write_file_atomically(yaml_path, yaml.data(), yaml.size(), caller, true);
                    // The open row is written first, in the same append (wandb-core's handleExit
                    // flushes it before the Exit record).
                    std::vector<Bytes> records;
                    auto num = static_cast<std::int64_t>(writer_->records_written());
                    RowEffects effects;
                    if (open_.open) write_row(current_step_, open_.values, open_.timestamp, records, num, effects);
                    records.push_back(encode_record(++num, runtime_summary(static_cast<std::int64_t>(runtime))));
                    records.push_back(encode_record(++num, ExitRecord{exit_code, static_cast<std::int32_t>(runtime)}));
                    records.push_back(encode_record(++num, FinalRecord{}));
                    Json summary = summary_;
                    apply_summary(summary, effects);
                    summary["_wandb"] = Json{{"runtime", static_cast<std::int64_t>(runtime)}};
                    summary["_runtime"] = static_cast<std::int64_t>(runtime);  // as the runtime Summary record sets it
                    const std::string summary_text = json_text(summary);
                    write_file_atomically(summary_path, summary_text.data(), summary_text.size(), caller, true);
                    writer_->append_all(records, caller);
                    if (open_.open) {
                        apply_effects(effects);
                        open_ = OpenRow{};
                        ++current_step_;
                    }
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

    const std::string& id() const noexcept { return options_.run_id; }
    const std::filesystem::path& dir() const noexcept { return dir_; }
    std::filesystem::path files_dir() const { return dir_ / "files"; }
    std::filesystem::path log_path() const { return dir_ / ("run-" + options_.run_id + ".wandb"); }
    std::string sync_command() const { return "wandb sync " + dir_.string(); }
    std::int64_t next_step() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return current_step_;
    }
    std::size_t media_threads() const noexcept { return pool_.size(); }

private:
    static constexpr const char* who = "wandb::OfflineRun";

    /// Appends a Stats record from the sampler thread, unless the run has finished.
    void append_stats(const StatsRecord& stats) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!exit_written_)
            writer_->append(encode_record(static_cast<std::int64_t>(writer_->records_written()) + 1, stats),
                            "wandb::OfflineRun: the system-metrics sampler");
    }

    CompanionSettings companion_settings() const {
        CompanionSettings c;
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

    double runtime_seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_steady_).count();
    }

    void check_open(const char* what) const {
        if (finished_) throw ValidationError(std::string(who) + "::" + what + ": the run has finished");
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
        validate_run_options(options_);
        if (options_.run_id.empty()) options_.run_id = random_base36(8);
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
        dir_ = root / "wandb" / ("offline-run-" + format_time(started_, "%Y%m%d_%H%M%S", false) + "-" + options_.run_id);
        companions_ = std::make_unique<RunCompanions>(companion_settings());
        config_ = options_.config;

        // Every record and file of the start, encoded before anything is created.
        RunRecord run;
        run.run_id = options_.run_id;
        run.entity = options_.entity;
        run.project = options_.project;
        run.display_name = options_.name;
        run.run_group = options_.group;
        run.job_type = options_.job_type;
        run.notes = options_.notes;
        run.tags = options_.tags;
        run.host = host_name();
        const auto since_epoch = started_.time_since_epoch();
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
        run.start_time = Timestamp{
            seconds.count(),
            static_cast<std::int32_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count())};
        for (auto it = config_.begin(); it != config_.end(); ++it)
            run.config.push_back({it.key(), {}, json_text(it.value())});
        // wandb-core uploads the wandb-metadata.json it makes from the Environment record; the file
        // written here (the same facts) is for people looking at the directory, and is not announced.
        Json facts = run_metadata(started_);
        add_gpu_facts(facts, companions_->gpus());
        const std::vector<Bytes> records = {
            encode_record(1, HeaderRecord{std::string(version_string) + "+" + producer_name, "0.40.0"}),
            encode_record(2, run),
            encode_record(3, environment_record(facts, started_, random_base36(32)))};
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
            create_directories(dir_ / "files", who);
            writer_ = std::make_unique<LogWriter>(log.string(), who);
            writer_->append_all(records, who);
            write_file_atomically(files_dir() / "wandb-metadata.json", metadata.data(), metadata.size(), who);
        } catch (...) {
            if (writer_) {
                writer_.reset();
                ::unlink(log.c_str());
            }
            // wandb-metadata.json is written last and atomically: a failure leaves none of it.
            for (auto it = created.rbegin(); it != created.rend(); ++it) ::rmdir(it->c_str());  // only if empty
            throw;
        }
        companions_->start([this](const StatsRecord& stats) { append_stats(stats); });
    }

    /// update_config/update_summary: appends a Config or Summary record of `values`, then sets
    /// them in `target`; values the log does not hold never reach config.yaml or the summary.
    template <class Record>
    void record_then_set(const Json& values, const char* what, Json& target) {
        const std::string api = std::string(who) + "::" + what;
        check_values_object(values, api, "values", std::is_same_v<Record, SummaryRecord>);
        std::lock_guard<std::mutex> lock(mutex_);
        check_open(what);
        Record record;
        for (auto it = values.begin(); it != values.end(); ++it)
            record.update.push_back({it.key(), {}, json_text(it.value())});
        writer_->append(encode_record(static_cast<std::int64_t>(writer_->records_written()) + 1, record),
                        api.c_str());
        for (auto it = values.begin(); it != values.end(); ++it) target[it.key()] = it.value();
    }

    /// A log call: the pipeline of internal/log_call.hpp, the run's lock held only to take the
    /// step that names the call's files and, at the end, to commit.
    void log_row(const Row& row, const LogOptions& options) {
        constexpr const char* caller = "wandb::OfflineRun::log";
        LogCall call(row);  // keys and values checked, media listed; nothing written
        std::int64_t name_step = 0;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            check_open("log");
            name_step = checked_step(options.step);  // a step refused now is refused before any file
            writer_->check_writable(caller);  // before any media file: a vanished run is not recreated
            reserved_.insert(name_step);
        }
        try {
            call.encode(pool_);  // outside the lock: other threads log meanwhile
            LogCallContext context{dir_, files_dir(), options_.run_id, options_.project, options_.entity, name_step,
                                   random_base36, [this, name_step](const std::string& path) { claim(path, name_step); }};
            call.write(context);
            std::lock_guard<std::mutex> lock(mutex_);
            commit(row, call, options);
            reserved_.erase(reserved_.find(name_step));
            settle(call.claimed());
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex_);  // a claimed file is removed only if no other call holds it
            if (const auto it = reserved_.find(name_step); it != reserved_.end()) reserved_.erase(it);
            call.undo([this](const std::string& path) { return release(path); });
            throw;
        }
    }

    /// The step of a call with `explicit_step`: that step, or the current one.
    /// \throws ValidationError for a negative step, one less than the current step, or one that
    ///         leaves no next step.
    std::int64_t checked_step(std::optional<std::int64_t> explicit_step) const {
        constexpr const char* caller = "wandb::OfflineRun::log";
        const std::int64_t step = explicit_step.value_or(current_step_);
        if (step < 0)
            throw ValidationError(std::string(caller) + ": step " + std::to_string(step) + " is negative; steps start at 0");
        if (step < current_step_)  // the SDK drops such a row with a warning; here it is an error
            throw ValidationError(std::string(caller) + ": step " + std::to_string(step) + " is less than the current step " +
                                  std::to_string(current_step_) +
                                  "; steps must not decrease (the rows of earlier steps are written already)");
        constexpr std::int64_t max_step = std::numeric_limits<std::int64_t>::max() - 1;  // so step + 1 exists
        if (step > max_step)
            throw ValidationError(std::string(caller) + ": step " + std::to_string(step) +
                                  " is out of range; steps go up to " + std::to_string(max_step));
        return step;
    }

    /// A media file name taken by a log call in flight (several calls of one step may name the
    /// same bytes alike): how many calls in flight hold it, and whether a logged call refers to it.
    struct MediaClaim {
        std::int64_t step = 0;  ///< the step in the name
        int in_flight = 0;
        bool logged = false;
    };

    /// A log call (outside the lock) is about to write `path`.
    void claim(const std::string& path, std::int64_t step) {
        std::lock_guard<std::mutex> lock(mutex_);
        MediaClaim& c = claims_[path];
        c.step = step;
        ++c.in_flight;
    }

    /// A failed call gives `path` up (the caller holds the lock): true if no call holds it now,
    /// so the file is removed.
    bool release(const std::string& path) {
        const auto it = claims_.find(path);
        if (it == claims_.end()) return true;
        if (--it->second.in_flight > 0 || it->second.logged) return false;
        claims_.erase(it);
        return true;
    }

    /// A logged call's files are the run's (the caller holds the lock). A name with a step less
    /// than the current one and than every call in flight's can be claimed no more, so it is
    /// forgotten once no call holds it.
    void settle(const std::vector<std::string>& paths) {
        for (const std::string& path : paths) {
            MediaClaim& c = claims_[path];
            --c.in_flight;
            c.logged = true;
        }
        const std::int64_t oldest = reserved_.empty() ? current_step_ : std::min(current_step_, *reserved_.begin());
        for (auto it = claims_.begin(); it != claims_.end();)
            it = it->second.in_flight == 0 && it->second.step < oldest ? claims_.erase(it) : std::next(it);
    }

    /// The values of the log calls at the current step that are not written yet.
    struct OpenRow {
        bool open = false;
        Json values = Json::object();  ///< merged leaf by leaf, as wandb-core merges partial history
        double timestamp = 0;          ///< `_timestamp`: the time of the row's last call
    };

    /// What writing rows changes in the run's state, applied once their records are in the log.
    struct RowEffects {
        std::vector<Json> summary_values;  ///< objects merged into the summary, in order
    };

    static void apply_summary(Json& summary, const RowEffects& effects) {
        for (const Json& values : effects.summary_values) merge_leaves(summary, values);
    }

    void apply_effects(const RowEffects& effects) { apply_summary(summary_, effects); }

    /// The records of one row at `step` (its History record with `_step`, `_runtime` and
    /// `_timestamp`, then its Summary record), appended to `records`; what they change in the
    /// run's state goes to `effects`.
    void write_row(std::int64_t step, const Json& values, double timestamp, std::vector<Bytes>& records,
                   std::int64_t& num, RowEffects& effects) const {
        const double runtime = runtime_seconds();
        Json meta = Json::object();
        meta["_step"] = step;
        meta["_runtime"] = runtime;
        meta["_timestamp"] = timestamp;
        HistoryRecord history;
        append_leaf_items(values, history.items);
        append_leaf_items(meta, history.items);
        SummaryRecord summary{history.items, {}};
        // wandb-core's handler updates `_wandb.runtime` with every row (updateRunTiming), so a
        // run that never finishes still shows how long it ran.
        summary.update.push_back({std::string(), {"_wandb", "runtime"}, std::to_string(std::int64_t(runtime))});
        history.step = step;
        records.push_back(encode_record(++num, history));
        records.push_back(encode_record(++num, summary));
        effects.summary_values.push_back(values);
        effects.summary_values.push_back(std::move(meta));
    }

    /// A log call's records, in one append, and the run's state after it; all or nothing (the
    /// caller holds the lock). The steps of wandb-core's handlePartialHistorySync: a greater step
    /// writes the open row first; the call's values join the open row; a commit writes it.
    void commit(const Row& row, LogCall& call, const LogOptions& options) {
        constexpr const char* caller = "wandb::OfflineRun::log";
        check_open("log");
        std::int64_t step = checked_step(options.step);
        std::vector<Bytes> records;
        auto num = static_cast<std::int64_t>(writer_->records_written());
        RowEffects effects;
        bool joins_open_row = open_.open;
        if (step > current_step_ && open_.open) {
            write_row(current_step_, open_.values, open_.timestamp, records, num, effects);
            joins_open_row = false;
        }
        // The call's media records, written now: its files are on disk already.
        LogCall::Payloads payloads = call.payloads(num + 1);
        num += static_cast<std::int64_t>(payloads.records.size());
        for (Bytes& r : payloads.records) records.push_back(std::move(r));
        Json wandb_config;
        bool config_changed = false;
        if (!payloads.singletons.empty()) {
            wandb_config = config_.contains("_wandb") ? config_["_wandb"] : Json::object();
            add_class_label_singletons(wandb_config, payloads.singletons);
            config_changed = !config_.contains("_wandb") || config_["_wandb"] != wandb_config;
            if (config_changed)
                records.push_back(
                    encode_record(++num, ConfigRecord{{{"_wandb", {}, json_text(wandb_config)}}, {}}));
        }
        Json values = joins_open_row ? open_.values : Json::object();
        merge_leaves(values, payloads.values);  // a key logged again: its leaves replace the earlier ones
        const double timestamp = unix_seconds(std::chrono::system_clock::now());
        const bool flush = options.commit.value_or(!options.step.has_value());  // the SDK's default
        if (flush) write_row(step, values, timestamp, records, num, effects);
        class_colors_.record(dir_, row);  // the colors labels carry, for wandb-imagemask view
        try {
            if (!records.empty()) writer_->append_all(records, caller);
        } catch (...) {
            class_colors_.undo(dir_);
            throw;
        }
        if (config_changed) config_["_wandb"] = std::move(wandb_config);
        apply_effects(effects);
        if (flush) {
            open_ = OpenRow{};
            current_step_ = step + 1;
        } else {
            open_.open = true;
            open_.values = std::move(values);
            open_.timestamp = timestamp;
            current_step_ = step;
        }
    }

    OfflineRunOptions options_;
    std::chrono::system_clock::time_point started_;
    std::chrono::steady_clock::time_point started_steady_;
    int uncaught_at_start_ = 0;
    WorkerPool pool_;
    std::filesystem::path dir_;
    mutable std::mutex mutex_;
    std::unique_ptr<LogWriter> writer_;
    Json config_ = Json::object();
    Json summary_ = Json::object();
    ClassColorRecorder class_colors_;
    std::int64_t current_step_ = 0;  ///< the open row's step, or the next row's (wandb-core's partialHistoryStep)
    OpenRow open_;
    std::map<std::string, MediaClaim> claims_;  ///< media file names of the current step or in flight
    std::multiset<std::int64_t> reserved_;      ///< the name steps of the log calls in flight
    bool exit_written_ = false;  ///< finish wrote the Exit and Final records (then only the fsync is left)
    bool finished_ = false;
    std::unique_ptr<RunCompanions> companions_;  // last: its threads end before the rest goes
};

}  // namespace detail
WANDB_NAMESPACE_END
