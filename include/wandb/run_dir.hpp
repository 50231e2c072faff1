// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// An offline run directory on disk, as the tools that check, repair and sync it see it: its
/// transaction log, whether a writer still has it open, and whether `wandb sync` marked it synced.

#include <filesystem>

#include "error.hpp"
#include "version.hpp"

WANDB_NAMESPACE_BEGIN

/// The transaction log of a run: `path` itself if it is a `.wandb` file, else the one `*.wandb`
/// file directly in the directory `path` (the SDK and this library write `run-<id>.wandb`).
/// \throws wandb::ValidationError  if `path` is neither, e.g.
///   "wandb::find_run_log: /data/x holds no .wandb log: not a run directory", or if the
///   directory holds several logs (name the one you mean).
/// \throws wandb::IoError  if the directory cannot be listed.
std::filesystem::path find_run_log(const std::filesystem::path& path);

/// The marker `wandb sync` creates beside a log it uploaded, `<log>.synced`, e.g.
/// `run-ab12cd34.wandb.synced` (`core/internal/runsync/runsyncer.go` markSynced; the CLI skips logs
/// that have one: `wandb/cli/beta_sync.py` _is_synced).
std::filesystem::path synced_marker(const std::filesystem::path& log);

/// Whether a live writer holds the log's advisory lock: the library's writer takes
/// `flock(LOCK_EX)` on the log while the run is open, and the lock ends with the writing process.
/// W&B's own SDK takes no such lock, so its runs never show as being written. False when the log
/// cannot be opened or the file system has no locks.
bool log_is_being_written(const std::filesystem::path& log);

WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "run_dir-inl.hpp"
#endif
