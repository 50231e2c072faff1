// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Where a resumed run continues (OfflineRunOptions::resume): the earlier fragments of its run id
/// below the same root, read back with RunLogReader, and the step, summary and config they end with.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include "../error.hpp"
#include "../json.hpp"
#include "../record_items.hpp"
#include "../record_json.hpp"
#include "../run_dir.hpp"
#include "../run_log.hpp"
#include "../detail/nested_items.hpp"
#include "../detail/text.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// What the earlier fragments of a run id hold, as the next fragment continues them.
struct ResumePoint {
    std::vector<std::filesystem::path> logs;  ///< the fragments' logs, in order of start time
    std::int64_t next_step = 0;               ///< the last step written + 1 (or a later starting_step)
    Json summary = Json::object();            ///< the Summary records merged in order, without `_wandb`
    Json config = Json::object();             ///< the Run records' config and the Config records merged in order
};

/// Whether `name` is a fragment directory of `run_id`: `offline-run-<YYYYMMDD_HHMMSS>-<run_id>`.
inline bool is_fragment_name(const std::string& name, const std::string& run_id) {
    constexpr std::size_t prefix = sizeof("offline-run-YYYYMMDD_HHMMSS-") - 1;
    if (name.size() != prefix + run_id.size() || name.compare(0, 12, "offline-run-") != 0) return false;
    for (std::size_t i = 12; i < prefix - 1; ++i) {
        const char c = name[i];
        if (i == 20 ? c != '_' : (c < '0' || c > '9')) return false;
    }
    return name[prefix - 1] == '-' && name.compare(prefix, std::string::npos, run_id) == 0;
}

/// Sets the values of a Summary or Config record's items in `target` as the run set them: a `key`
/// item replaces the top-level value, a `nested_key` item sets one leaf.
inline void apply_items(Json& target, const Json& items) {
    for (const Json& item : items) {
        const Json values = items_to_object(Json::array({item}));
        if (item.contains("key")) {
            for (auto it = values.begin(); it != values.end(); ++it) target[it.key()] = it.value();
        } else {
            merge_leaves(target, values);
        }
    }
}

/// The earlier fragments of `run_id` in `wandb_dir` (`<root>/wandb`), or nothing if there is none.
/// A fragment killed without its Exit record counts up to its last complete record (the reader
/// stops at a torn tail).
/// \throws wandb::ValidationError  if a fragment's log is still held by a live writer;
///         wandb::FormatError  if a fragment's log is corrupt (not merely cut short);
///         wandb::IoError  if the directory or a log cannot be read.
inline std::optional<ResumePoint> read_fragments(const std::filesystem::path& wandb_dir, const std::string& run_id) {
    constexpr const char* who = "wandb::OfflineRun";
    const std::string resuming = std::string(who) + ": cannot resume run " + detail::quoted(run_id) + ": ";
    std::error_code ec;
    if (!std::filesystem::is_directory(wandb_dir, ec)) return std::nullopt;
    struct Fragment {
        std::tuple<std::int64_t, std::int64_t, std::string> order;  // start time, then directory name
        std::filesystem::path log;
        std::vector<Json> records;
    };
    std::vector<Fragment> fragments;
    std::filesystem::directory_iterator it(wandb_dir, ec);
    for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        std::error_code file_ec;
        const std::filesystem::path log = it->path() / ("run-" + run_id + ".wandb");
        if (!is_fragment_name(name, run_id) || !std::filesystem::is_regular_file(log, file_ec)) continue;
        if (log_is_being_written(log))
            throw ValidationError(resuming + log.string() + " is still being written by a live process");
        Fragment f;
        f.log = log;
        RunLogReader reader(log.string());
        LogReadResult read = reader.read_all();
        if (read.problem && read.problem->kind == LogProblem::Kind::corrupt)
            throw FormatError(resuming + log.string() + ": " + read.problem->message);
        std::get<2>(f.order) = name;
        bool seen_run = false;  // wandb-core's sync takes the start time from the first Run record
        for (const LogRecord& r : read.records) {
            f.records.push_back(decode_record(r.data));
            const Json& rec = f.records.back();
            if (!seen_run && rec.contains("run")) {
                seen_run = true;
                const Json& t = rec["run"].value("start_time", Json::object());
                std::get<0>(f.order) = t.value("seconds", std::int64_t{0});
                std::get<1>(f.order) = t.value("nanos", std::int64_t{0});
            }
        }
        fragments.push_back(std::move(f));
    }
    if (ec) throw IoError(resuming + "cannot list " + wandb_dir.string() + ": " + ec.message());
    if (fragments.empty()) return std::nullopt;
    std::sort(fragments.begin(), fragments.end(), [](const Fragment& a, const Fragment& b) { return a.order < b.order; });
    ResumePoint point;
    for (const Fragment& f : fragments) {
        point.logs.push_back(f.log);
        for (const Json& rec : f.records) {
            if (rec.contains("run")) {
                const Json& run = rec["run"];
                point.next_step = std::max(point.next_step, run.value("starting_step", std::int64_t{0}));
                if (run.contains("config")) apply_items(point.config, run["config"].value("update", Json::array()));
            } else if (rec.contains("config")) {
                apply_items(point.config, rec["config"].value("update", Json::array()));
            } else if (rec.contains("summary")) {
                apply_items(point.summary, rec["summary"].value("update", Json::array()));
            } else if (rec.contains("history") && rec["history"].contains("step")) {
                const std::int64_t step = rec["history"]["step"].value("num", std::int64_t{0});
                if (step < std::numeric_limits<std::int64_t>::max()) point.next_step = std::max(point.next_step, step + 1);
            }
        }
    }
    point.summary.erase("_wandb");  // its runtime is the fragment's; the next one writes its own
    return point;
}

}  // namespace detail
WANDB_NAMESPACE_END
