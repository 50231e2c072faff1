// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Building a W&B artifact the way the SDK stages one for an offline run: names, staged copies of
/// the member files, the v1 manifest and its digest.
///
/// Facts, from the SDK's source:
/// - `sanitize_artifact_name` (`artifacts/_internal_artifact.py`): a name with characters outside
///   `[A-Za-z0-9_\-.]` loses them and gets `-` + the unpadded url-safe base64 of the big-endian
///   CRC-32 of the UTF-8 name (6 characters); a clean name is kept as it is.
/// - member names go through `LogicalPath` (`lib/paths.py`: PurePosixPath normalization) and
///   `WBValue.with_suffix` (appends `.<log_type>.json` unless the name already ends with
///   `<log_type>.json`).
/// - `add_file(..., is_tmp=True)` (`artifacts/artifact.py`) renames the first dot-separated part of
///   the file name to the first 20 hex digits of the file's MD5.
/// - entry digests are the MD5 of the bytes in standard base64; the artifact digest is the MD5 hex
///   of "wandb-artifact-manifest-v1\n" + "<path>:<digest>\n" for every entry sorted by path
///   (`artifact_manifests/artifact_manifest_v1.py`).
/// - with the default "mutable" policy every member is uploaded from a read-only (0400) copy in
///   the staging directory, and `local_path` is that copy's absolute path (`_add_local_file`).

#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "../error.hpp"
#include "atomic_file.hpp"
#include "crc32.hpp"
#include "hash.hpp"
#include "records.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// The SDK's `sanitize_artifact_name`: "run-ab12-val/img" -> "run-ab12-valimg-<6 chars>".
inline std::string sanitize_artifact_name(std::string_view name) {
    std::string kept;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '-' || c == '.';
        if (ok) kept += c;
    }
    if (kept.size() == name.size()) return kept;
    const std::uint32_t crc = crc32(0, name.data(), name.size());
    const std::uint8_t be[4] = {std::uint8_t(crc >> 24), std::uint8_t(crc >> 16), std::uint8_t(crc >> 8), std::uint8_t(crc)};
    std::string suffix = to_base64(be, 4);
    suffix.erase(std::remove(suffix.begin(), suffix.end(), '='), suffix.end());
    for (char& c : suffix) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return kept + "-" + suffix;
}

/// `LogicalPath(name)` on POSIX: empty and "." segments dropped, a leading "/" kept (two when the
/// name starts with exactly two), ".." kept; "" becomes ".".
inline std::string logical_path(std::string_view name) {
    std::size_t leading = 0;
    while (leading < name.size() && name[leading] == '/') ++leading;
    std::string out = leading == 0 ? "" : leading == 2 ? "//" : "/";
    bool first = true;
    std::size_t start = leading;
    while (start <= name.size()) {
        std::size_t slash = name.find('/', start);
        if (slash == std::string_view::npos) slash = name.size();
        const std::string_view segment = name.substr(start, slash - start);
        if (!segment.empty() && segment != ".") {
            if (!first) out += '/';
            out += segment;
            first = false;
        }
        start = slash + 1;
    }
    if (out.empty()) out = ".";
    return out;
}

/// `WBValue.with_suffix(name)` for a log type: "random_field" -> "random_field.table.json".
inline std::string with_suffix(const std::string& name, std::string_view log_type) {
    const std::string suffix = std::string(log_type) + ".json";
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
        return name;
    return name + "." + suffix;
}

/// The MD5 hex digest of a v1 manifest (its entries need not be sorted).
inline std::string manifest_digest(const std::vector<ArtifactManifestEntry>& entries) {
    std::vector<const ArtifactManifestEntry*> sorted;
    for (const auto& e : entries) sorted.push_back(&e);
    std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->path < b->path; });
    Md5 md5;
    md5.update("wandb-artifact-manifest-v1\n");
    for (const auto* e : sorted) {
        md5.update(e->path);
        md5.update(":");
        md5.update(e->digest);
        md5.update("\n");
    }
    return md5.finish().hex();
}

/// Collects an artifact's members: each distinct path is written once, as a read-only staged copy
/// below `staging_dir`, and becomes a manifest entry. Files staged so far are removed when the
/// stager is destroyed without `commit()` (a failed log leaves no orphaned copies).
class ArtifactStager {
public:
    /// \param staging_dir  where staged copies go (made absolute).
    /// \param random_id  names the copies ("tmp" + 10 [a-z0-9]).
    /// \param who  prefix of IoError messages.
    ArtifactStager(const std::filesystem::path& staging_dir, std::function<std::string(std::size_t)> random_id,
                   const char* who)
        : staging_dir_(std::filesystem::absolute(staging_dir).lexically_normal()), random_id_(std::move(random_id)),
          who_(who) {}
    ArtifactStager(const ArtifactStager&) = delete;
    ArtifactStager& operator=(const ArtifactStager&) = delete;
    ~ArtifactStager() {
        if (committed_) return;
        for (const auto& [path, entry] : entries_) {
            std::error_code ec;
            std::filesystem::remove(entry.local_path, ec);
        }
    }

    /// The entry stored under `path`, or null.
    const ArtifactManifestEntry* find(const std::string& path) const {
        auto it = entries_.find(path);
        return it == entries_.end() ? nullptr : &it->second;
    }

    /// Stages `bytes` under the member `path` unless that path is already staged; returns its entry.
    /// \throws IoError naming the staged file if it cannot be written (no partial file is left).
    /// \param md5  the bytes' MD5 when the caller has it already (it is computed otherwise).
    const ArtifactManifestEntry& add(const std::string& path, const std::uint8_t* data, std::size_t size,
                                     const Md5Digest* md5 = nullptr) {
        if (const auto* existing = find(path)) return *existing;
        ArtifactManifestEntry entry;
        entry.path = path;
        entry.digest = md5 ? md5->base64() : Md5::of(data, size).base64();
        entry.size = static_cast<std::int64_t>(size);
        const std::filesystem::path local = fresh_staging_path();
        write_file_atomically(local, data, size, who_);
        (void)::chmod(local.c_str(), S_IRUSR);  // read-only, as the SDK leaves its staged copies
        entry.local_path = local.string();
        ++files_written_;
        return entries_.emplace(path, std::move(entry)).first->second;
    }

    /// \copydoc add
    const ArtifactManifestEntry& add(const std::string& path, std::string_view text) {
        return add(path, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    }

    /// The entries sorted by path.
    std::vector<ArtifactManifestEntry> entries() const {
        std::vector<ArtifactManifestEntry> out;
        for (const auto& [path, entry] : entries_) out.push_back(entry);
        return out;
    }

    /// How many staged copies were written.
    std::size_t files_written() const noexcept { return files_written_; }

    /// Keeps the staged files when the stager goes away.
    void commit() noexcept { committed_ = true; }

private:
    std::filesystem::path fresh_staging_path() {
        for (int attempt = 0; attempt < 100; ++attempt) {
            std::filesystem::path candidate = staging_dir_ / ("tmp" + random_id_(10));
            std::error_code ec;
            if (!std::filesystem::exists(candidate, ec) && !ec) return candidate;
        }
        throw IoError(std::string(who_) + ": cannot find a free staging file name in " + staging_dir_.string());
    }

    std::filesystem::path staging_dir_;
    std::function<std::string(std::size_t)> random_id_;
    const char* who_;
    std::map<std::string, ArtifactManifestEntry> entries_;  // by path: sorted as the manifest wants
    std::size_t files_written_ = 0;
    bool committed_ = false;
};

}  // namespace detail
WANDB_NAMESPACE_END
