// What `wandb-imagemask view` knows of a run: every record of its `.wandb` log read through the
// library's reader (wandb::RunLogReader, wandb::decode_record) and folded into the run's state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <wandb/json.hpp>

namespace wandb_tool {

/// A staged artifact (a logged table's `run_table`): its client id and where its members are.
struct RunArtifact {
    std::string client_id;                           ///< ArtifactRecord.client_id (history values name it)
    std::string name;                                ///< e.g. "run-abc123-eval"
    std::map<std::string, std::string> local_paths;  ///< member path -> local_path as the manifest writes it
};

/// A `define_metric` definition (MetricRecord): a name or a glob, and its step metric.
struct RunMetric {
    std::string name;         ///< the metric, or "" when glob is set
    std::string glob;         ///< e.g. "val/*"
    std::string step_metric;  ///< the x axis, "" = _step
};

/// One Stats record: system metrics at a time.
struct RunStats {
    double timestamp = 0;                        ///< Unix seconds
    std::map<std::string, wandb::Json> values;  ///< e.g. "cpu" -> 12.5
};

/// A run folded from its log: the first Run record's fields, config and summary as every record
/// left them, the history rows in order, the exit, artifacts, metrics and system metrics.
struct RunData {
    std::filesystem::path dir;          ///< the run directory
    std::filesystem::path log;          ///< its `run-<id>.wandb`
    wandb::Json run = wandb::Json::object();      ///< RunRecord fields (later Run records update them)
    wandb::Json config = wandb::Json::object();   ///< config values, `_wandb` included
    wandb::Json summary = wandb::Json::object();  ///< summary values
    std::vector<wandb::Json> rows;                ///< history rows, each with its `_step`
    std::optional<int> exit_code;                 ///< from the Exit record; none while unfinished
    std::optional<double> exit_runtime;           ///< RunExitRecord.runtime, seconds
    std::vector<RunArtifact> artifacts;
    std::vector<RunMetric> metrics;
    std::vector<RunStats> stats;
    std::optional<std::string> problem;           ///< the log's first problem (a truncated tail, say)
    std::size_t records = 0;                      ///< records read
    std::size_t unknown_records = 0;              ///< records of kinds the report does not show
};

/// The run directory and log of `path`: a run directory holding one `run-*.wandb`, or that file.
/// \throws std::runtime_error naming the path if there is no log, or more than one.
std::pair<std::filesystem::path, std::filesystem::path> find_run_log(const std::filesystem::path& path);

/// Reads every record of the run's log up to its end or its first problem (kept in `problem`).
/// \throws wandb::IoError, wandb::FormatError (a bad header, a record that does not decode) and
///         std::runtime_error (no log) naming the file.
RunData read_run(const std::filesystem::path& path);

}  // namespace wandb_tool
