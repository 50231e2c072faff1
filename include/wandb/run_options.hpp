// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::OfflineRunOptions`: how to start an offline run, the arguments of `wandb.init`.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "json.hpp"
#include "version.hpp"

WANDB_NAMESPACE_BEGIN

/// `wandb.init(resume=...)`: whether a run continues the earlier fragments of its run id, the
/// run directories `<root>/wandb/offline-run-<YYYYMMDD_HHMMSS>-<run_id>` that a preempted job left
/// (README "Resume after preemption"). A resumed fragment starts after the last step its earlier
/// fragments wrote, with their summary and config; `wandb beta sync` uploads the fragments of one
/// run in order of their start times.
enum class Resume {
    never,  ///< a new run (an earlier fragment of the id is neither read nor continued)
    allow,  ///< continue the earlier fragments of `run_id` if there are any, else start fresh
    must,   ///< continue them; none is a wandb::ValidationError
};

/// How to start an offline run; every field is optional. The names match `wandb.init`'s.
struct OfflineRunOptions {
    std::string project;           ///< W&B project; "" = "uncategorized", as the SDK names it outside a git repository
    std::string entity;            ///< user or team; "" = the syncing user's default
    std::string name;              ///< display name; "" = W&B picks one
    std::string group;             ///< run group
    std::string job_type;          ///< e.g. "train", "eval"
    std::vector<std::string> tags;  ///< 1 to 64 characters (code points) each, as W&B allows
    std::string notes;             ///< free text shown with the run
    Json config = Json::object();  ///< initial config (hyperparameters); a JSON object
    std::string run_id;            ///< "" = 8 random characters [a-z0-9]; see OfflineRun() for the rules
    std::filesystem::path root;    ///< where `wandb/` goes; "" = $WANDB_DIR, else the current directory
    /// Continue the earlier fragments of `run_id` below the same root (see Resume); allow and must
    /// need a run_id.
    Resume resume = Resume::never;
    std::size_t media_threads = 0;  ///< threads encoding one log call's media; 0 = hardware threads; at most 1024
    bool quiet = false;            ///< true: do not print the `wandb sync` command at finish

    // Companions (README "Watch it live", "System metrics"), in detail/run_companions.hpp.
    /// Upload the run while it is written with `wandb beta sync --live <run dir>`, a child process
    /// that finish waits for. Unset: on if $WANDB_IMAGEMASK_LIVE_SYNC is 1, true, yes or on.
    std::optional<bool> live_sync;
    /// The W&B CLI the live sync runs: a name looked up in PATH, or a path.
    std::string live_sync_executable = "wandb";
    /// How long finish waits for the live sync to upload the rest and end before stopping it.
    std::chrono::milliseconds live_sync_timeout = std::chrono::seconds(60);
    /// Sample CPU, memory, disk, network and NVIDIA GPU metrics into Stats records on a thread.
    bool system_metrics = true;
    /// Time between two samples, the first one interval after the start; at least 100 ms (W&B's
    /// minimum; its default is 15 s).
    std::chrono::milliseconds system_metrics_interval = std::chrono::seconds(15);

    /// Every field at its default above.
    OfflineRunOptions();
    /// Options copy and move as their fields.
    OfflineRunOptions(const OfflineRunOptions& other);
    /// \copydoc OfflineRunOptions(const OfflineRunOptions&)
    OfflineRunOptions(OfflineRunOptions&& other) noexcept;
    /// \copydoc OfflineRunOptions(const OfflineRunOptions&)
    OfflineRunOptions& operator=(const OfflineRunOptions& other);
    /// \copydoc OfflineRunOptions(const OfflineRunOptions&)
    OfflineRunOptions& operator=(OfflineRunOptions&& other) noexcept;
    ~OfflineRunOptions();
};

WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "run_options-inl.hpp"
#endif
