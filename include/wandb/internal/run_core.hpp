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
#include <thread>
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
#include "../detail/metrics.hpp"
#include "../detail/nested_items.hpp"
#include "../detail/records.hpp"
#include "../detail/run_companions.hpp"
#include "../detail/run_files.hpp"
#include "../detail/text.hpp"
#include "../detail/worker_pool.hpp"
#include "class_colors.hpp"
#include "log_call.hpp"
#include "resume_point.hpp"
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

    void define_metric(const std::string& name, const wandb::MetricOptions& options) {
        guarded("define_metric", [&] { define_metric_record(name, options); });
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
        std::optional<ResumePoint> resume;
        if (options_.resume != Resume::never) {
            resume = read_fragments(root / "wandb", options_.run_id);
            if (!resume && options_.resume == Resume::must)
                throw ValidationError(std::string(who) + ": option resume is must but " + (root / "wandb").string() +
                                      " holds no fragment of run " + detail::quoted(options_.run_id) +
                                      " (a directory offline-run-<YYYYMMDD_HHMMSS>-" + options_.run_id + " with run-" +
                                      options_.run_id + ".wandb)");
        }
        dir_ = root / "wandb" / ("offline-run-" + format_time(started_, "%Y%m%d_%H%M%S", false) + "-" + options_.run_id);
        // A fragment started in the second of the one it resumes would get its directory: wait for
        // the next second (the directory names the start time, and the sync orders by start time).
        while (resume && std::filesystem::exists(dir_, ec)) {
            std::this_thread::sleep_until(std::chrono::floor<std::chrono::seconds>(started_) + std::chrono::seconds(1));
            started_ = std::chrono::system_clock::now();
            started_steady_ = std::chrono::steady_clock::now();
            dir_ = root / "wandb" / ("offline-run-" + format_time(started_, "%Y%m%d_%H%M%S", false) + "-" + options_.run_id);
        }
        companions_ = std::make_unique<RunCompanions>(companion_settings());
        config_ = options_.config;
        if (resume) {  // the earlier config, with the keys given now replacing theirs
            config_ = resume->config;
            for (auto it = options_.config.begin(); it != options_.config.end(); ++it) config_[it.key()] = it.value();
            summary_ = resume->summary;
            current_step_ = resume->next_step;
        }

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
        if (resume) {
            run.resumed = true;
            run.starting_step = current_step_;
        }
        run.start_time = Timestamp{
            seconds.count(),
            static_cast<std::int32_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count())};
        for (auto it = config_.begin(); it != config_.end(); ++it)
            run.config.push_back({it.key(), {}, json_text(it.value())});
        // wandb-core uploads the wandb-metadata.json it makes from the Environment record; the file
        // written here (the same facts) is for people looking at the directory, and is not announced.
        Json facts = run_metadata(started_);
        add_gpu_facts(facts, companions_->gpus());
        std::vector<Bytes> records = {
            encode_record(1, HeaderRecord{std::string(version_string) + "+" + producer_name, header_min_consumer}),
            encode_record(2, run),
            encode_record(3, environment_record(facts, started_, random_base36(32)))};
        if (!summary_.empty()) {  // a resumed fragment shows the earlier summary on its own
            SummaryRecord summary;
            for (auto it = summary_.begin(); it != summary_.end(); ++it)
                summary.update.push_back({it.key(), {}, json_text(it.value())});
            records.push_back(encode_record(4, summary));
        }
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
        if constexpr (std::is_same_v<Record, SummaryRecord>)
            for (auto it = values.begin(); it != values.end(); ++it)
                if (const auto m = metric_summaries_.find({it.key()}); m != metric_summaries_.end())
                    m->second.set_explicit(it.value());
    }

    /// define_metric: the SDK's checks and MetricRecord (wandb_run.py `_define_metric`,
    /// wandb_metric.py `Metric._commit`), appended, then the definition as wandb-core's handler
    /// takes it (`MetricHandler.ProcessRecord`, `UpdateSummary`).
    void define_metric_record(const std::string& name, const wandb::MetricOptions& options) {
        const std::string api = std::string(who) + "::define_metric";
        if (name.empty()) throw ValidationError(api + ": the name is empty");
        require_utf8(name, api.c_str(), "the name");
        require_utf8(options.step_metric, api.c_str(), "step_metric");
        const bool glob = name.back() == '*';
        if (name.find('*') != name.size() - 1 && name.find('*') != std::string::npos)
            throw ValidationError(api + ": name " + detail::quoted(name) +
                                  " has a * before its end; a glob may only end with *, as in \"val/*\"");
        if (!glob && metric_path(name).empty())
            throw ValidationError(api + ": name " + detail::quoted(name) + " names no key (only dots)");
        MetricRecord record;
        record.options = MetricOptions{};
        record.options->defined = true;
        (glob ? record.glob_name : record.name) = name;
        record.step_metric = options.step_metric;
        record.options->step_sync = options.step_sync.value_or(!options.step_metric.empty());
        record.options->hidden = options.hidden;
        if (!options.summary.empty()) {
            MetricSummary summary;
            std::string rest = options.summary;
            for (;;) {
                const std::size_t comma = rest.find(',');
                std::string op = rest.substr(0, comma);
                for (char& c : op) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
                bool* const flag = op == "min"     ? &summary.min
                                   : op == "max"   ? &summary.max
                                   : op == "mean"  ? &summary.mean
                                   : op == "best"  ? &summary.best
                                   : op == "last"  ? &summary.last
                                   : op == "copy"  ? &summary.copy
                                   : op == "none"  ? &summary.none
                                   : op == "first" ? &summary.first
                                                   : nullptr;
                if (!flag)
                    throw ValidationError(api + ": summary " + detail::quoted(options.summary) + " holds " +
                                          detail::quoted(op) +
                                          "; the summaries are min, max, mean, last, first, best, copy and none");
                *flag = true;
                if (comma == std::string::npos) break;
                rest = rest.substr(comma + 1);
            }
            record.summary = summary;
        }
        if (!options.goal.empty()) {
            std::string g = options.goal.substr(0, 3);  // the SDK reads goal[:3].lower()
            for (char& c : g) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
            if (g != "min" && g != "max")
                throw ValidationError(api + ": goal " + detail::quoted(options.goal) + " is neither minimize nor maximize");
            record.goal = g == "min" ? MetricGoal::minimize : MetricGoal::maximize;
        }
        if (options.overwrite) record.control = MetricControl{true};
        std::lock_guard<std::mutex> lock(mutex_);
        check_open("define_metric");
        writer_->append(encode_record(static_cast<std::int64_t>(writer_->records_written()) + 1, record), api.c_str());
        take_metric(record);
    }

    /// A MetricRecord as wandb-core's handler takes it (`ProcessRecord`, then `UpdateSummary` for
    /// a named metric); the caller holds the lock.
    void take_metric(const MetricRecord& record) {
        if (!record.step_metric.empty()) latest_steps_.emplace(record.step_metric, 0.0);
        const bool overwrite = record.control && record.control->overwrite;
        if (!record.name.empty()) {
            MetricDefinition& d = definitions_[record.name];
            d = (overwrite ? MetricDefinition{} : d).with(record);
            const std::vector<std::string> path = metric_path(record.name);
            if (!path.empty()) metric_summaries_[path].configure(d);
        } else {
            const auto it = std::find_if(globs_.begin(), globs_.end(), [&](const auto& g) { return g.first == record.glob_name; });
            if (it == globs_.end())
                globs_.emplace_back(record.glob_name, MetricDefinition{}.with(record));
            else
                it->second = (overwrite ? MetricDefinition{} : it->second).with(record);
        }
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
            // Before any media file: a vanished run is not recreated (without media, the append checks).
            if (call.has_media()) writer_->check_writable(caller);
            reserved_.insert(name_step);
        }
        try {
            call.encode(pool_);  // outside the lock: other threads log meanwhile
            LogCallContext context{dir_, files_dir(), options_.run_id, options_.project, options_.entity, name_step,
                                   random_base36, [this, name_step](const std::string& path) { claim(path, name_step); }};
            if (call.has_media()) call.write(context);
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

    /// What writing rows changes in the run's state, applied once their records are in the log:
    /// the summary values, and the metric state (definitions from globs, step metrics' latest
    /// values, metric summaries) as it is after the rows.
    struct RowEffects {
        std::vector<Json> summary_values;  ///< objects merged into the summary, in order
        std::map<std::string, MetricDefinition> definitions;
        std::map<std::string, double> latest_steps;
        std::map<std::vector<std::string>, MetricSummaryState> metric_summaries;
    };

    static void apply_summary(Json& summary, const RowEffects& effects) {
        for (const Json& values : effects.summary_values) merge_leaves(summary, values);
    }

    void apply_effects(RowEffects& effects) {
        apply_summary(summary_, effects);
        for (auto& [k, v] : effects.definitions) definitions_[k] = std::move(v);
        for (auto& [k, v] : effects.latest_steps) latest_steps_[k] = v;
        for (auto& [k, v] : effects.metric_summaries) metric_summaries_[k] = std::move(v);
    }

    /// The definition of the metric `key`, as it is after the rows of `effects`, or null.
    const MetricDefinition* definition(const std::string& key, const RowEffects& effects) const {
        if (const auto it = effects.definitions.find(key); it != effects.definitions.end()) return &it->second;
        const auto it = definitions_.find(key);
        return it == definitions_.end() ? nullptr : &it->second;
    }

    /// The summary state of the metric at `path` to update in `effects`, or null if the path has
    /// no defined metric.
    MetricSummaryState* metric_summary(const std::vector<std::string>& path, RowEffects& effects) const {
        if (const auto it = effects.metric_summaries.find(path); it != effects.metric_summaries.end()) return &it->second;
        const auto it = metric_summaries_.find(path);
        if (it == metric_summaries_.end()) return nullptr;
        return &effects.metric_summaries.emplace(path, it->second).first->second;
    }

    /// Every leaf of `value` (its path and value), depth first in key order.
    template <class Visit>
    static void for_each_leaf(const Json& value, std::vector<std::string>& path, Visit&& visit) {
        if (!value.is_object()) {
            visit(path, value);
            return;
        }
        for (auto it = value.begin(); it != value.end(); ++it) {
            path.push_back(it.key());
            for_each_leaf(it.value(), path, visit);
            path.pop_back();
        }
    }

    /// The leaf at `path` of `row`, or null.
    static const Json* leaf_at(const Json& row, const std::vector<std::string>& path) {
        const Json* at = &row;
        for (const std::string& label : path) {
            if (!at->is_object()) return nullptr;
            const auto it = at->find(label);
            if (it == at->end()) return nullptr;
            at = &*it;
        }
        return at->is_object() ? nullptr : at;
    }

    /// Whether a row needs define_metric's steps: a metric, a glob or a step metric is defined.
    bool uses_metrics(const RowEffects& effects) const {
        return !(latest_steps_.empty() && effects.latest_steps.empty() && definitions_.empty() && globs_.empty() &&
                 effects.definitions.empty() && effects.metric_summaries.empty());
    }

    /// wandb-core's metric steps for a row about to be written (flushPartialHistory:
    /// `UpdateMetrics`, the globs' MetricRecords, `InsertStepMetrics`), on `row` (values and
    /// meta keys); the MetricRecords go to `records`.
    void apply_metrics(Json& row, std::vector<Bytes>& records, std::int64_t& num, RowEffects& effects) const {
        if (!uses_metrics(effects)) return;
        // The latest value of every step metric the row holds.
        std::vector<std::string> step_names;
        for (const auto& [name, latest] : latest_steps_) step_names.push_back(name);
        for (const auto& [name, latest] : effects.latest_steps) step_names.push_back(name);
        for (const std::string& name : step_names)
            if (const Json* v = leaf_at(row, dotted_path(name)); v && v->is_number()) effects.latest_steps[name] = v->get<double>();
        // Globs: every leaf not yet defined that a glob matches gets a metric of its own.
        std::vector<std::string> path;
        std::vector<std::string> keys;
        for_each_leaf(row, path, [&](const std::vector<std::string>& p, const Json&) { keys.push_back(metric_key(p)); });
        for (const std::string& key : keys) {
            if (key.empty() || key[0] == '_' || definition(key, effects)) continue;
            const auto glob = std::find_if(globs_.begin(), globs_.end(), [&](const auto& g) {
                return key.compare(0, g.first.size() - 1, g.first, 0, g.first.size() - 1) == 0;
            });
            if (glob == globs_.end()) continue;
            const MetricRecord record = glob->second.expanded_record(key);
            records.push_back(encode_record(++num, record));
            // As handleMetric takes it: the record overwrites, so the definition is the glob's
            // (now named, so explicit), with best and its goal kept.
            MetricDefinition d = MetricDefinition{}.with(record);
            d.kinds |= glob->second.kinds & kind_best;
            effects.definitions[key] = d;
            if (!d.step.empty() && !latest_steps_.count(d.step)) effects.latest_steps.emplace(d.step, 0.0);
            if (const std::vector<std::string> summary_path = metric_path(key); !summary_path.empty()) {
                MetricSummaryState* state = metric_summary(summary_path, effects);
                if (!state) state = &effects.metric_summaries[summary_path];
                state->configure(d);
            }
        }
        // Step sync: a row with the metric and without its step metric gets the latest step value.
        for (const std::string& key : keys) {
            const MetricDefinition* d = definition(key, effects);
            if (!d || d->step.empty() || !d->step_sync) continue;
            const std::vector<std::string> step_path = dotted_path(d->step);
            if (leaf_at(row, step_path)) continue;
            double latest = 0;
            if (const auto it = effects.latest_steps.find(d->step); it != effects.latest_steps.end())
                latest = it->second;
            else if (const auto c = latest_steps_.find(d->step); c != latest_steps_.end())
                latest = c->second;
            Json* at = &row;
            for (std::size_t i = 0; i + 1 < step_path.size(); ++i) {
                Json& next = (*at)[step_path[i]];
                if (!next.is_object()) next = Json::object();
                at = &next;
            }
            (*at)[step_path.back()] = latest;
        }
    }

    /// The records of one row at `step` (its History record with `_step`, `_runtime` and
    /// `_timestamp`, then its Summary record), appended to `records`; what they change in the
    /// run's state goes to `effects`.
    void write_row(std::int64_t step, const Json& values, double timestamp, std::vector<Bytes>& records,
                   std::int64_t& num, RowEffects& effects) const {
        const double runtime = runtime_seconds();
        Json row = values;
        row["_step"] = step;
        row["_runtime"] = runtime;
        row["_timestamp"] = timestamp;
        if (!uses_metrics(effects)) {  // the Summary is the History's items: both encoded in one pass
            Json meta = Json::object();
            meta["_step"] = step;
            meta["_runtime"] = runtime;
            meta["_timestamp"] = timestamp;
            append_row_records(records, num + 1, values, meta, step, std::int64_t(runtime));
            num += 2;
            effects.summary_values.push_back(std::move(row));
            return;
        }
        apply_metrics(row, records, num, effects);  // MetricRecords of globs first, as wandb-core
        HistoryRecord history;
        append_leaf_items(row, history.items);
        // The summary: each leaf's value (its history item, in the same order), or for a defined
        // metric its summary (or none).
        SummaryRecord summary;
        Json summary_values = Json::object();
        bool computed = false;  // a defined metric's summary is not its value
        std::size_t leaf = 0;
        std::vector<std::string> path;
        for_each_leaf(row, path, [&](const std::vector<std::string>& p, const Json& v) {
            const RecordItem& item = history.items[leaf++];
            MetricSummaryState* state = metric_summary(p, effects);
            if (!state) {
                summary.update.push_back(item);
                if (computed) set_leaf(summary_values, p, v);
                return;
            }
            if (!computed) {  // the leaves before this one, as they are
                std::vector<std::string> before;
                std::size_t k = 0;
                for_each_leaf(row, before, [&](const std::vector<std::string>& q, const Json& w) {
                    if (k++ < leaf - 1) set_leaf(summary_values, q, w);
                });
                computed = true;
            }
            state->update(v);
            std::optional<Json> value = state->value();
            if (!value) return;
            summary.update.push_back({std::string(), p, json_text(*value)});
            set_leaf(summary_values, p, std::move(*value));
        });
        // wandb-core's handler updates `_wandb.runtime` with every row (updateRunTiming), so a
        // run that never finishes still shows how long it ran.
        summary.update.push_back({std::string(), {"_wandb", "runtime"}, std::to_string(std::int64_t(runtime))});
        history.step = step;
        records.push_back(encode_record(++num, history));
        records.push_back(encode_record(++num, summary));
        effects.summary_values.push_back(computed ? std::move(summary_values) : std::move(row));
    }

    /// Sets `value` at `path` in the object `target`, making the objects on the way.
    static void set_leaf(Json& target, const std::vector<std::string>& path, Json value) {
        Json* at = &target;
        for (std::size_t i = 0; i + 1 < path.size(); ++i) {
            Json& next = (*at)[path[i]];
            if (!next.is_object()) next = Json::object();
            at = &next;
        }
        (*at)[path.back()] = std::move(value);
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
    std::map<std::string, MetricDefinition> definitions_;                        ///< by name (wandb-core definedMetrics)
    std::vector<std::pair<std::string, MetricDefinition>> globs_;                ///< by glob, in the order defined
    std::map<std::string, double> latest_steps_;                                 ///< each step metric's latest value
    std::map<std::vector<std::string>, MetricSummaryState> metric_summaries_;    ///< by path, defined metrics only
    bool exit_written_ = false;  ///< finish wrote the Exit and Final records (then only the fsync is left)
    bool finished_ = false;
    std::unique_ptr<RunCompanions> companions_;  // last: its threads end before the rest goes
};

}  // namespace detail
WANDB_NAMESPACE_END
