// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The record schema: the messages of `wandb/proto/wandb_internal.proto` that a `.wandb` log holds,
/// each described once (detail::schema) for both the writer (`encode_record`) and the decoder
/// (`wandb::decode_record`, record_json.hpp). The messages the library writes are plain structs
/// whose members the descriptions bind (only the fields the library sets, or will); the others
/// (Control, _RecordInfo, DiskInfo, ...) are descriptions only. Field numbers, names, types and
/// labels are checked against W&B's .proto files by tests/test_record_schema.cpp (the facts file
/// tests/data/wandb_proto_fields.txt, made by tests/tools/proto_fields.py).
///
/// To write a field the tables only decode, add the member to its struct and turn its `unbound`
/// entry into `field<&Struct::member>` (the kind follows from the member's type). To add a
/// message: its struct, its table (after the messages it nests), a Record field if it is a record
/// body; then its name in proto_fields.py's MODELLED (rerun it), and its table in
/// tests/tools/wandb_log.py, which is kept independent of this one on purpose.
///
/// What `wandb sync` expects (wandb-core `core/internal/stream/writer.go`, `handler.go`,
/// `core/internal/runsync/runreader.go`; legacy Python `wandb/sync/sync.py`):
/// - Record.num counts the persisted records 1, 2, 3, ... in file order (the SDK's writer sets it);
///   sync does not require it, but a log written the SDK's way has it.
/// - Order: Header, Run, then Config/Files/Summary/History/Artifact records as they happen, then
///   Exit, then Final. wandb-core sync takes run info from the first Run record, treats Header and
///   Final as no-ops and, without an Exit record, marks the run failed (exit code 1). The legacy
///   Python sync holds the Exit record back until it sees Final: without Final, Exit is never sent.
/// - Every `string` field must be valid UTF-8: Go and upb protobuf parsers reject the record
///   otherwise. The encoder checks this and throws wandb::ValidationError.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "../version.hpp"
#include "proto_schema.hpp"
#include "protobuf.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// `HistoryItem`, `ConfigItem` and `SummaryItem` (same fields). The SDK sets either `key` or
/// `nested_key`, not both.
struct RecordItem {
    std::string key;                      ///< flat key
    std::vector<std::string> nested_key;  ///< path of a nested key
    std::string value_json;               ///< the value as JSON text
};

/// `google.protobuf.Timestamp`; nanos must be in 0..999999999.
struct Timestamp {
    std::int64_t seconds = 0;
    std::int32_t nanos = 0;
};

/// The `min_consumer` today's wandb-core writes in every run's Header record: its
/// `MinServerVersion` (core/internal/version/version.go, "0.70.0" since July 2026; "0.40.0" before).
inline constexpr const char* header_min_consumer = "0.70.0";

/// `HeaderRecord` with its `VersionInfo`. The SDK writes it as the first record; producer is
/// "<sdk version>+<commit>".
struct HeaderRecord {
    std::string producer;      ///< who wrote the log
    std::string min_consumer;  ///< oldest W&B server that reads it fully (header_min_consumer)
};

/// `GitRepoRecord`.
struct GitRepoRecord {
    std::string remote_url;
    std::string commit;
};

/// `RunRecord`. wandb-core sync needs run_id; entity and project may be empty (the server's
/// defaults apply); start_time should be set (sync reads it for the run's info).
struct RunRecord {
    std::string run_id;
    std::string entity;
    std::string project;
    std::vector<RecordItem> config;  ///< the items of `config` (a ConfigRecord's update)
    std::string run_group;
    std::string job_type;
    std::string display_name;
    std::string notes;
    std::vector<std::string> tags;
    std::string host;
    std::optional<Timestamp> start_time;
    std::optional<GitRepoRecord> git;
    std::int64_t starting_step = 0;  ///< the first step of a resumed fragment (0: not written)
    bool resumed = false;            ///< a fragment that continues earlier fragments of the run id
};

/// `ConfigRecord`: update and remove items.
struct ConfigRecord {
    std::vector<RecordItem> update;
    std::vector<RecordItem> remove;
};

/// `SummaryRecord`: update and remove items.
struct SummaryRecord {
    std::vector<RecordItem> update;
    std::vector<RecordItem> remove;
};

/// The Summary record wandb-core's handler appends at exit, before the Exit record, and after
/// each history row (`core/internal/stream/handler.go` updateRunTiming): `_wandb.runtime` as a
/// nested key and `_runtime` as a flat one, both whole seconds. Runsync has no handler, so a
/// run's summary has a runtime only if its log holds this record.
inline SummaryRecord runtime_summary(std::int64_t seconds) {
    const std::string text = std::to_string(seconds);
    return {{{std::string(), {"_wandb", "runtime"}, text}, {"_runtime", {}, text}}, {}};
}

/// `HistoryRecord`: its items, and `step` (a `HistoryStep`'s num). A present step 0 is encoded
/// (as an empty HistoryStep), an absent one is not.
struct HistoryRecord {
    std::vector<RecordItem> items;
    std::optional<std::int64_t> step;
};

/// `FilesItem.PolicyType`.
enum class FilePolicy : std::int32_t { now = 0, end = 1, live = 2 };
/// `FilesItem.FileType`.
enum class FileType : std::int32_t { other = 0, wandb = 1, media = 2, artifact = 3 };

/// `FilesItem`: path (relative to the run's files/ directory), policy, type.
struct FilesItem {
    std::string path;
    FilePolicy policy = FilePolicy::now;
    FileType type = FileType::other;
};

/// `FilesRecord`.
struct FilesRecord {
    std::vector<FilesItem> files;
};

/// `StatsRecord.StatsType`.
enum class StatsType : std::int32_t { system = 0 };

/// `StatsItem`: a system metric's name (e.g. "cpu", "gpu.0.temp") and its value as JSON text.
struct StatsItem {
    std::string key;
    std::string value_json;
};

/// `StatsRecord`: system metrics sampled at one time (wandb-core `core/internal/monitor`).
struct StatsRecord {
    StatsType stats_type = StatsType::system;
    std::optional<Timestamp> timestamp;
    std::vector<StatsItem> items;  ///< `item`
};

/// `MetricOptions`.
struct MetricOptions {
    bool step_sync = false;
    bool hidden = false;
    bool defined = false;  ///< defined by the user (not from a glob or as a step metric)
};

/// `MetricSummary`: which summaries of the metric the run keeps.
struct MetricSummary {
    bool min = false, max = false, mean = false, best = false, last = false, none = false, copy = false,
         first = false;
};

/// `MetricRecord.MetricGoal`.
enum class MetricGoal : std::int32_t { unset = 0, minimize = 1, maximize = 2 };

/// `MetricControl`.
struct MetricControl {
    bool overwrite = false;
};

/// `MetricRecord`: one `define_metric` (wandb/sdk/wandb_metric.py; the SDK sets name or glob_name).
struct MetricRecord {
    std::string name;
    std::string glob_name;
    std::string step_metric;
    std::int32_t step_metric_index = 0;  ///< one-based; instead of step_metric in a list of metrics
    std::optional<MetricOptions> options;
    std::optional<MetricSummary> summary;
    MetricGoal goal = MetricGoal::unset;
    std::optional<MetricControl> control;  ///< `_control`
    bool expanded_from_glob = false;  ///< wandb-core's handler made it for a key a glob matched
};

/// `RunExitRecord`: exit_code (int32), runtime (int32 seconds).
struct ExitRecord {
    std::int32_t exit_code = 0;
    std::int32_t runtime = 0;
};

/// `FinalRecord`: no fields; written after the Exit record.
struct FinalRecord {};

/// `GpuNvidiaInfo`: one NVIDIA GPU of the writer's machine.
struct GpuNvidiaInfo {
    std::string name;
    std::uint64_t memory_total = 0;  ///< bytes
    std::uint32_t cuda_cores = 0;
    std::string architecture;
    std::string uuid;
};

/// `EnvironmentRecord`: the writer's machine and process, which wandb-core turns into the run's
/// `wandb-metadata.json` and config `_wandb.e.<writer_id>` (`stream/sender.go`
/// sendEnvironment, `core/internal/runenvironment`). Only the fields the library sets; 0 and ""
/// are not written (proto3 defaults).
struct EnvironmentRecord {
    std::string os;                        ///< e.g. "Linux-6.1.0-18-amd64-x86_64"
    std::optional<Timestamp> started_at;
    std::vector<std::string> args;         ///< the program's arguments, argv[1:]
    std::string program;                   ///< argv[0]
    std::string root;                      ///< the working directory
    std::string host;
    std::string executable;                ///< /proc/self/exe
    std::uint32_t cpu_count = 0;           ///< physical cores
    std::uint32_t cpu_count_logical = 0;
    std::uint64_t memory_total = 0;        ///< `memory` (MemoryInfo.total), bytes; 0 = no MemoryInfo
    std::string gpu_type;                  ///< the first GPU's name (NVML), "" without one
    std::uint32_t gpu_count = 0;
    std::vector<GpuNvidiaInfo> gpu_nvidia;  ///< every NVIDIA GPU
    std::string cuda_version;              ///< the driver's CUDA version, e.g. "12.2"
    std::string writer_id;                 ///< 32 random [a-z0-9], as wandb-core's client id
};

/// `StoragePolicyConfigItem` and `ExtraItem` (same fields).
struct KeyValueJson {
    std::string key;
    std::string value_json;
};

/// `ArtifactManifestEntry`.
struct ArtifactManifestEntry {
    std::string path;
    std::string digest;
    std::string ref;
    std::int64_t size = 0;
    std::string mimetype;
    std::string local_path;
    std::string birth_artifact_id;
    bool skip_cache = false;
    std::vector<KeyValueJson> extra;
};

/// `ArtifactManifest`.
struct ArtifactManifest {
    std::int32_t version = 0;
    std::string storage_policy;
    std::vector<KeyValueJson> storage_policy_config;
    std::vector<ArtifactManifestEntry> contents;
    std::string manifest_file_path;
};

/// `ArtifactRecord`, every field of wandb_internal.proto.
struct ArtifactRecord {
    std::string run_id;
    std::string project;
    std::string entity;
    std::string type;
    std::string name;
    std::string digest;
    std::string description;
    std::string metadata;                     ///< JSON text
    bool user_created = false;
    bool use_after_commit = false;
    std::vector<std::string> aliases;
    std::optional<ArtifactManifest> manifest;
    std::string distributed_id;
    bool finalize = false;
    std::string client_id;
    std::string sequence_client_id;
    std::string base_id;
    std::int64_t ttl_duration_seconds = 0;
    std::vector<std::string> tags;
    bool incremental_beta1 = false;
};

/// One description per message, leaves first; field numbers and names as in
/// wandb_internal.proto, wandb_base.proto (_RecordInfo) and google/protobuf/timestamp.proto.
/// Fields these tables leave out (RunRecord.settings, telemetry, branch_point,
/// RunExitRecord.not_complete, the GPU, Apple, Trainium, TPU and CoreWeave details of
/// EnvironmentRecord, and the Record types other than those below) decode under their numbers.
namespace schema {

using proto::Field;
using proto::Kind;
using proto::Label;
using proto::Message;
using proto::field;
using proto::unbound;
using proto::wrapped;

inline constexpr Field record_info_fields[] = {unbound(1, "stream_id", Kind::string),
                                               unbound(100, "_tracelog_id", Kind::string)};
inline constexpr Message record_info = proto::message("_RecordInfo", record_info_fields);

inline constexpr Field timestamp_fields[] = {field<&Timestamp::seconds>(1, "seconds"),
                                             field<&Timestamp::nanos>(2, "nanos").within(0, 999999999)};
inline constexpr Message timestamp = proto::message<Timestamp>("Timestamp", timestamp_fields);

inline constexpr Field version_info_fields[] = {field<&HeaderRecord::producer>(1, "producer"),
                                                field<&HeaderRecord::min_consumer>(2, "min_consumer"),
                                                unbound(200, "_info", record_info)};
inline constexpr Message version_info = proto::message<HeaderRecord>("VersionInfo", version_info_fields);
inline constexpr Field header_fields[] = {proto::self<HeaderRecord>(1, "version_info", version_info),
                                          unbound(200, "_info", record_info)};
inline constexpr Message header = proto::message<HeaderRecord>("HeaderRecord", header_fields);

inline constexpr Field item_fields[] = {field<&RecordItem::key>(1, "key"),
                                        field<&RecordItem::nested_key>(2, "nested_key"),
                                        field<&RecordItem::value_json>(16, "value_json")};
inline constexpr Message history_item = proto::message<RecordItem>("HistoryItem", item_fields);
inline constexpr Message config_item = proto::message<RecordItem>("ConfigItem", item_fields);
inline constexpr Message summary_item = proto::message<RecordItem>("SummaryItem", item_fields);

inline constexpr Field history_step_fields[] = {unbound(1, "num", Kind::int64)};
inline constexpr Message history_step = proto::message("HistoryStep", history_step_fields);
inline constexpr Field history_fields[] = {field<&HistoryRecord::items>(1, "item", history_item),
                                           wrapped<&HistoryRecord::step>(2, "step", history_step, 1),
                                           unbound(200, "_info", record_info)};
inline constexpr Message history = proto::message<HistoryRecord>("HistoryRecord", history_fields);

inline constexpr Field config_fields[] = {field<&ConfigRecord::update>(1, "update", config_item),
                                          field<&ConfigRecord::remove>(2, "remove", config_item),
                                          unbound(200, "_info", record_info)};
inline constexpr Message config = proto::message<ConfigRecord>("ConfigRecord", config_fields);
inline constexpr Field summary_fields[] = {field<&SummaryRecord::update>(1, "update", summary_item),
                                           field<&SummaryRecord::remove>(2, "remove", summary_item),
                                           unbound(200, "_info", record_info)};
inline constexpr Message summary = proto::message<SummaryRecord>("SummaryRecord", summary_fields);

inline constexpr const char* policy_type_names[] = {"NOW", "END", "LIVE"};
inline constexpr proto::Enum policy_type = proto::enumeration("PolicyType", policy_type_names);
inline constexpr const char* file_type_names[] = {"OTHER", "WANDB", "MEDIA", "ARTIFACT"};
inline constexpr proto::Enum file_type = proto::enumeration("FileType", file_type_names);
inline constexpr Field files_item_fields[] = {field<&FilesItem::path>(1, "path"),
                                              field<&FilesItem::policy>(2, "policy", policy_type),
                                              field<&FilesItem::type>(3, "type", file_type)};
inline constexpr Message files_item = proto::message<FilesItem>("FilesItem", files_item_fields);
inline constexpr Field files_fields[] = {field<&FilesRecord::files>(1, "files", files_item),
                                         unbound(200, "_info", record_info)};
inline constexpr Message files = proto::message<FilesRecord>("FilesRecord", files_fields);

inline constexpr const char* stats_type_names[] = {"SYSTEM"};
inline constexpr proto::Enum stats_type = proto::enumeration("StatsType", stats_type_names);
inline constexpr Field stats_item_fields[] = {field<&StatsItem::key>(1, "key"),
                                              field<&StatsItem::value_json>(16, "value_json")};
inline constexpr Message stats_item = proto::message<StatsItem>("StatsItem", stats_item_fields);
inline constexpr Field stats_fields[] = {field<&StatsRecord::stats_type>(1, "stats_type", stats_type),
                                         field<&StatsRecord::timestamp>(2, "timestamp", timestamp),
                                         field<&StatsRecord::items>(3, "item", stats_item),
                                         unbound(200, "_info", record_info)};
inline constexpr Message stats = proto::message<StatsRecord>("StatsRecord", stats_fields);

inline constexpr Field metric_options_fields[] = {field<&MetricOptions::step_sync>(1, "step_sync"),
                                                  field<&MetricOptions::hidden>(2, "hidden"),
                                                  field<&MetricOptions::defined>(3, "defined")};
inline constexpr Message metric_options = proto::message<MetricOptions>("MetricOptions", metric_options_fields);
inline constexpr Field metric_summary_fields[] = {
    field<&MetricSummary::min>(1, "min"),   field<&MetricSummary::max>(2, "max"),
    field<&MetricSummary::mean>(3, "mean"), field<&MetricSummary::best>(4, "best"),
    field<&MetricSummary::last>(5, "last"), field<&MetricSummary::none>(6, "none"),
    field<&MetricSummary::copy>(7, "copy"), field<&MetricSummary::first>(8, "first")};
inline constexpr Message metric_summary = proto::message<MetricSummary>("MetricSummary", metric_summary_fields);
inline constexpr Field metric_control_fields[] = {field<&MetricControl::overwrite>(1, "overwrite")};
inline constexpr Message metric_control = proto::message<MetricControl>("MetricControl", metric_control_fields);
inline constexpr const char* metric_goal_names[] = {"GOAL_UNSET", "GOAL_MINIMIZE", "GOAL_MAXIMIZE"};
inline constexpr proto::Enum metric_goal = proto::enumeration("MetricGoal", metric_goal_names);
inline constexpr Field metric_fields[] = {field<&MetricRecord::name>(1, "name"),
                                          field<&MetricRecord::glob_name>(2, "glob_name"),
                                          field<&MetricRecord::step_metric>(4, "step_metric"),
                                          field<&MetricRecord::step_metric_index>(5, "step_metric_index"),
                                          field<&MetricRecord::options>(6, "options", metric_options),
                                          field<&MetricRecord::summary>(7, "summary", metric_summary),
                                          field<&MetricRecord::goal>(8, "goal", metric_goal),
                                          field<&MetricRecord::control>(9, "_control", metric_control),
                                          field<&MetricRecord::expanded_from_glob>(10, "expanded_from_glob"),
                                          unbound(200, "_info", record_info)};
inline constexpr Message metric = proto::message<MetricRecord>("MetricRecord", metric_fields);

inline constexpr Field run_exit_fields[] = {field<&ExitRecord::exit_code>(1, "exit_code"),
                                            field<&ExitRecord::runtime>(2, "runtime"),
                                            unbound(200, "_info", record_info)};
inline constexpr Message run_exit = proto::message<ExitRecord>("RunExitRecord", run_exit_fields);
inline constexpr Field final_fields[] = {unbound(200, "_info", record_info)};
inline constexpr Message final_record = proto::message<FinalRecord>("FinalRecord", final_fields);

inline constexpr Field git_repo_fields[] = {field<&GitRepoRecord::remote_url>(1, "remote_url"),
                                            field<&GitRepoRecord::commit>(2, "commit")};
inline constexpr Message git_repo = proto::message<GitRepoRecord>("GitRepoRecord", git_repo_fields);

inline constexpr Field run_fields[] = {
    field<&RunRecord::run_id>(1, "run_id"),
    field<&RunRecord::entity>(2, "entity"),
    field<&RunRecord::project>(3, "project"),
    wrapped<&RunRecord::config>(4, "config", config, 1),
    unbound(5, "summary", summary),
    field<&RunRecord::run_group>(6, "run_group"),
    field<&RunRecord::job_type>(7, "job_type"),
    field<&RunRecord::display_name>(8, "display_name"),
    field<&RunRecord::notes>(9, "notes"),
    field<&RunRecord::tags>(10, "tags"),
    unbound(12, "sweep_id", Kind::string),
    field<&RunRecord::host>(13, "host"),
    field<&RunRecord::starting_step>(14, "starting_step"),
    unbound(16, "storage_id", Kind::string),
    field<&RunRecord::start_time>(17, "start_time", timestamp),
    field<&RunRecord::resumed>(18, "resumed"),
    unbound(20, "runtime", Kind::int32),
    field<&RunRecord::git>(21, "git", git_repo),
    unbound(22, "forked", Kind::boolean),
    unbound(200, "_info", record_info)};
inline constexpr Message run = proto::message<RunRecord>("RunRecord", run_fields);

// Maps (disk, slurm) are repeated {key, value} entries on the wire, named as protoc names them.
inline constexpr Field disk_info_fields[] = {unbound(1, "total", Kind::uint64), unbound(2, "used", Kind::uint64)};
inline constexpr Message disk_info = proto::message("DiskInfo", disk_info_fields);
inline constexpr Field disk_entry_fields[] = {unbound(1, "key", Kind::string), unbound(2, "value", disk_info)};
inline constexpr Message disk_entry = proto::message("DiskEntry", disk_entry_fields);
inline constexpr Field memory_info_fields[] = {unbound(1, "total", Kind::uint64)};
inline constexpr Message memory_info = proto::message("MemoryInfo", memory_info_fields);
inline constexpr Field cpu_info_fields[] = {unbound(1, "count", Kind::uint32), unbound(2, "count_logical", Kind::uint32)};
inline constexpr Message cpu_info = proto::message("CpuInfo", cpu_info_fields);
inline constexpr Field gpu_nvidia_info_fields[] = {
    field<&GpuNvidiaInfo::name>(1, "name"), field<&GpuNvidiaInfo::memory_total>(2, "memory_total"),
    field<&GpuNvidiaInfo::cuda_cores>(3, "cuda_cores"), field<&GpuNvidiaInfo::architecture>(4, "architecture"),
    field<&GpuNvidiaInfo::uuid>(5, "uuid")};
inline constexpr Message gpu_nvidia_info = proto::message<GpuNvidiaInfo>("GpuNvidiaInfo", gpu_nvidia_info_fields);
inline constexpr Field slurm_entry_fields[] = {unbound(1, "key", Kind::string), unbound(2, "value", Kind::string)};
inline constexpr Message slurm_entry = proto::message("SlurmEntry", slurm_entry_fields);
inline constexpr Field environment_fields[] = {
    field<&EnvironmentRecord::os>(1, "os"),
    unbound(2, "python", Kind::string),
    field<&EnvironmentRecord::started_at>(3, "started_at", timestamp),
    unbound(4, "docker", Kind::string),
    field<&EnvironmentRecord::args>(5, "args"),
    field<&EnvironmentRecord::program>(6, "program"),
    unbound(7, "code_path", Kind::string),
    unbound(8, "code_path_local", Kind::string),
    unbound(9, "git", git_repo),
    unbound(10, "email", Kind::string),
    field<&EnvironmentRecord::root>(11, "root"),
    field<&EnvironmentRecord::host>(12, "host"),
    unbound(13, "username", Kind::string),
    field<&EnvironmentRecord::executable>(14, "executable"),
    unbound(15, "colab", Kind::string),
    field<&EnvironmentRecord::cpu_count>(16, "cpu_count"),
    field<&EnvironmentRecord::cpu_count_logical>(17, "cpu_count_logical"),
    field<&EnvironmentRecord::gpu_type>(18, "gpu_type"),
    field<&EnvironmentRecord::gpu_count>(19, "gpu_count"),
    unbound(20, "disk", disk_entry, Label::repeated),
    wrapped<&EnvironmentRecord::memory_total>(21, "memory", memory_info, 1),
    unbound(22, "cpu", cpu_info),
    field<&EnvironmentRecord::gpu_nvidia>(24, "gpu_nvidia", gpu_nvidia_info),
    field<&EnvironmentRecord::cuda_version>(25, "cuda_version"),
    unbound(27, "slurm", slurm_entry, Label::repeated),
    field<&EnvironmentRecord::writer_id>(199, "writer_id"),
    unbound(200, "_info", record_info)};
inline constexpr Message environment = proto::message<EnvironmentRecord>("EnvironmentRecord", environment_fields);

inline constexpr Field key_value_fields[] = {field<&KeyValueJson::key>(1, "key"),
                                             field<&KeyValueJson::value_json>(2, "value_json")};
inline constexpr Message extra_item = proto::message<KeyValueJson>("ExtraItem", key_value_fields);
inline constexpr Message storage_policy_config_item =
    proto::message<KeyValueJson>("StoragePolicyConfigItem", key_value_fields);
inline constexpr Field manifest_entry_fields[] = {
    field<&ArtifactManifestEntry::path>(1, "path"),
    field<&ArtifactManifestEntry::digest>(2, "digest"),
    field<&ArtifactManifestEntry::ref>(3, "ref"),
    field<&ArtifactManifestEntry::size>(4, "size"),
    field<&ArtifactManifestEntry::mimetype>(5, "mimetype"),
    field<&ArtifactManifestEntry::local_path>(6, "local_path"),
    field<&ArtifactManifestEntry::birth_artifact_id>(7, "birth_artifact_id"),
    field<&ArtifactManifestEntry::skip_cache>(8, "skip_cache"),
    field<&ArtifactManifestEntry::extra>(16, "extra", extra_item)};
inline constexpr Message manifest_entry = proto::message<ArtifactManifestEntry>("ArtifactManifestEntry", manifest_entry_fields);
inline constexpr Field manifest_fields[] = {
    field<&ArtifactManifest::version>(1, "version"),
    field<&ArtifactManifest::storage_policy>(2, "storage_policy"),
    field<&ArtifactManifest::storage_policy_config>(3, "storage_policy_config", storage_policy_config_item),
    field<&ArtifactManifest::contents>(4, "contents", manifest_entry),
    field<&ArtifactManifest::manifest_file_path>(5, "manifest_file_path")};
inline constexpr Message manifest = proto::message<ArtifactManifest>("ArtifactManifest", manifest_fields);
inline constexpr Field artifact_fields[] = {
    field<&ArtifactRecord::run_id>(1, "run_id"),
    field<&ArtifactRecord::project>(2, "project"),
    field<&ArtifactRecord::entity>(3, "entity"),
    field<&ArtifactRecord::type>(4, "type"),
    field<&ArtifactRecord::name>(5, "name"),
    field<&ArtifactRecord::digest>(6, "digest"),
    field<&ArtifactRecord::description>(7, "description"),
    field<&ArtifactRecord::metadata>(8, "metadata"),
    field<&ArtifactRecord::user_created>(9, "user_created"),
    field<&ArtifactRecord::use_after_commit>(10, "use_after_commit"),
    field<&ArtifactRecord::aliases>(11, "aliases"),
    field<&ArtifactRecord::manifest>(12, "manifest", manifest),
    field<&ArtifactRecord::distributed_id>(13, "distributed_id"),
    field<&ArtifactRecord::finalize>(14, "finalize"),
    field<&ArtifactRecord::client_id>(15, "client_id"),
    field<&ArtifactRecord::sequence_client_id>(16, "sequence_client_id"),
    field<&ArtifactRecord::base_id>(17, "base_id"),
    field<&ArtifactRecord::ttl_duration_seconds>(18, "ttl_duration_seconds"),
    field<&ArtifactRecord::tags>(19, "tags"),
    field<&ArtifactRecord::incremental_beta1>(100, "incremental_beta1"),
    unbound(200, "_info", record_info)};
inline constexpr Message artifact = proto::message<ArtifactRecord>("ArtifactRecord", artifact_fields);

inline constexpr Field control_fields[] = {
    unbound(1, "req_resp", Kind::boolean),    unbound(2, "local", Kind::boolean),
    unbound(3, "relay_id", Kind::string),     unbound(4, "mailbox_slot", Kind::string),
    unbound(5, "always_send", Kind::boolean), unbound(6, "flow_control", Kind::boolean),
    unbound(7, "end_offset", Kind::int64),    unbound(8, "connection_id", Kind::string)};
inline constexpr Message control = proto::message("Control", control_fields);

/// `Record`: its number, the bodies of its `record_type` oneof (encode_record writes a struct in
/// the field whose message describes it), and control, uuid and _info.
inline constexpr Field record_fields[] = {
    unbound(1, "num", Kind::int64),        unbound(2, "history", history),
    unbound(3, "summary", summary),        unbound(5, "config", config),
    unbound(6, "files", files),            unbound(7, "stats", stats),
    unbound(8, "artifact", artifact),      unbound(12, "metric", metric),
    unbound(16, "control", control),       unbound(17, "run", run),
    unbound(18, "exit", run_exit),         unbound(19, "uuid", Kind::string),
    unbound(20, "final", final_record),    unbound(21, "header", header),
    unbound(26, "environment", environment), unbound(200, "_info", record_info)};
inline constexpr Message record = proto::message("Record", record_fields);

}  // namespace schema

/// The bytes of a whole `Record`: `num`, and `body` in the Record field that holds its message
/// (HistoryRecord in `history`, ExitRecord in `exit`, ...). A struct that no Record field holds
/// does not compile.
/// \param num  the record's number (1 for the first record of a log); 0 leaves it unset.
/// \throws wandb::ValidationError  if a string field is not valid UTF-8 ("wandb::encode_record:
///   RunRecord.display_name is not valid UTF-8: bad byte 0xff at offset 2 of 3") or a timestamp's
///   nanos are outside 0..999999999 ("wandb::encode_record: RunRecord.start_time.nanos must be in
///   0..999999999, got 1000000000").
template <class Body>
Bytes encode_record(std::int64_t num, const Body& body) {
    constexpr const proto::Field* field = &proto::field_for<Body>(schema::record);
    constexpr std::uint32_t num_field = proto::number_of(schema::record, "num");
    ProtoEncoder e;
    e.reserve(256);  // a History or Summary record of a few scalars, in one allocation
    e.int64_field(num_field, num);
    const std::size_t at = e.begin_message(field->number);
    proto::schema_impl::encode_message_to(e, *field->message, &body, {});
    e.end_message(at);
    return e.take();
}

/// A log call's HistoryRecord and the SummaryRecord of the same items, encoded together in one
/// pass: each item (a `nested_key` and a `value_json`, no flat `key`) is encoded once, in place,
/// and its bytes serve both records, since `HistoryRecord.item` and `SummaryRecord.update` are
/// the same field number of messages with the same fields (checked below against the schema).
/// finish() gives exactly the bytes of `encode_record(num, HistoryRecord{items, step})` and
/// `encode_record(num + 1, SummaryRecord{items + summary-only items, {}})`, with the same UTF-8
/// checks and messages (a bad label or value is reported as the History's, which is encoded
/// first). Reusable: clear() keeps the buffer.
class HistorySummaryEncoder {
public:
    /// Adds an item with `nested_key` labels[0..count) and `value_json` `value` to both records,
    /// or only to the Summary (`summary_only`); once a summary-only item is added, every later
    /// one must be summary-only too (they follow the shared items in the Summary).
    /// \throws wandb::ValidationError  if a label or the value is not valid UTF-8.
    /// \throws std::logic_error  for a shared item after a summary-only one (a programming error).
    void item(const std::string_view* labels, std::size_t count, std::string_view value, bool summary_only = false) {
        if (!summary_only && shared_end_ != npos)
            throw std::logic_error("wandb::detail::HistorySummaryEncoder: a shared item after a summary-only one");
        if (summary_only && shared_end_ == npos) shared_end_ = items_.size();
        const std::size_t body = items_.begin_message(item_field);
        for (std::size_t i = 0; i < count; ++i) {
            proto::schema_impl::check_utf8(labels[i], schema::history_item, nested_key);
            items_.len_field(nested_key.number, labels[i].data(), labels[i].size());
        }
        proto::schema_impl::check_utf8(value, schema::history_item, value_json);
        items_.string_field(value_json.number, value);
        items_.end_message(body);
    }

    /// Appends the History record numbered `num` (the shared items, then `step`) and the Summary
    /// record numbered `num + 1` (every item) to `out`.
    void finish(std::int64_t num, std::int64_t step, std::vector<Bytes>& out) const {
        const Bytes& items = items_.bytes();
        const std::size_t shared = shared_end_ == npos ? items.size() : shared_end_;
        ProtoEncoder history;
        history.reserve(shared + 32);
        history.int64_field(record_num, num);
        const std::size_t h = history.begin_message(history_in_record);
        history.append(items.data(), shared);
        const std::size_t s = history.begin_message(history_step);  // a present step is written, even 0
        history.int64_field(step_num, step);
        history.end_message(s);
        history.end_message(h);
        ProtoEncoder summary;
        summary.reserve(items.size() + 16);
        summary.int64_field(record_num, num + 1);
        const std::size_t b = summary.begin_message(summary_in_record);
        summary.append(items.data(), items.size());
        summary.end_message(b);
        out.push_back(history.take());
        out.push_back(summary.take());
    }

    /// Forgets the items (keeping the buffer, unless it grew past 64 KiB).
    void clear() {
        if (items_.bytes().capacity() > 65536) items_ = ProtoEncoder();
        items_.truncate(0);
        shared_end_ = npos;
    }

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    static constexpr const proto::Field& nested_key = proto::field_named(schema::history_item, "nested_key");
    static constexpr const proto::Field& value_json = proto::field_named(schema::history_item, "value_json");
    static constexpr std::uint32_t item_field = proto::number_of(schema::history, "item");
    static constexpr std::uint32_t history_step = proto::number_of(schema::history, "step");
    static constexpr std::uint32_t step_num = proto::number_of(schema::history_step, "num");
    static constexpr std::uint32_t record_num = proto::number_of(schema::record, "num");
    static constexpr std::uint32_t history_in_record = proto::field_for<HistoryRecord>(schema::record).number;
    static constexpr std::uint32_t summary_in_record = proto::field_for<SummaryRecord>(schema::record).number;
    // What sharing the items' bytes relies on.
    static_assert(proto::number_of(schema::summary, "update") == item_field, "History items and Summary updates differ");
    static_assert(proto::number_of(schema::summary_item, "nested_key") == nested_key.number &&
                      proto::number_of(schema::summary_item, "value_json") == value_json.number,
                  "HistoryItem and SummaryItem differ");
    static_assert(proto::field_named(schema::history_item, "key").number < nested_key.number &&
                      nested_key.number < value_json.number,
                  "the items' fields are written in another order");
    static_assert(item_field < history_step, "HistoryRecord's fields are written in another order");

    ProtoEncoder items_;               ///< every item, the shared ones first
    std::size_t shared_end_ = npos;    ///< where the summary-only items begin
};

}  // namespace detail
WANDB_NAMESPACE_END
