// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// What runs beside an offline run while it is written: the system-metrics sampler thread
/// (system_monitor.hpp) and the live-sync child (live_sync.hpp). The run creates this before its
/// metadata (for the GPU facts), starts it once its first records are written, stops the sampler
/// before the Exit record and waits for the live sync after the log is complete. Nothing here
/// throws or fails the run: each problem is one warning line on stderr.

#include <chrono>
#include <exception>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "../version.hpp"
#include "live_sync.hpp"
#include "nvml.hpp"
#include "records.hpp"
#include "system_monitor.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// Prints "wandb: warning: <text>" to stderr in one write, so lines from threads do not mix.
inline void print_warning(const std::string& text) { std::cerr << ("wandb: warning: " + text + "\n") << std::flush; }

/// Prints "wandb: <text>" to stderr in one write.
inline void print_note(const std::string& text) { std::cerr << ("wandb: " + text + "\n") << std::flush; }

/// The settings of a run's companions, taken from its options.
struct CompanionSettings {
    bool system_metrics = true;                          ///< sample system metrics
    std::chrono::milliseconds interval{15000};           ///< between samples
    std::optional<bool> live_sync;                       ///< unset: $WANDB_IMAGEMASK_LIVE_SYNC
    std::string live_sync_executable = "wandb";          ///< the W&B CLI
    std::chrono::milliseconds live_sync_timeout{60000};  ///< finish's wait for the live sync
    std::filesystem::path run_dir;                       ///< the run directory
    std::string run_id;                                  ///< for messages
    bool quiet = false;                                  ///< no note when the live sync ends well
};

/// The sampler thread and the live-sync child of one run.
class RunCompanions {
public:
    /// Loads NVML (once per process) when system metrics are on, for gpus(). Starts nothing.
    explicit RunCompanions(CompanionSettings settings) : settings_(std::move(settings)) {
        if (settings_.system_metrics) {
            nvml_ = NvmlLibrary::instance();
            if (nvml_) gpus_ = GpuSampler(*nvml_).facts();
        }
    }

    RunCompanions(const RunCompanions&) = delete;
    RunCompanions& operator=(const RunCompanions&) = delete;
    /// Stops the sampler and the live sync (finish_live_sync with no wait if it was not called).
    ~RunCompanions() {
        finishing();
        if (live_sync_) live_sync_->finish(std::chrono::milliseconds(0));
    }

    /// The NVIDIA GPUs NVML reports, for wandb-metadata.json; empty without NVML or system metrics.
    const GpuFacts& gpus() const noexcept { return gpus_; }

    /// Starts the sampler, which hands each Stats record to `append` (called from its thread; it
    /// takes the run's lock), and the live-sync child if live sync is on. Never throws.
    void start(SystemMonitor::Append append) noexcept {
        if (settings_.system_metrics) {
            try {
                monitor_ = std::make_unique<SystemMonitor>(settings_.interval, SystemPaths{}, nvml_, print_warning);
                monitor_->start(std::move(append));
            } catch (const std::exception& e) {
                monitor_.reset();
                print_warning("cannot start the system metrics thread: " + std::string(e.what()) +
                              "; the run goes on without system metrics");
            }
        }
        try {
            if (!live_sync_wanted(settings_.live_sync, print_warning)) return;
            LiveSyncSettings s;
            s.executable = settings_.live_sync_executable;
            s.run_dir = settings_.run_dir;
            s.output = settings_.run_dir / "logs" / "live-sync.log";
            s.label = "live sync of run " + settings_.run_id;
            s.fallback = "wandb sync " + settings_.run_dir.string();
            live_sync_ = std::make_unique<LiveSync>(s, print_warning, settings_.quiet ? Warn() : Warn(print_note));
        } catch (const std::exception& e) {
            print_warning("live sync is on but cannot start `" + settings_.live_sync_executable + " beta sync --live " +
                          settings_.run_dir.string() + "`: " + e.what() +
                          "; the run is written offline only; upload it with: wandb sync " +
                          settings_.run_dir.string());
        }
    }

    /// The run is finishing: stops the sampler thread (a sample being taken is appended first)
    /// and tells the live sync that its end is expected from now on. Call before the Exit record.
    /// Idempotent.
    void finishing() noexcept {
        if (monitor_) monitor_->stop();
        if (live_sync_) live_sync_->expect_end();
    }

    /// Waits up to the live-sync timeout for the child to upload the rest and end, then stops it;
    /// reports how it ended in one line. Call once the Exit record is in the log. Idempotent.
    void finish_live_sync() noexcept {
        if (live_sync_) live_sync_->finish(settings_.live_sync_timeout);
    }

    /// The live-sync child's process id, or -1 when there is none.
    pid_t live_sync_pid() const noexcept { return live_sync_ ? live_sync_->pid() : -1; }

private:
    CompanionSettings settings_;
    NvmlLibrary* nvml_ = nullptr;
    GpuFacts gpus_;
    std::unique_ptr<SystemMonitor> monitor_;
    std::unique_ptr<LiveSync> live_sync_;
};

}  // namespace detail
WANDB_NAMESPACE_END
