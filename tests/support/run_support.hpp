// Helpers for the reliability tests: what a run directory holds, whether its log and media agree,
// and child processes (as an unprivileged user, with resource limits, killed at random).
#pragma once

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <wandb/detail/hash.hpp>
#include <wandb/detail/json_text.hpp>
#include <wandb/wandb.hpp>

#include "test_support.hpp"

namespace wandb_test {

/// Options for a run below `root` that prints nothing.
inline wandb::OfflineRunOptions quiet_run_options(const fs::path& root) {
    wandb::OfflineRunOptions options;
    options.root = root;
    options.project = "reliability";
    options.quiet = true;
    return options;
}

/// Every regular file below `dir` with its size: what "nothing was written" compares.
inline std::map<std::string, std::uintmax_t> file_sizes(const fs::path& dir) {
    std::map<std::string, std::uintmax_t> out;
    for (const std::string& name : list_files(dir)) out[name] = fs::file_size(dir / name);
    return out;
}

inline std::string sha256_hex(const fs::path& p) {
    const auto bytes = read_bytes(p);
    return wandb::detail::Sha256::of(bytes.data(), bytes.size()).hex();
}

/// A `.wandb` log read back: every complete record, decoded, and the first problem if any.
struct ReadBack {
    std::vector<wandb::Json> records;
    std::optional<wandb::LogProblem> problem;
    std::vector<wandb::Json> of_kind(const std::string& kind) const {
        std::vector<wandb::Json> out;
        for (const auto& r : records)
            if (r.contains(kind)) out.push_back(r[kind]);
        return out;
    }
};

inline ReadBack read_back(const fs::path& log) {
    wandb::RunLogReader reader(log.string());
    auto all = reader.read_all();
    ReadBack out;
    for (const auto& r : all.records) out.records.push_back(wandb::decode_record(r.data));
    out.problem = all.problem;
    return out;
}

/// The row (or summary, or config values) the items of one History, Summary or Config record
/// hold, reassembled from `nested_key` and `key` items by the library's reader
/// (wandb::items_to_object); NaN and infinities are the doubles they name. Every C++ test reads
/// history values through this one function (tests/tools/wandb_log.py items_to_row is its
/// independent counterpart in Python).
inline wandb::Json history_row(const wandb::Json& items) { return wandb::items_to_object(items); }

/// The value of the top-level `key` in a history or summary item list (null if absent).
inline wandb::Json item_value(const wandb::Json& items, const std::string& key) {
    const wandb::Json row = history_row(items);
    return row.contains(key) ? row[key] : wandb::Json(nullptr);
}

/// The value of the top-level `key` as compact JSON text, non-finite numbers as the SDK's NaN,
/// Infinity and -Infinity tokens ("" if absent).
inline std::string item_text(const wandb::Json& items, const std::string& key) {
    const wandb::Json row = history_row(items);
    return row.contains(key) ? wandb::detail::json_text(row[key]) : std::string();
}

/// Media files a history value names: path -> sha256, or path -> "" when only a sha256 prefix is
/// in the path (the filenames of an images/separated list).
inline void media_references(const wandb::Json& value, std::map<std::string, std::string>& out) {
    if (value.is_object()) {
        if (value.contains("path") && value.contains("sha256") && value["path"].is_string())
            out[value["path"]] = value["sha256"];
        if (value.value("_type", "") == "images/separated")
            for (const auto& name : value["filenames"]) out.emplace(name.get<std::string>(), "");
        for (auto it = value.begin(); it != value.end(); ++it) media_references(it.value(), out);
    } else if (value.is_array()) {
        for (const auto& v : value) media_references(v, out);
    }
}

/// All regular files below `dir`, relative, '/'-separated, sorted; like list_files, but fast for
/// tens of thousands of files (no fs::relative per file).
inline std::vector<std::string> all_files(const fs::path& dir) {
    std::vector<std::string> out;
    if (!fs::exists(dir)) return out;
    const std::size_t prefix = dir.string().size() + 1;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) out.push_back(e.path().string().substr(prefix));
    std::sort(out.begin(), out.end());
    return out;
}

/// What is wrong between a run directory and its log, as readable lines (empty: nothing):
/// - a media file named by a complete History record is missing or has another sha256;
/// - a file announced in a complete Files record is missing;
/// - with `strict`, also: a media file no complete History record names (a leftover of a failed
///   log), a temporary file, or a log that does not read back whole.
inline std::vector<std::string> run_problems(const fs::path& run_dir, const ReadBack& log, bool strict) {
    std::vector<std::string> problems;
    const fs::path files = run_dir / "files";
    std::map<std::string, std::string> named;
    for (const auto& h : log.of_kind("history")) media_references(history_row(h["item"]), named);
    for (const auto& [path, sha] : named) {
        if (!fs::is_regular_file(files / path)) {
            problems.push_back("named in history but missing: " + path);
            continue;
        }
        const std::string actual = sha256_hex(files / path);
        if (sha.empty() ? path.find(actual.substr(0, 20)) == std::string::npos : actual != sha)
            problems.push_back("sha256 differs from the history's: " + path);
    }
    for (const auto& f : log.of_kind("files"))
        for (const auto& i : f["files"])
            if (!fs::is_regular_file(files / i["path"].get<std::string>()))
                problems.push_back("announced but missing: " + i["path"].get<std::string>());
    if (strict) {
        if (log.problem) problems.push_back("log problem: " + log.problem->message);
        for (const std::string& name : all_files(run_dir)) {
            if (name.find(".tmp-") != std::string::npos) problems.push_back("temporary file left: " + name);
            if (name.rfind("files/media/", 0) == 0 && !named.count(name.substr(6)))
                problems.push_back("media file no history record names: " + name);
        }
    }
    return problems;
}

/// The run directory below `root` (the only `wandb/offline-run-*` directory), or "" if none.
inline fs::path find_run_dir(const fs::path& root) {
    if (!fs::is_directory(root / "wandb")) return {};
    for (const auto& e : fs::directory_iterator(root / "wandb"))
        if (e.path().filename().string().rfind("offline-run-", 0) == 0) return e.path();
    return {};
}

/// The `.wandb` log in a run directory, or "" if none.
inline fs::path find_log(const fs::path& run_dir) {
    if (run_dir.empty() || !fs::is_directory(run_dir)) return {};
    for (const auto& e : fs::directory_iterator(run_dir))
        if (e.path().extension() == ".wandb") return e.path();
    return {};
}

/// "<Type>: <message>" for what `body` throws, "no exception" if it returns.
inline std::string outcome_of(const std::function<void()>& body) {
    try {
        body();
        return "no exception";
    } catch (const wandb::ValidationError& e) {
        return std::string("ValidationError: ") + e.what();
    } catch (const wandb::IoError& e) {
        return std::string("IoError: ") + e.what();
    } catch (const wandb::FormatError& e) {
        return std::string("FormatError: ") + e.what();
    } catch (const std::exception& e) {
        return std::string("other exception: ") + e.what();
    }
}

/// The user id of "nobody", which unprivileged children switch to when the tests run as root.
inline constexpr uid_t nobody = 65534;

/// Runs `body` in a forked child and returns the text it produced. With `as_nobody`, when the
/// tests run as root (as in CI), the child first switches to uid/gid 65534 ("nobody"), so file
/// permissions apply to it; otherwise it keeps the current, already unprivileged, user. The child
/// never returns into the test framework: it writes its text to a pipe and calls _exit.
inline std::string in_child(const std::function<std::string()>& body, bool as_nobody = false) {
    int fds[2];
    if (::pipe(fds) != 0) return std::string("pipe failed: ") + std::strerror(errno);
    const pid_t pid = ::fork();
    if (pid < 0) return std::string("fork failed: ") + std::strerror(errno);
    if (pid == 0) {
        ::close(fds[0]);
        std::string text;
        if (as_nobody && ::geteuid() == 0 &&
            (::setgroups(0, nullptr) != 0 || ::setgid(nobody) != 0 || ::setuid(nobody) != 0)) {
            text = std::string("cannot switch to nobody: ") + std::strerror(errno);
        } else {
            try {
                text = body();
            } catch (const std::exception& e) {
                text = std::string("child threw: ") + e.what();
            }
        }
        std::size_t done = 0;
        while (done < text.size()) {
            const ssize_t n = ::write(fds[1], text.data() + done, text.size() - done);
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0) text.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) text += " [child did not exit cleanly]";
    return text;
}

/// in_child as "nobody" when running as root: file permissions apply to the child.
inline std::string in_unprivileged_child(const std::function<std::string()>& body) { return in_child(body, true); }

/// Makes `dir` usable by the unprivileged child of in_unprivileged_child (mode 0777).
inline void open_to_everyone(const fs::path& dir) {
    fs::permissions(dir, fs::perms::all, fs::perm_options::replace);
}

}  // namespace wandb_test
