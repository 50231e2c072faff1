// Reading a run for the report: see run_reader.hpp.
#include "run_reader.hpp"

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include <wandb/detail/protobuf.hpp>
#include <wandb/run_log.hpp>

#include "run_items.hpp"

namespace wandb_tool {
namespace {

namespace fs = std::filesystem;

/// Bytes from the lower-case hex decode_record gives unknown LEN fields.
std::string from_hex(const std::string& hex) {
    auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    std::string out(hex.size() / 2, '\0');
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out[i / 2] = static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1]));
    return out;
}

/// The LEN fields of a message with the given number, in order.
std::vector<std::string_view> len_fields(std::string_view message, std::uint32_t number) {
    std::vector<std::string_view> out;
    wandb::detail::ProtoReader reader(message, 0);
    wandb::detail::ProtoField f;
    while (reader.next(f))
        if (f.number == number && f.type == wandb::detail::WireType::len) out.push_back(f.payload);
    return out;
}

std::uint64_t varint_field(std::string_view message, std::uint32_t number) {
    std::uint64_t value = 0;
    wandb::detail::ProtoReader reader(message, 0);
    wandb::detail::ProtoField f;
    while (reader.next(f))
        if (f.number == number && f.type == wandb::detail::WireType::varint) value = f.value;
    return value;
}

std::string string_field(std::string_view message, std::uint32_t number) {
    const auto all = len_fields(message, number);
    return all.empty() ? std::string() : std::string(all.back());
}

/// A record kind the library's decoder does not model yet arrives as hex under its field number;
/// one that it does, under its name. Either way: the message's bytes, or nothing.
std::optional<std::string> raw_message(const wandb::Json& record, const char* number) {
    if (record.contains(number) && record[number].is_string()) return from_hex(record[number].get<std::string>());
    return std::nullopt;
}

std::string text_of(const wandb::Json& object, const char* key) {
    return object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : std::string();
}

/// StatsRecord (wandb_internal.proto): timestamp = 2 (seconds = 1, nanos = 2), item = 3 (key = 1,
/// value_json = 16), decoded by name or from its bytes.
void add_stats(const wandb::Json& record, RunData& run) {
    RunStats s;
    wandb::Json items = wandb::Json::array();
    if (record.contains("stats")) {
        const wandb::Json& stats = record["stats"];
        if (stats.contains("timestamp")) {
            const wandb::Json& t = stats["timestamp"];
            s.timestamp = t.value("seconds", 0.0) + t.value("nanos", 0.0) / 1e9;
        }
        if (stats.contains("item")) items = stats["item"];
    } else if (const auto bytes = raw_message(record, "7")) {
        for (std::string_view t : len_fields(*bytes, 2))
            s.timestamp = double(varint_field(t, 1)) + double(varint_field(t, 2)) / 1e9;
        for (std::string_view item : len_fields(*bytes, 3))
            items.push_back({{"key", string_field(item, 1)}, {"value_json", string_field(item, 16)}});
    } else {
        return;
    }
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

/// MetricRecord: name = 1, glob_name = 2, step_metric = 4.
void add_metric(const wandb::Json& record, RunData& run) {
    RunMetric m;
    if (record.contains("metric")) {
        const wandb::Json& metric = record["metric"];
        m = {text_of(metric, "name"), text_of(metric, "glob_name"), text_of(metric, "step_metric")};
    } else if (const auto bytes = raw_message(record, "12")) {
        m = {string_field(*bytes, 1), string_field(*bytes, 2), string_field(*bytes, 4)};
    } else {
        return;
    }
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
            } else if (record.contains("stats") || record.contains("7")) {
                add_stats(record, run);
            } else if (record.contains("metric") || record.contains("12")) {
                add_metric(record, run);
            } else if (!record.contains("header") && !record.contains("files") && !record.contains("final")) {
                ++run.unknown_records;  // telemetry, environment, output, ...: not part of the report
            }
        } catch (const wandb::detail::ProtoError& e) {
            throw wandb::FormatError(run.log.string() + ": record at offset " + std::to_string(raw.offset) +
                                     " does not decode: " + e.what());
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
