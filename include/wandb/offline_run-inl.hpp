// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of offline_run.hpp: each member hands the call to internal/run_core.hpp.

#include "offline_run.hpp"
#include "internal/run_core.hpp"

WANDB_NAMESPACE_BEGIN

WANDB_IMAGEMASK_INLINE OfflineRun::OfflineRun(OfflineRunOptions options) : core_(std::make_unique<detail::RunCore>(std::move(options))) {}
WANDB_IMAGEMASK_INLINE OfflineRun::OfflineRun(OfflineRun&&) noexcept = default;
WANDB_IMAGEMASK_INLINE OfflineRun& OfflineRun::operator=(OfflineRun&&) noexcept = default;
WANDB_IMAGEMASK_INLINE OfflineRun::~OfflineRun() = default;
WANDB_IMAGEMASK_INLINE void OfflineRun::log(const Row& row) { core_->log(row, LogOptions{}); }
WANDB_IMAGEMASK_INLINE void OfflineRun::log(const Row& row, std::int64_t step) { core_->log(row, LogOptions{step, std::nullopt}); }
WANDB_IMAGEMASK_INLINE void OfflineRun::log(const Row& row, const LogOptions& options) { core_->log(row, options); }
WANDB_IMAGEMASK_INLINE void OfflineRun::update_config(const Json& values) { core_->update_config(values); }
WANDB_IMAGEMASK_INLINE void OfflineRun::update_summary(const Json& values) { core_->update_summary(values); }
WANDB_IMAGEMASK_INLINE void OfflineRun::define_metric(const std::string& name, const MetricOptions& options) {
    core_->define_metric(name, options);
}
WANDB_IMAGEMASK_INLINE void OfflineRun::finish(int exit_code) { core_->finish(exit_code); }
WANDB_IMAGEMASK_INLINE const std::string& OfflineRun::id() const noexcept { return core_->id(); }
WANDB_IMAGEMASK_INLINE const std::filesystem::path& OfflineRun::dir() const noexcept { return core_->dir(); }
WANDB_IMAGEMASK_INLINE std::filesystem::path OfflineRun::files_dir() const { return core_->files_dir(); }
WANDB_IMAGEMASK_INLINE std::filesystem::path OfflineRun::log_path() const { return core_->log_path(); }
WANDB_IMAGEMASK_INLINE std::string OfflineRun::sync_command() const { return core_->sync_command(); }
WANDB_IMAGEMASK_INLINE std::int64_t OfflineRun::next_step() const { return core_->next_step(); }
WANDB_IMAGEMASK_INLINE std::size_t OfflineRun::media_threads() const noexcept { return core_->media_threads(); }

WANDB_NAMESPACE_END
