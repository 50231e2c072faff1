// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The sampler thread of a run: every interval it samples the system metrics (and the GPUs, when
/// NVML is there) and hands each group to the run as a Stats record, as wandb-core's system
/// monitor does (core/internal/monitor/monitor.go: a ticker per resource, the first sample one
/// interval after the start, one Stats record per resource and tick). Sampling happens on this
/// thread, outside the run's lock; only appending the record takes it.

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../version.hpp"
#include "nvml.hpp"
#include "records.hpp"
#include "system_metrics.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// The Stats record of one sample: `timestamp` and the metrics as items, in order.
inline StatsRecord stats_record(const std::vector<Metric>& metrics, std::chrono::system_clock::time_point when) {
    StatsRecord r;
    const auto since = when.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since);
    r.timestamp = {seconds.count(), static_cast<std::int32_t>(
                                        std::chrono::duration_cast<std::chrono::nanoseconds>(since - seconds).count())};
    for (const Metric& m : metrics) r.items.push_back({m.name, metric_json(m)});
    return r;
}

/// Samples system metrics on its own thread and passes each sample to a callback.
class SystemMonitor {
public:
    /// Receives each sample's record; may throw (the monitor reports the first failure once).
    using Append = std::function<void(const StatsRecord&)>;

    /// \param interval  time between samples (the first one interval after start).
    /// \param paths  where the system metrics are read (tests substitute a fake /proc).
    /// \param nvml  the NVML library for GPU metrics, or nullptr for none.
    /// \param warn  receives each warning line; called from the sampler thread.
    SystemMonitor(std::chrono::milliseconds interval, SystemPaths paths, NvmlLibrary* nvml, Warn warn)
        : interval_(interval), paths_(std::move(paths)), nvml_(nvml), warn_(std::move(warn)) {}

    SystemMonitor(const SystemMonitor&) = delete;
    SystemMonitor& operator=(const SystemMonitor&) = delete;
    /// Stops and joins the thread.
    ~SystemMonitor() { stop(); }

    /// Starts the thread, which appends through `append` until stop().
    /// \throws std::system_error  if the thread cannot be created.
    void start(Append append) {
        append_ = std::move(append);
        thread_ = std::thread([this] { loop(); });
    }

    /// Wakes the thread and waits for it to end; a sample being taken completes first. Idempotent,
    /// never throws.
    void stop() noexcept {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

    /// Samples taken so far (records handed to `append`, successfully or not).
    std::size_t samples() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return samples_;
    }

private:
    void loop() noexcept {
        try {
            SystemSampler system(paths_);  // the counters the metrics are relative to: from now
            std::optional<GpuSampler> gpus;
            if (nvml_) gpus.emplace(*nvml_);
            auto next = std::chrono::steady_clock::now() + interval_;
            for (;;) {
                {
                    std::unique_lock<std::mutex> lock(mutex_);
                    if (wake_.wait_until(lock, next, [&] { return stopping_; })) return;
                }
                std::vector<Metric> metrics;
                system.sample(metrics, warn_);
                publish(metrics);
                if (gpus) {
                    metrics.clear();
                    gpus->sample(metrics, warn_);
                    publish(metrics);
                }
                next += interval_;
                const auto now = std::chrono::steady_clock::now();
                if (next <= now) next = now + interval_;  // a slow sample skips ticks, as a Go ticker does
            }
        } catch (const std::exception& e) {
            report("system metrics stopped: " + std::string(e.what()));
        } catch (...) {
            report("system metrics stopped after an unknown error");
        }
    }

    void publish(const std::vector<Metric>& metrics) {
        if (metrics.empty()) return;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            ++samples_;
        }
        try {
            append_(stats_record(metrics, std::chrono::system_clock::now()));
        } catch (const std::exception& e) {
            if (!append_failed_)
                report("cannot write system metrics: " + std::string(e.what()) + "; further failures are not reported");
            append_failed_ = true;
        }
    }

    void report(const std::string& text) noexcept {
        try {
            if (warn_) warn_(text);
        } catch (...) {
        }
    }

    std::chrono::milliseconds interval_;
    SystemPaths paths_;
    NvmlLibrary* nvml_;
    Warn warn_;
    Append append_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::size_t samples_ = 0;
    bool append_failed_ = false;  // sampler thread only
    std::thread thread_;
};

}  // namespace detail
WANDB_NAMESPACE_END
