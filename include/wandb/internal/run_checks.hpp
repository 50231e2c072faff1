// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The checks an offline run's options and its config and summary values go through (see
/// OfflineRun() and OfflineRun::update_config), with W&B's rules for ids, names and tags.

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>

#include "../error.hpp"
#include "../json.hpp"
#include "../run_options.hpp"
#include "../detail/json_check.hpp"
#include "../detail/text.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// The message prefix of the run's constructor.
inline constexpr const char* run_who = "wandb::OfflineRun";

/// The most media threads a run takes: more than any machine's cores (and each thread holds a
/// stack), so a larger number is a mistake (e.g. a byte count passed by accident).
inline constexpr std::size_t max_media_threads = 1024;

inline std::size_t checked_media_threads(std::size_t threads) {
    if (threads > max_media_threads)
        throw ValidationError(std::string(run_who) + ": option media_threads " + std::to_string(threads) +
                              " is over " + std::to_string(max_media_threads) + "; 0 takes the hardware threads");
    return threads;
}

/// Checks a config or summary object: every key and value as `log` checks them (see
/// detail/json_check.hpp), `_wandb` reserved, and for the summary `_step`, `_runtime`,
/// `_timestamp` too (the values `log` sets).
/// \param api  message prefix; \param name  names the object, e.g. "values", "option config".
inline void check_values_object(const Json& values, const std::string& api, const std::string& name, bool summary) {
    if (!values.is_object())
        throw ValidationError(api + ": " + name + " must be a JSON object, got " + values.type_name());
    for (auto it = values.begin(); it != values.end(); ++it) {
        const std::string& key = it.key();
        require_utf8(key, api.c_str(), "a key of " + name);
        if (key == "_wandb" || (summary && (key == "_step" || key == "_runtime" || key == "_timestamp")))
            throw ValidationError(api + ": the key " + detail::quoted(key) + " is reserved for W&B");
        check_json_value(it.value(), api.c_str(), (name == "values" ? "" : name + ", ") + "value of " + detail::quoted(key));
    }
}

inline void check_name_option(const std::string& value, const char* option) {
    require_utf8(value, run_who, std::string("option ") + option);
    for (const char c : std::string("/\\#?%:"))
        if (value.find(c) != std::string::npos)
            throw ValidationError(std::string(run_who) + ": option " + option + " " + detail::quoted(value) +
                                  " contains '" + c + "'; W&B forbids / \\ # ? % :");
}

/// The longest file name the file systems a run lives on allow (NAME_MAX on Linux), in bytes.
inline constexpr std::size_t max_file_name_bytes = 255;
/// The longest tag W&B takes, in characters (wandb_settings.py validate_run_tags).
inline constexpr std::size_t max_tag_characters = 64;

/// W&B's run id rules (wandb/sdk/wandb_settings.py, validate_run_id: not empty, no white space
/// at either end, none of : ; , # ? / '), the characters the older SDK forbade too (\ %), and
/// what a run directory and URL need (see OfflineRun()).
inline void check_run_id(const std::string& id) {
    if (id.empty()) return;  // a random id is made
    const std::string named = std::string(run_who) + ": option run_id " + detail::quoted(id);
    require_name(id, run_who, "option run_id");
    for (const char c : std::string(":;,#?/'\\%"))
        if (id.find(c) != std::string::npos)
            throw ValidationError(named + " contains '" + c + "'; W&B forbids : ; , # ? / ' \\ %");
    if (id.front() == ' ' || id.back() == ' ')
        throw ValidationError(named + " starts or ends with a space; W&B forbids that");
    if (id == "." || id == "..")
        throw ValidationError(named + " is not a usable id: a run's URL ends with its id");
    constexpr std::size_t longest = max_file_name_bytes - (sizeof("offline-run-YYYYMMDD_HHMMSS-") - 1);
    if (id.size() > longest)
        throw ValidationError(std::string(run_who) + ": option run_id is " + std::to_string(id.size()) +
                              " bytes long; at most " + std::to_string(longest) +
                              " fit in the run directory's name (" + std::to_string(max_file_name_bytes) + " bytes)");
}

/// Checks every option as OfflineRun() documents; messages start with "wandb::OfflineRun".
/// \throws ValidationError naming the option and the bad value.
inline void validate_run_options(const OfflineRunOptions& options) {
    check_run_id(options.run_id);
    if (options.resume != Resume::never && options.run_id.empty())
        throw ValidationError(std::string(run_who) + ": option resume is " +
                              (options.resume == Resume::allow ? "allow" : "must") +
                              " but run_id is empty; a resumed run needs the id of the run it continues");
    check_name_option(options.project, "project");
    check_name_option(options.entity, "entity");
    for (const auto& [value, option] :
         {std::pair{&options.name, "name"}, {&options.group, "group"}, {&options.job_type, "job_type"},
          {&options.notes, "notes"}})
        require_utf8(*value, run_who, std::string("option ") + option);
    for (const std::string& tag : options.tags) {
        require_name(tag, run_who, "tag");
        // W&B counts a tag's length in characters (Python's len, wandb_settings.py
        // validate_run_tags; the server refuses longer ones at sync): code points here.
        std::size_t characters = 0;
        for (const char c : tag) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        if (characters > max_tag_characters)
            throw ValidationError(std::string(run_who) + ": tag " + detail::quoted(tag) + " is " +
                                  std::to_string(characters) + " characters; W&B allows " +
                                  std::to_string(max_tag_characters));
    }
    check_values_object(options.config, run_who, "option config", false);
    if (options.system_metrics && options.system_metrics_interval < std::chrono::milliseconds(100))
        throw ValidationError(std::string(run_who) + ": option system_metrics_interval is " +
                              std::to_string(options.system_metrics_interval.count()) +
                              " ms; W&B samples at most every 100 ms");
    if (options.live_sync_timeout.count() < 0)
        throw ValidationError(std::string(run_who) + ": option live_sync_timeout is negative (" +
                              std::to_string(options.live_sync_timeout.count()) + " ms)");
    if (options.live_sync_executable.empty())
        throw ValidationError(std::string(run_who) + ": option live_sync_executable is empty");
}


}  // namespace detail
WANDB_NAMESPACE_END
