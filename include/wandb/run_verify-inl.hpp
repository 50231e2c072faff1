// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of run_verify.hpp: RunReport's summary and the one pass over a log's records
/// (detail::RunVerifier) that verify_run makes.

#include "run_verify.hpp"

#include <fstream>
#include <map>
#include <utility>

#include "detail/hash.hpp"
#include "detail/moved_paths.hpp"

WANDB_NAMESPACE_BEGIN

WANDB_IMAGEMASK_INLINE bool RunReport::has(RunProblem::Kind kind) const noexcept {
    for (const auto& p : problems)
        if (p.kind == kind) return true;
    return false;
}

WANDB_IMAGEMASK_INLINE std::string RunReport::summary() const {
    const auto count = [](std::size_t n, const char* what) {
        return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
    };
    std::string out = count(rows, "row") + ", ";
    if (!first_step)
        out += "no steps";
    else if (*first_step == *last_step)
        out += "step " + std::to_string(*first_step);
    else
        out += "steps " + std::to_string(*first_step) + ".." + std::to_string(*last_step);
    out += ", " + count(media_files, "media file") + ", " + count(tables, "table") + ", ";
    if (exit_code)
        out += "exit code " + std::to_string(*exit_code);
    else
        out += being_written ? "being written" : "not finished";
    if (synced) out += ", synced";
    return out;
}

namespace detail {

/// The checks of verify_run, one pass over the records.
class RunVerifier {
public:
    explicit RunVerifier(RunReport& report) : r_(report), files_(report.dir / "files") {}

    void check_log() {
        std::optional<RunLogReader> reader;
        try {
            reader.emplace(r_.log.string());
        } catch (const FormatError& e) {
            problem(RunProblem::Kind::corrupt_log, "log: " + reader_reason(e.what()));
            return;
        }
        LogReadResult all = reader->read_all();
        r_.records = all.records.size();
        for (const LogRecord& record : all.records) check_record(record);
        if (all.problem) {
            const LogProblem& p = *all.problem;
            if (p.kind == LogProblem::Kind::corrupt)
                problem(RunProblem::Kind::corrupt_log,
                        "log: " + p.message + " (nothing from there on can be read; the " + std::to_string(r_.records) +
                            " records before it are intact)");
            else if (!r_.being_written)
                problem(RunProblem::Kind::truncated_log,
                        "log: " + p.message + " (the writer stopped inside a record; the " + std::to_string(r_.records) +
                            " records before it are intact)");
        }
        check_media();
    }

private:
    struct MediaRef {
        std::string sha256;        ///< "" for list file names, which hold sha256[:20] only
        std::optional<std::uint64_t> size;
        std::uint64_t offset = 0;  ///< of the first History record naming it
    };

    /// The message of a RunLogReader error without its "wandb::RunLogReader: <path>: " prefix.
    std::string reader_reason(const std::string& what) const {
        const std::string prefix = "wandb::RunLogReader: " + r_.log.string() + ": ";
        return what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what;
    }

    void problem(RunProblem::Kind kind, std::string message) { r_.problems.push_back({kind, std::move(message)}); }

    /// The Sha256 or Md5 digest of a file's bytes, read 1 MiB at a time.
    /// \throws IoError  if the file cannot be read.
    template <class Hash>
    static auto digest_of(const std::filesystem::path& file) {
        Hash hash;
        std::ifstream in(file, std::ios::binary);
        std::vector<char> buf(1 << 20);
        while (in) {
            in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
            hash.update(buf.data(), static_cast<std::size_t>(in.gcount()));
        }
        if (!in.eof()) throw IoError("wandb::verify_run: cannot read " + file.string());
        return hash.finish();
    }

    void check_record(const LogRecord& record) {
        Json j;
        try {
            j = decode_record(record.data);
        } catch (const FormatError& e) {
            problem(RunProblem::Kind::corrupt_log,
                    "log: the record at offset " + std::to_string(record.offset) + " does not decode: " + e.what());
            return;
        }
        if (j.contains("history")) check_history(j["history"], record.offset);
        if (j.contains("files")) check_files(j["files"], record.offset);
        if (j.contains("artifact")) check_artifact(j["artifact"], record.offset);
        if (j.contains("exit")) r_.exit_code = j["exit"].value("exit_code", 0);
    }

    void check_history(const Json& history, std::uint64_t offset) {
        ++r_.rows;
        Json row;
        try {
            row = items_to_object(history.value("item", Json::array()));
        } catch (const FormatError& e) {
            problem(RunProblem::Kind::corrupt_log,
                    "log: the History record at offset " + std::to_string(offset) + ": " + e.what());
            return;
        }
        std::optional<std::int64_t> step;
        if (history.contains("step"))
            step = history["step"].value("num", std::int64_t{0});
        else if (row.contains("_step") && row["_step"].is_number_integer())
            step = row["_step"].get<std::int64_t>();
        if (step) {
            if (r_.last_step && *step <= *r_.last_step)
                problem(RunProblem::Kind::step_order, "log: step " + std::to_string(*step) + " of the History record at offset " +
                                                          std::to_string(offset) + " is not greater than step " +
                                                          std::to_string(*r_.last_step) + " before it");
            if (!r_.first_step) r_.first_step = step;
            r_.last_step = step;
        }
        collect_media(row, offset);
    }

    /// Every media file a history value names: `{"path", "sha256", "size"}` objects at any depth
    /// (images, masks, box files, table files) and the `filenames` of image lists.
    void collect_media(const Json& v, std::uint64_t offset) {
        if (v.is_object()) {
            if (v.contains("path") && v["path"].is_string() && v.contains("sha256") && v["sha256"].is_string()) {
                std::optional<std::uint64_t> size;
                if (v.contains("size") && v["size"].is_number_unsigned()) size = v["size"].get<std::uint64_t>();
                media_.emplace(v["path"].get<std::string>(), MediaRef{v["sha256"].get<std::string>(), size, offset});
            }
            if (v.value("_type", "") == "images/separated" && v.contains("filenames") && v["filenames"].is_array())
                for (const Json& name : v["filenames"])
                    if (name.is_string()) media_.emplace(name.get<std::string>(), MediaRef{"", std::nullopt, offset});
            for (const Json& child : v) collect_media(child, offset);
        } else if (v.is_array()) {
            for (const Json& child : v) collect_media(child, offset);
        }
    }

    void check_media() {
        r_.media_files = media_.size();
        for (const auto& [path, ref] : media_) {
            const std::filesystem::path file = files_ / path;
            const std::string named = "files/" + path + ": ";
            const std::string by = "the History record at offset " + std::to_string(ref.offset);
            std::error_code ec;
            if (!std::filesystem::is_regular_file(file, ec)) {
                problem(RunProblem::Kind::missing_file, named + "missing (named in " + by + ")");
                continue;
            }
            const std::uint64_t size = std::filesystem::file_size(file, ec);
            if (ref.size && size != *ref.size) {
                problem(RunProblem::Kind::changed_file, named + "its bytes changed (" + std::to_string(size) + " bytes, " +
                                                            by + " says " + std::to_string(*ref.size) + ")");
                continue;
            }
            const std::string sha = digest_of<Sha256>(file).hex();
            if (!ref.sha256.empty() && sha != ref.sha256)
                problem(RunProblem::Kind::changed_file,
                        named + "its bytes changed (sha256 " + sha + ", " + by + " says " + ref.sha256 + ")");
            else if (ref.sha256.empty() && path.find(sha.substr(0, 20)) == std::string::npos)
                problem(RunProblem::Kind::changed_file, named + "its bytes changed (sha256 " + sha +
                                                            " does not begin with the id in its name, named in " + by + ")");
        }
        for (const auto& [path, offset] : announced_) {
            if (media_.count(path)) continue;  // checked above
            std::error_code ec;
            if (!std::filesystem::is_regular_file(files_ / path, ec))
                problem(RunProblem::Kind::missing_file,
                        "files/" + path + ": missing (named in the Files record at offset " + std::to_string(offset) + ")");
        }
    }

    void check_files(const Json& files, std::uint64_t offset) {
        for (const Json& f : files.value("files", Json::array())) {
            const std::string path = f.value("path", "");
            if (path.empty() || path.find_first_of("*?[") != std::string::npos) continue;  // globs: "save" patterns
            announced_.emplace(path, offset);
        }
    }

    void check_artifact(const Json& artifact, std::uint64_t offset) {
        const std::string name = "artifact " + artifact.value("name", std::string("(unnamed)")) + ": ";
        const std::string at = "the Artifact record at offset " + std::to_string(offset);
        if (artifact.value("type", "") == "run_table") ++r_.tables;
        if (!artifact.contains("manifest")) return;
        const Json& manifest = artifact["manifest"];
        std::size_t moved = 0;
        std::string example;
        for (const Json& entry : manifest.value("contents", Json::array())) {
            const std::string local = entry.value("local_path", "");
            if (local.empty()) continue;  // a reference entry: nothing staged
            const std::string what = "staged file " + local + " (member " + entry.value("path", "") + ")";
            const PathStatus status = path_status(local, r_.dir);
            if (status.kind == PathStatus::Kind::lost || status.kind == PathStatus::Kind::here) {
                std::error_code ec;
                if (!std::filesystem::is_regular_file(local, ec)) {
                    if (r_.synced) continue;  // wandb sync removes staged files once uploaded
                    problem(RunProblem::Kind::missing_file, name + what + " is missing (named in " + at + ")");
                    continue;
                }
            }
            if (status.kind == PathStatus::Kind::moved) {
                if (moved++ == 0) example = local;
            }
            const std::string file = status.kind == PathStatus::Kind::moved ? status.now.string() : local;
            check_digest(file, entry, name + what + (file == local ? "" : ", found at " + file), at);
        }
        if (moved > 0)
            problem(RunProblem::Kind::moved_paths,
                    name + std::to_string(moved) + " staged file" + (moved == 1 ? " is" : "s are") +
                        " named by where the run directory was before it was moved or copied (e.g. " + example +
                        "); `wandb-imagemask relocate` rewrites them");
    }

    void check_digest(const std::string& file, const Json& entry, const std::string& what, const std::string& at) {
        std::error_code ec;
        const std::uint64_t size = std::filesystem::file_size(file, ec);
        const auto want_size = entry.value("size", std::int64_t{0});
        if (ec || size != static_cast<std::uint64_t>(want_size)) {
            problem(RunProblem::Kind::changed_file, what + " changed (" + std::to_string(size) + " bytes, " + at +
                                                        " says " + std::to_string(want_size) + ")");
            return;
        }
        const std::string md5 = digest_of<Md5>(file).base64();
        const std::string want = entry.value("digest", "");
        if (md5 != want)
            problem(RunProblem::Kind::changed_file, what + " changed (md5 " + md5 + ", " + at + " says " + want + ")");
    }

    RunReport& r_;
    std::filesystem::path files_;
    std::map<std::string, MediaRef> media_;
    std::map<std::string, std::uint64_t> announced_;
};

}  // namespace detail

WANDB_IMAGEMASK_INLINE RunReport verify_run(const std::filesystem::path& run) {
    RunReport report;
    report.log = find_run_log(run);
    std::error_code ec;
    report.dir = std::filesystem::canonical(report.log.parent_path().empty() ? "." : report.log.parent_path(), ec);
    if (ec) throw IoError("wandb::verify_run: cannot resolve " + report.log.parent_path().string() + ": " + ec.message());
    report.being_written = log_is_being_written(report.log);
    report.synced = std::filesystem::exists(synced_marker(report.log), ec);
    detail::RunVerifier(report).check_log();
    return report;
}

WANDB_NAMESPACE_END
