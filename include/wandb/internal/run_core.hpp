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
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <unistd.h>

#include "../error.hpp"
#include "../json.hpp"
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

    void log(const Row& row) {
        guarded("log", [&] { log_row(row, std::nullopt); });
    }

    void log(const Row& row, std::int64_t step) {
        guarded("log", [&] { log_row(row, step); });
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
                    Json summary = summary_;
                    summary["_wandb"] = Json{{"runtime", static_cast<std::int64_t>(runtime)}};
                    summary["_runtime"] = static_cast<std::int64_t>(runtime);  // as the runtime Summary record sets it
                    const std::string summary_text = json_text(summary);
                    write_file_atomically(summary_path, summary_text.data(), summary_text.size(), caller, true);
                    const auto num = static_cast<std::int64_t>(writer_->records_written());
                    writer_->append_all({encode_record(num + 1, runtime_summary(static_cast<std::int64_t>(runtime))),
                                         encode_record(num + 2, ExitRecord{exit_code, static_cast<std::int32_t>(runtime)}),
                                         encode_record(num + 3, FinalRecord{})},
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

    const std::string& id() const noexcept { return options_.run_id; }
    const std::filesystem::path& dir() const noexcept { return dir_; }
    std::filesystem::path files_dir() const { return dir_ / "files"; }
    std::filesystem::path log_path() const { return dir_ / ("run-" + options_.run_id + ".wandb"); }
    std::string sync_command() const { return "wandb sync " + dir_.string(); }
    std::int64_t next_step() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return next_step_;
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
        const auto api = [what] { return std::string(who) + (*what ? "::" : "") + what; };
        try {
            body();
        } catch (const ValidationError&) {
            throw;
        } catch (const IoError&) {
            throw;
        } catch (const FormatError&) {
            throw;
        } catch (const std::system_error& e) {  // std::filesystem::filesystem_error included
            throw IoError(api() + ": " + e.what());
        } catch (const nlohmann::json::exception& e) {
            throw ValidationError(api() + ": " + e.what());
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
    /// call's file-name number and, at the end, to commit.
    void log_row(const Row& row, std::optional<std::int64_t> explicit_step) {
        constexpr const char* caller = "wandb::OfflineRun::log";
        LogCall call(row);  // keys and values checked, media listed; nothing written
        std::int64_t name_step = 0;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            check_open("log");
            // Before any media file: a vanished run is not recreated (without media, the append checks).
            if (call.has_media()) writer_->check_writable(caller);
            name_step = name_counter_++;
        }
        try {
            call.encode(pool_);  // outside the lock: other threads log meanwhile
            if (call.has_media())
                call.write({dir_, files_dir(), options_.run_id, options_.project, options_.entity, name_step,
                            random_base36});
            std::lock_guard<std::mutex> lock(mutex_);
            commit(row, call, explicit_step);
        } catch (...) {
            call.undo();
            std::lock_guard<std::mutex> lock(mutex_);
            if (name_counter_ == name_step + 1) name_counter_ = name_step;  // a failed call takes no name
            throw;
        }
    }

    /// A log call's records, in one append, and the run's state after it; all or nothing (the
    /// caller holds the lock).
    void commit(const Row& row, LogCall& call, std::optional<std::int64_t> explicit_step) {
        constexpr const char* caller = "wandb::OfflineRun::log";
        check_open("log");
        const std::int64_t step = explicit_step.value_or(next_step_);
        if (explicit_step && *explicit_step < next_step_) {
            if (next_step_ == 0)  // nothing logged yet: there is no last step to name
                throw ValidationError(std::string(caller) + ": step " + std::to_string(*explicit_step) +
                                      " is negative; steps start at 0");
            throw ValidationError(std::string(caller) + ": step " + std::to_string(*explicit_step) +
                                  " is not greater than the last logged step " + std::to_string(next_step_ - 1) +
                                  "; steps must increase (log all values of one step in one call)");
        }
        constexpr std::int64_t max_step = std::numeric_limits<std::int64_t>::max() - 1;  // so step + 1 exists
        if (step > max_step)
            throw ValidationError(std::string(caller) + ": step " + std::to_string(step) +
                                  " is out of range; steps go up to " + std::to_string(max_step));
        LogCall::Payloads payloads = call.payloads(static_cast<std::int64_t>(writer_->records_written()) + 1);
        std::vector<Bytes>& records = payloads.records;
        auto num = static_cast<std::int64_t>(writer_->records_written() + records.size());
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
        const double runtime = runtime_seconds();
        Json meta = Json::object();
        meta["_step"] = step;
        meta["_runtime"] = runtime;
        meta["_timestamp"] = unix_seconds(std::chrono::system_clock::now());
        // History and Summary (with `_wandb.runtime`) of the leaves of the values and meta.
        append_row_records(records, num + 1, payloads.values, meta, step, std::int64_t(runtime));
        class_colors_.record(dir_, row);  // the colors labels carry, for wandb-imagemask view
        try {
            writer_->append_all(records, caller);
        } catch (...) {
            class_colors_.undo(dir_);
            throw;
        }
        if (config_changed) config_["_wandb"] = std::move(wandb_config);
        merge_leaves(summary_, payloads.values);
        merge_leaves(summary_, meta);
        next_step_ = step + 1;
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
    std::int64_t next_step_ = 0;
    std::int64_t name_counter_ = 0;  ///< the number in the next log call's file names
    bool exit_written_ = false;  ///< finish wrote the Exit and Final records (then only the fsync is left)
    bool finished_ = false;
    std::unique_ptr<RunCompanions> companions_;  // last: its threads end before the rest goes
};

}  // namespace detail
WANDB_NAMESPACE_END
