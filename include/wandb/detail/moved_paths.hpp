// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Absolute paths a run's log holds into its own directory, after that directory was moved or
/// copied: which fields hold them, and where the files they named are now.
///
/// The fields (`wandb_internal.proto`): `ArtifactManifestEntry.local_path` (Record.artifact ->
/// ArtifactRecord.manifest -> ArtifactManifest.contents -> local_path), the staged copy W&B's
/// uploader opens as written, and `ArtifactManifest.manifest_file_path` (Record.artifact.manifest),
/// a manifest kept in a file; their numbers come from the record schema (records.hpp). Every other path a log holds is relative (Files records, media paths
/// in history values) or describes the writer's machine (Environment record: root, program).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "../version.hpp"
#include "proto_schema.hpp"
#include "records.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// Field-number paths from a `Record` to the string fields that hold absolute paths of files:
/// {8, 12, 4, 6} and {8, 12, 5}.
inline const std::vector<std::vector<std::uint32_t>>& absolute_path_fields() {
    static const std::vector<std::vector<std::uint32_t>> fields = {
        proto::field_numbers(schema::record, {"artifact", "manifest", "contents", "local_path"}),
        proto::field_numbers(schema::record, {"artifact", "manifest", "manifest_file_path"})};
    return fields;
}

/// Whether `path` (absolute, normalized) is `dir` or below it (both absolute, normalized).
inline bool is_below(const std::filesystem::path& path, const std::filesystem::path& dir) {
    auto d = dir.begin();
    auto p = path.begin();
    for (; d != dir.end(); ++d, ++p) {
        if (d->empty()) continue;  // a trailing "/" of dir
        if (p == path.end() || *p != *d) return false;
    }
    return true;
}

/// Where the file an absolute `old_path` named is below `dir` now: `dir` joined with the longest
/// tail of `old_path` (whole components, at least the file name) that names a regular file below
/// `dir`, e.g. `/old/wandb/offline-run-x/artifacts/staging/tmp1` -> `<dir>/artifacts/staging/tmp1`.
/// Nothing when no tail matches.
inline std::optional<std::filesystem::path> moved_location(const std::filesystem::path& old_path,
                                                           const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> parts;
    for (const auto& part : old_path.relative_path()) parts.push_back(part);
    for (std::size_t first = 0; first < parts.size(); ++first) {
        std::filesystem::path tail;
        for (std::size_t k = first; k < parts.size(); ++k) tail /= parts[k];
        const std::filesystem::path candidate = dir / tail;
        std::error_code ec;
        if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
    }
    return std::nullopt;
}

/// What a run's absolute file path is, seen from its current directory `dir` (canonical).
struct PathStatus {
    /// `here`: below `dir`, or the same file as one below it (a path through a symlink);
    /// `moved`: outside `dir`, and the file below `dir` at `now` has its tail (the directory was
    /// moved or copied); `elsewhere`: outside `dir`, existing, with no counterpart below it (the
    /// SDK's staging directory, say); `lost`: outside `dir`, missing, with no counterpart below it.
    enum class Kind { here, moved, elsewhere, lost };
    Kind kind = Kind::here;
    std::filesystem::path now;  ///< for `moved`: where the file is below `dir`
};

/// Classifies the absolute `path` a log holds for the run directory `dir` (canonical).
inline PathStatus path_status(const std::string& path, const std::filesystem::path& dir) {
    const std::filesystem::path p = std::filesystem::path(path).lexically_normal();
    if (is_below(p, dir)) return {PathStatus::Kind::here, {}};
    std::error_code ec;
    const bool exists = std::filesystem::is_regular_file(p, ec);
    const auto found = moved_location(p, dir);
    if (found) {
        if (exists && std::filesystem::equivalent(p, *found, ec)) return {PathStatus::Kind::here, {}};
        return {PathStatus::Kind::moved, *found};
    }
    return {exists ? PathStatus::Kind::elsewhere : PathStatus::Kind::lost, {}};
}

}  // namespace detail
WANDB_NAMESPACE_END
