// Reading a run for the report: see run_reader.hpp.
#include "run_reader.hpp"

#include <algorithm>
#include <stdexcept>
#include <system_error>

#include <wandb/record_json.hpp>
#include <wandb/run_log.hpp>

#include "run_items.hpp"

namespace wandb_tool {
namespace {

namespace fs = std::filesystem;

std::string text_of(const wandb::Json& object, const char* key) {
    return object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : std::string();
}

/// A decoded StatsRecord: its timestamp and items.
void add_stats(const wandb::Json& stats, RunData& run) {
    RunStats s;
    if (stats.contains("timestamp")) {
        const wandb::Json& t = stats["timestamp"];
        s.timestamp = t.value("seconds", 0.0) + t.value("nanos", 0.0) / 1e9;
    }
    const wandb::Json items = stats.contains("item") ? stats["item"] : wandb::Json::array();
    for (const auto& item : items) {
        const std::string key = text_of(item, "key");
        if (key.empty()) continue;
        try {
            s.values[key] = parse_value_json(text_of(item, "value_json"));
        } catch (const std::exception&) {
            // a value that is not JSON is left out of the charts
        }
    }
    run.stats.push_back(std::move(s));
}

/// A decoded MetricRecord: its name or glob, and its step metric.
void add_metric(const wandb::Json& metric, RunData& run) {
    RunMetric m = {text_of(metric, "name"), text_of(metric, "glob_name"), text_of(metric, "step_metric")};
    for (RunMetric& other : run.metrics)  // a later definition of the same metric replaces the earlier
        if (other.name == m.name && other.glob == m.glob) {
            other = m;
            return;
        }
    run.metrics.push_back(std::move(m));
}

void add_artifact(const wandb::Json& a, RunData& run) {
    RunArtifact out;
    out.client_id = text_of(a, "client_id");
    out.name = text_of(a, "name");
    if (a.contains("manifest") && a["manifest"].contains("contents"))
        for (const auto& entry : a["manifest"]["contents"]) out.local_paths[text_of(entry, "path")] = text_of(entry, "local_path");
    run.artifacts.push_back(std::move(out));
}

void add_run(const wandb::Json& r, RunData& run) {
    const bool first = run.run.empty();
    for (auto it = r.begin(); it != r.end(); ++it) {
        if (it.key() == "config") {
            if (it.value().contains("update")) apply_items(run.config, it.value()["update"]);
        } else if (it.key() == "summary") {
            if (it.value().contains("update")) apply_items(run.summary, it.value()["update"]);
        } else if (first || (it.key() != "run_id" && it.key() != "start_time")) {
            run.run[it.key()] = it.value();  // runsync takes the id and start time from the first Run record
        }
    }
}

}  // namespace

std::pair<fs::path, fs::path> find_run_log(const fs::path& path) {
    std::error_code ec;
    const fs::path absolute = fs::absolute(path).lexically_normal();
    if (fs::is_regular_file(absolute, ec)) return {absolute.parent_path(), absolute};
    if (!fs::is_directory(path, ec))
        throw std::runtime_error(path.string() + " is neither a run directory nor a .wandb file");
    std::vector<fs::path> logs;
    const fs::path dir = absolute.has_filename() ? absolute : absolute.parent_path();  // no trailing '/'
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && name.size() > 6 && name.compare(name.size() - 6, 6, ".wandb") == 0)
            logs.push_back(entry.path());
    }
    if (ec) throw std::runtime_error("cannot list " + path.string() + ": " + ec.message());
    if (logs.empty()) throw std::runtime_error(path.string() + " holds no .wandb log; is it an offline run directory?");
    if (logs.size() > 1) {
        std::sort(logs.begin(), logs.end());
        std::string names;
        for (const auto& l : logs) names += " " + l.filename().string();
        throw std::runtime_error(path.string() + " holds more than one .wandb log (" + names.substr(1) +
                                 "); name the one to show");
    }
    return {dir, logs.front()};
}

RunData read_run(const fs::path& path) {
    RunData run;
    std::tie(run.dir, run.log) = find_run_log(path);
    wandb::RunLogReader reader(run.log.string());
    wandb::LogReadResult all = reader.read_all();
    if (all.problem) run.problem = all.problem->message;
    for (const wandb::LogRecord& raw : all.records) {
        const wandb::Json record = wandb::decode_record(raw.data);
        ++run.records;
        try {
            if (record.contains("history")) {
                const wandb::Json& h = record["history"];
                wandb::Json row = assemble_row(h.contains("item") ? h["item"] : wandb::Json::array());
                if (!row.contains("_step"))
                    row["_step"] = h.contains("step") ? h["step"].value("num", std::int64_t{0}) : std::int64_t(run.rows.size());
                run.rows.push_back(std::move(row));
            } else if (record.contains("summary")) {
                const wandb::Json& s = record["summary"];
                if (s.contains("update")) apply_items(run.summary, s["update"]);
                if (s.contains("remove")) remove_items(run.summary, s["remove"]);
            } else if (record.contains("config")) {
                const wandb::Json& c = record["config"];
                if (c.contains("update")) apply_items(run.config, c["update"]);
                if (c.contains("remove")) remove_items(run.config, c["remove"]);
            } else if (record.contains("run")) {
                add_run(record["run"], run);
            } else if (record.contains("exit")) {
                run.exit_code = record["exit"].value("exit_code", 0);
                run.exit_runtime = record["exit"].value("runtime", 0.0);
            } else if (record.contains("artifact")) {
                add_artifact(record["artifact"], run);
            } else if (record.contains("stats")) {
                add_stats(record["stats"], run);
            } else if (record.contains("metric")) {
                add_metric(record["metric"], run);
            } else if (!record.contains("header") && !record.contains("files") && !record.contains("final")) {
                ++run.unknown_records;  // telemetry, environment, output, ...: not part of the report
            }
        } catch (const nlohmann::json::exception& e) {
            throw wandb::FormatError(run.log.string() + ": record at offset " + std::to_string(raw.offset) +
                                     " holds a value that is not JSON: " + e.what());
        } catch (const std::runtime_error& e) {
            throw wandb::FormatError(run.log.string() + ": record at offset " + std::to_string(raw.offset) + ": " +
                                     e.what());
        }
    }
    return run;
}

}  // namespace wandb_tool
