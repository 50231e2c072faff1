// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The `Record` messages of `wandb/proto/wandb_internal.proto` that an offline run writes, as plain
/// structs, and `encode_record(num, body)` overloads producing the protobuf bytes of a whole
/// `Record` (field `num` = 1 plus the body in its oneof field). Field numbers were checked against
/// wandb_internal.proto; each struct names its message. Only fields the library sets are modelled.
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
///   otherwise. The encoders check this and throw wandb::ValidationError.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../error.hpp"
#include "../version.hpp"
#include "hash.hpp"
#include "protobuf.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// `HistoryItem`, `ConfigItem` and `SummaryItem` (same fields): key=1, nested_key=2 (repeated),
/// value_json=16. The SDK sets either `key` or `nested_key`, not both.
struct RecordItem {
    std::string key;                      ///< flat key
    std::vector<std::string> nested_key;  ///< path of a nested key
    std::string value_json;               ///< the value as JSON text
};

/// `google.protobuf.Timestamp`: seconds=1 (int64), nanos=2 (int32, 0..999999999).
struct Timestamp {
    std::int64_t seconds = 0;
    std::int32_t nanos = 0;
};

/// `HeaderRecord` (Record field 21): version_info=1 -> `VersionInfo` producer=1, min_consumer=2.
/// The SDK writes it as the first record; producer is "<sdk version>+<commit>".
struct HeaderRecord {
    std::string producer;      ///< who wrote the log
    std::string min_consumer;  ///< oldest W&B server that reads it fully (the SDK writes "0.40.0")
};

/// `GitRepoRecord`: remote_url=1, commit=2.
struct GitRepoRecord {
    std::string remote_url;
    std::string commit;
};

/// `RunRecord` (Record field 17). wandb-core sync needs run_id; entity and project may be empty
/// (the server's defaults apply); start_time should be set (sync reads it for the run's info).
struct RunRecord {
    std::string run_id;                     ///< 1
    std::string entity;                     ///< 2
    std::string project;                    ///< 3
    std::vector<RecordItem> config;         ///< 4: ConfigRecord.update items
    std::string run_group;                  ///< 6
    std::string job_type;                   ///< 7
    std::string display_name;               ///< 8
    std::string notes;                      ///< 9
    std::vector<std::string> tags;          ///< 10
    std::string sweep_id;                   ///< 12
    std::string host;                       ///< 13
    std::int64_t starting_step = 0;         ///< 14
    std::string storage_id;                 ///< 16: server-side id; empty for a new run
    std::optional<Timestamp> start_time;    ///< 17
    bool resumed = false;                   ///< 18
    std::optional<GitRepoRecord> git;       ///< 21
};

/// `ConfigRecord` (Record field 5): update=1, remove=2 (repeated ConfigItem).
struct ConfigRecord {
    std::vector<RecordItem> update;
    std::vector<RecordItem> remove;
};

/// `SummaryRecord` (Record field 3): update=1, remove=2 (repeated SummaryItem).
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

/// `HistoryRecord` (Record field 2): item=1 (repeated HistoryItem), step=2 (HistoryStep num=1).
/// A present step 0 is encoded (as an empty HistoryStep), an absent one is not.
struct HistoryRecord {
    std::vector<RecordItem> items;
    std::optional<std::int64_t> step;
};

/// `FilesItem.PolicyType`.
enum class FilePolicy : std::int32_t { now = 0, end = 1, live = 2 };
/// `FilesItem.FileType`.
enum class FileType : std::int32_t { other = 0, wandb = 1, media = 2, artifact = 3 };

/// `FilesItem`: path=1 (relative to the run's files/ directory), policy=2, type=3.
struct FilesItem {
    std::string path;
    FilePolicy policy = FilePolicy::now;
    FileType type = FileType::other;
};

/// `FilesRecord` (Record field 6): files=1.
struct FilesRecord {
    std::vector<FilesItem> files;
};

/// `RunExitRecord` (Record field 18): exit_code=1 (int32), runtime=2 (int32 seconds).
struct ExitRecord {
    std::int32_t exit_code = 0;
    std::int32_t runtime = 0;
};

/// `FinalRecord` (Record field 20): no fields; written after the Exit record.
struct FinalRecord {};

/// `EnvironmentRecord` (Record field 26): the writer's machine and process, which wandb-core turns
/// into the run's `wandb-metadata.json` and config `_wandb.e.<writer_id>` (`stream/sender.go`
/// sendEnvironment, `core/internal/runenvironment`). Only the fields the library sets; 0 and ""
/// are not written (proto3 defaults).
struct EnvironmentRecord {
    std::string os;                        ///< 1, e.g. "Linux-6.1.0-18-amd64-x86_64"
    std::optional<Timestamp> started_at;   ///< 3
    std::vector<std::string> args;         ///< 5: the program's arguments, argv[1:]
    std::string program;                   ///< 6: argv[0]
    std::string root;                      ///< 11: the working directory
    std::string host;                      ///< 12
    std::string executable;                ///< 14: /proc/self/exe
    std::uint32_t cpu_count = 0;           ///< 16: physical cores
    std::uint32_t cpu_count_logical = 0;   ///< 17
    std::uint64_t memory_total = 0;        ///< 21: MemoryInfo.total=1, bytes; 0 = no MemoryInfo
    std::string writer_id;                 ///< 199: 32 random [a-z0-9], as wandb-core's client id
};

/// `StoragePolicyConfigItem` and `ExtraItem`: key=1, value_json=2.
struct KeyValueJson {
    std::string key;
    std::string value_json;
};

/// `ArtifactManifestEntry`: path=1, digest=2, ref=3, size=4 (int64), mimetype=5, local_path=6,
/// birth_artifact_id=7, skip_cache=8, extra=16.
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

/// `ArtifactManifest`: version=1 (int32), storage_policy=2, storage_policy_config=3,
/// contents=4, manifest_file_path=5.
struct ArtifactManifest {
    std::int32_t version = 0;
    std::string storage_policy;
    std::vector<KeyValueJson> storage_policy_config;
    std::vector<ArtifactManifestEntry> contents;
    std::string manifest_file_path;
};

/// `ArtifactRecord` (Record field 8), every field of wandb_internal.proto.
struct ArtifactRecord {
    std::string run_id;                       ///< 1
    std::string project;                      ///< 2
    std::string entity;                       ///< 3
    std::string type;                         ///< 4
    std::string name;                         ///< 5
    std::string digest;                       ///< 6
    std::string description;                  ///< 7
    std::string metadata;                     ///< 8: JSON text
    bool user_created = false;                ///< 9
    bool use_after_commit = false;            ///< 10
    std::vector<std::string> aliases;         ///< 11
    std::optional<ArtifactManifest> manifest; ///< 12
    std::string distributed_id;               ///< 13
    bool finalize = false;                    ///< 14
    std::string client_id;                    ///< 15
    std::string sequence_client_id;           ///< 16
    std::string base_id;                      ///< 17
    std::int64_t ttl_duration_seconds = 0;    ///< 18
    std::vector<std::string> tags;            ///< 19
    bool incremental_beta1 = false;           ///< 100
};

/// `StatsItem`: key=1, value_json=16 (a JSON number for every metric W&B writes).
struct StatsItem {
    std::string key;         ///< metric name, e.g. "proc.memory.rssMB" or "gpu.0.temp"
    std::string value_json;  ///< the value as JSON text
};

/// `StatsRecord` (Record field 7): stats_type=1 (enum, SYSTEM = 0, the only value, so never on the
/// wire), timestamp=2, item=3. wandb-core writes one per sampler and interval; `wandb leet` reads
/// timestamp.seconds and each value_json as a float (core/internal/leet/leveldbhistorysource.go).
struct StatsRecord {
    Timestamp timestamp;
    std::vector<StatsItem> items;
};

/// `Record` field numbers of the bodies above (and of Record.num).
namespace record_field {
inline constexpr std::uint32_t num = 1, history = 2, summary = 3, config = 5, files = 6, stats = 7,
                               artifact = 8, telemetry = 11, run = 17, exit = 18, final = 20, header = 21,
                               environment = 26;
}  // namespace record_field

namespace records_impl {

/// ProtoEncoder that checks string fields for UTF-8, naming the field in the error.
class CheckedEncoder : public ProtoEncoder {
public:
    void str(std::uint32_t field, std::string_view v, const char* message, const char* name) {
        check(v, message, name);
        string_field(field, v);
    }
    void repeated_str(std::uint32_t field, const std::vector<std::string>& vs, const char* message,
                      const char* name) {
        for (const auto& v : vs) {
            check(v, message, name);
            len_field(field, v.data(), v.size());
        }
    }
    static void check(std::string_view v, const char* message, const char* name) {
        const auto bad = first_invalid_utf8(v);
        if (bad) {
            const std::size_t at = *bad;
            throw ValidationError(std::string("wandb::encode_record: ") + message + "." + name +
                                  " is not valid UTF-8: bad byte 0x" +
                                  to_hex(reinterpret_cast<const std::uint8_t*>(v.data()) + at, 1) +
                                  " at offset " + std::to_string(at) + " of " + std::to_string(v.size()));
        }
    }
};

inline Bytes item(const RecordItem& it, const char* message) {
    CheckedEncoder e;
    e.str(1, it.key, message, "key");
    e.repeated_str(2, it.nested_key, message, "nested_key");
    e.str(16, it.value_json, message, "value_json");
    return e.take();
}

inline Bytes update_remove(const std::vector<RecordItem>& update, const std::vector<RecordItem>& remove,
                           const char* item_message) {
    ProtoEncoder e;
    for (const auto& it : update) e.message_field(1, item(it, item_message));
    for (const auto& it : remove) e.message_field(2, item(it, item_message));
    return e.take();
}

inline Bytes key_value_json(const KeyValueJson& kv, const char* message) {
    CheckedEncoder e;
    e.str(1, kv.key, message, "key");
    e.str(2, kv.value_json, message, "value_json");
    return e.take();
}

inline Bytes timestamp(const Timestamp& t, const char* field = "RunRecord.start_time") {
    if (t.nanos < 0 || t.nanos > 999999999)
        throw ValidationError(std::string("wandb::encode_record: ") + field + ".nanos must be in 0..999999999, got " +
                              std::to_string(t.nanos));
    ProtoEncoder e;
    e.int64_field(1, t.seconds);
    e.int32_field(2, t.nanos);
    return e.take();
}

inline Bytes manifest_entry(const ArtifactManifestEntry& m) {
    CheckedEncoder e;
    e.str(1, m.path, "ArtifactManifestEntry", "path");
    e.str(2, m.digest, "ArtifactManifestEntry", "digest");
    e.str(3, m.ref, "ArtifactManifestEntry", "ref");
    e.int64_field(4, m.size);
    e.str(5, m.mimetype, "ArtifactManifestEntry", "mimetype");
    e.str(6, m.local_path, "ArtifactManifestEntry", "local_path");
    e.str(7, m.birth_artifact_id, "ArtifactManifestEntry", "birth_artifact_id");
    e.bool_field(8, m.skip_cache);
    for (const auto& x : m.extra) e.message_field(16, key_value_json(x, "ExtraItem"));
    return e.take();
}

inline Bytes manifest(const ArtifactManifest& m) {
    CheckedEncoder e;
    e.int32_field(1, m.version);
    e.str(2, m.storage_policy, "ArtifactManifest", "storage_policy");
    for (const auto& c : m.storage_policy_config)
        e.message_field(3, key_value_json(c, "StoragePolicyConfigItem"));
    for (const auto& c : m.contents) e.message_field(4, manifest_entry(c));
    e.str(5, m.manifest_file_path, "ArtifactManifest", "manifest_file_path");
    return e.take();
}

/// Record{num, <field>: body}.
inline Bytes wrap(std::int64_t num, std::uint32_t field, const Bytes& body) {
    ProtoEncoder e;
    e.int64_field(record_field::num, num);
    e.message_field(field, body);
    return e.take();
}

}  // namespace records_impl

/// The bytes of `Record{num, header}`.
/// \param num  the record's number (1 for the first record of a log); 0 leaves it unset.
/// \throws wandb::ValidationError  if a string field is not valid UTF-8.
inline Bytes encode_record(std::int64_t num, const HeaderRecord& h) {
    records_impl::CheckedEncoder v;
    v.str(1, h.producer, "VersionInfo", "producer");
    v.str(2, h.min_consumer, "VersionInfo", "min_consumer");
    ProtoEncoder e;
    e.message_field(1, v.bytes());
    return records_impl::wrap(num, record_field::header, e.bytes());
}

/// The bytes of `Record{num, run}`.
/// \throws wandb::ValidationError  if a string is not valid UTF-8 or start_time.nanos is out of range.
inline Bytes encode_record(std::int64_t num, const RunRecord& r) {
    using records_impl::CheckedEncoder;
    CheckedEncoder e;
    e.str(1, r.run_id, "RunRecord", "run_id");
    e.str(2, r.entity, "RunRecord", "entity");
    e.str(3, r.project, "RunRecord", "project");
    if (!r.config.empty()) e.message_field(4, records_impl::update_remove(r.config, {}, "ConfigItem"));
    e.str(6, r.run_group, "RunRecord", "run_group");
    e.str(7, r.job_type, "RunRecord", "job_type");
    e.str(8, r.display_name, "RunRecord", "display_name");
    e.str(9, r.notes, "RunRecord", "notes");
    e.repeated_str(10, r.tags, "RunRecord", "tags");
    e.str(12, r.sweep_id, "RunRecord", "sweep_id");
    e.str(13, r.host, "RunRecord", "host");
    e.int64_field(14, r.starting_step);
    e.str(16, r.storage_id, "RunRecord", "storage_id");
    if (r.start_time) e.message_field(17, records_impl::timestamp(*r.start_time));
    e.bool_field(18, r.resumed);
    if (r.git) {
        CheckedEncoder g;
        g.str(1, r.git->remote_url, "GitRepoRecord", "remote_url");
        g.str(2, r.git->commit, "GitRepoRecord", "commit");
        e.message_field(21, g.bytes());
    }
    return records_impl::wrap(num, record_field::run, e.bytes());
}

/// The bytes of `Record{num, config}`.
/// \throws wandb::ValidationError  if a string field is not valid UTF-8.
inline Bytes encode_record(std::int64_t num, const ConfigRecord& c) {
    return records_impl::wrap(num, record_field::config, records_impl::update_remove(c.update, c.remove, "ConfigItem"));
}

/// The bytes of `Record{num, summary}`.
/// \throws wandb::ValidationError  if a string field is not valid UTF-8.
inline Bytes encode_record(std::int64_t num, const SummaryRecord& s) {
    return records_impl::wrap(num, record_field::summary, records_impl::update_remove(s.update, s.remove, "SummaryItem"));
}

/// The bytes of `Record{num, history}`.
/// \throws wandb::ValidationError  if a string field is not valid UTF-8.
inline Bytes encode_record(std::int64_t num, const HistoryRecord& h) {
    ProtoEncoder e;
    for (const auto& it : h.items) e.message_field(1, records_impl::item(it, "HistoryItem"));
    if (h.step) {
        ProtoEncoder s;
        s.int64_field(1, *h.step);
        e.message_field(2, s.bytes());
    }
    return records_impl::wrap(num, record_field::history, e.bytes());
}

/// The bytes of `Record{num, files}`.
/// \throws wandb::ValidationError  if a path is not valid UTF-8.
inline Bytes encode_record(std::int64_t num, const FilesRecord& f) {
    ProtoEncoder e;
    for (const auto& file : f.files) {
        records_impl::CheckedEncoder i;
        i.str(1, file.path, "FilesItem", "path");
        i.int32_field(2, static_cast<std::int32_t>(file.policy));
        i.int32_field(3, static_cast<std::int32_t>(file.type));
        e.message_field(1, i.bytes());
    }
    return records_impl::wrap(num, record_field::files, e.bytes());
}

/// The bytes of `Record{num, exit}`.
inline Bytes encode_record(std::int64_t num, const ExitRecord& x) {
    ProtoEncoder e;
    e.int32_field(1, x.exit_code);
    e.int32_field(2, x.runtime);
    return records_impl::wrap(num, record_field::exit, e.bytes());
}

/// The bytes of `Record{num, final}`.
inline Bytes encode_record(std::int64_t num, const FinalRecord&) {
    return records_impl::wrap(num, record_field::final, {});
}

/// The bytes of `Record{num, environment}`.
/// \throws wandb::ValidationError  if a string is not valid UTF-8.
inline Bytes encode_record(std::int64_t num, const EnvironmentRecord& x) {
    records_impl::CheckedEncoder e;
    e.str(1, x.os, "EnvironmentRecord", "os");
    if (x.started_at) e.message_field(3, records_impl::timestamp(*x.started_at, "EnvironmentRecord.started_at"));
    e.repeated_str(5, x.args, "EnvironmentRecord", "args");
    e.str(6, x.program, "EnvironmentRecord", "program");
    e.str(11, x.root, "EnvironmentRecord", "root");
    e.str(12, x.host, "EnvironmentRecord", "host");
    e.str(14, x.executable, "EnvironmentRecord", "executable");
    e.int64_field(16, x.cpu_count);
    e.int64_field(17, x.cpu_count_logical);
    if (x.memory_total != 0) {
        ProtoEncoder m;
        m.int64_field(1, static_cast<std::int64_t>(x.memory_total));
        e.message_field(21, m.bytes());
    }
    e.str(199, x.writer_id, "EnvironmentRecord", "writer_id");
    return records_impl::wrap(num, record_field::environment, e.bytes());
}

/// The bytes of `Record{num, stats}`: stats_type SYSTEM (the default, not written), the timestamp
/// (always written, as wandb-core does), then the items in order.
/// \throws wandb::ValidationError  if a key or value is not valid UTF-8, or nanos is out of range.
inline Bytes encode_record(std::int64_t num, const StatsRecord& s) {
    ProtoEncoder e;
    e.message_field(2, records_impl::timestamp(s.timestamp, "StatsRecord.timestamp"));
    for (const auto& it : s.items) {
        records_impl::CheckedEncoder i;
        i.str(1, it.key, "StatsItem", "key");
        i.str(16, it.value_json, "StatsItem", "value_json");
        e.message_field(3, i.bytes());
    }
    return records_impl::wrap(num, record_field::stats, e.bytes());
}

/// The bytes of `Record{num, artifact}`.
/// \throws wandb::ValidationError  if a string field is not valid UTF-8.
inline Bytes encode_record(std::int64_t num, const ArtifactRecord& a) {
    records_impl::CheckedEncoder e;
    e.str(1, a.run_id, "ArtifactRecord", "run_id");
    e.str(2, a.project, "ArtifactRecord", "project");
    e.str(3, a.entity, "ArtifactRecord", "entity");
    e.str(4, a.type, "ArtifactRecord", "type");
    e.str(5, a.name, "ArtifactRecord", "name");
    e.str(6, a.digest, "ArtifactRecord", "digest");
    e.str(7, a.description, "ArtifactRecord", "description");
    e.str(8, a.metadata, "ArtifactRecord", "metadata");
    e.bool_field(9, a.user_created);
    e.bool_field(10, a.use_after_commit);
    e.repeated_str(11, a.aliases, "ArtifactRecord", "aliases");
    if (a.manifest) e.message_field(12, records_impl::manifest(*a.manifest));
    e.str(13, a.distributed_id, "ArtifactRecord", "distributed_id");
    e.bool_field(14, a.finalize);
    e.str(15, a.client_id, "ArtifactRecord", "client_id");
    e.str(16, a.sequence_client_id, "ArtifactRecord", "sequence_client_id");
    e.str(17, a.base_id, "ArtifactRecord", "base_id");
    e.int64_field(18, a.ttl_duration_seconds);
    e.repeated_str(19, a.tags, "ArtifactRecord", "tags");
    e.bool_field(100, a.incremental_beta1);
    return records_impl::wrap(num, record_field::artifact, e.bytes());
}

}  // namespace detail
WANDB_NAMESPACE_END
