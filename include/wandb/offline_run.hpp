// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::OfflineRun`: a W&B run written to disk as the Python SDK writes an offline run, for the
/// standard `wandb sync <run dir>` to upload later (the usual way on air-gapped clusters). The
/// class is a facade: what it does is internal/run_core.hpp's (offline_run-inl.hpp holds the
/// definitions).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "json.hpp"
#include "log_options.hpp"
#include "row.hpp"
#include "run_options.hpp"
#include "version.hpp"

WANDB_NAMESPACE_BEGIN

namespace detail {
class RunCore;
}  // namespace detail

/// An offline W&B run: `<root>/wandb/offline-run-<YYYYMMDD_HHMMSS>-<id>/` with the transaction
/// log `run-<id>.wandb` and `files/` (media, config.yaml, wandb-summary.json, wandb-metadata.json).
/// Rows are built as the SDK builds them: the run has one open row, at the current step, that
/// `log` calls add to and that is written when it closes (a greater step, a commit, `finish`, the
/// destructor); see LogOptions. Every record reaches the operating system before the call that
/// wrote it returns, so a process killed at any moment leaves a log whose complete records all
/// read back; what it loses is the open row at most (its media files and Files records are
/// written by the call that logged them, its History and Summary records are not). `log`,
/// `update_config` and `update_summary` may be called from several threads; their records never
/// interleave.
class OfflineRun {
public:
    /// Creates the run directory and log and writes the Header, Run and Environment records. Facts about the
    /// machine and process (arguments, host, current directory) are written with invalid UTF-8
    /// replaced by U+FFFD, so they never fail a run. If anything fails, the log and directories
    /// this constructor created are removed again.
    /// A run id follows W&B's rules (wandb_settings.py `validate_run_id`): not empty, no leading or
    /// trailing white space, none of `: ; , # ? / ' \ %`; and ours: UTF-8 without control
    /// characters, not `.` or `..` (a run's URL ends with its id), and at most 227 bytes (the run
    /// directory's name, `offline-run-<YYYYMMDD_HHMMSS>-<id>`, must fit in 255).
    /// With `resume` allow or must, the earlier fragments of the id below the same root (read in
    /// order of start time; one killed without Exit counts up to its last complete record) are
    /// continued: the Run record has `resumed` and `starting_step` (their last step + 1, the step
    /// the next `log(row)` uses), the config starts as theirs (the keys of `options.config`
    /// replace theirs), and their summary is written as this fragment's first Summary record.
    /// A fragment started in the same second as the last one waits for the next second, so that
    /// its directory is its own. define_metric definitions and their summary state do not carry over.
    /// \throws wandb::ValidationError  for a bad option (run id as above; project or entity with
    ///         one of / \ # ? % :; a tag empty, over 64 characters or with a control character;
    ///         config not an object, with the reserved key `_wandb`, or a value refused as `log`
    ///         refuses one; text that is not UTF-8; media_threads over 1024), or when the run
    ///         directory already holds a log of this id (two runs with one id in the same second,
    ///         without resume); for resume allow or must with an empty run_id, must without an
    ///         earlier fragment, or a fragment that a live process still writes;
    ///         wandb::FormatError  if an earlier fragment's log is corrupt (not merely cut short);
    ///         wandb::IoError  if the current directory is gone or the directory or log cannot be
    ///         created or written.
    explicit OfflineRun(OfflineRunOptions options = {});

    OfflineRun(const OfflineRun&) = delete;
    OfflineRun& operator=(const OfflineRun&) = delete;
    /// A run moves with its directory, log and threads; the one moved from is empty (only
    /// destroying it or assigning to it is allowed).
    OfflineRun(OfflineRun&&) noexcept;
    /// \copydoc OfflineRun(OfflineRun&&)
    OfflineRun& operator=(OfflineRun&&) noexcept;

    /// Finishes the run if `finish` was not called or failed: exit code 1 when an exception is unwinding
    /// (the run shows as failed in W&B), else 0. Errors are swallowed here; call `finish` to see them.
    ~OfflineRun();

    /// `run.log(row)`: adds the row to the open row at the current step (0, 1, 2, ...) and writes
    /// it. Media are written below `files/media/` at this call, named by the step, each file
    /// announced in a Files record (a Table becomes a staged `run_table` artifact, its Artifact
    /// record and a run-side file, as the SDK logs one); the row is written as a History record
    /// with the values plus `_step`, `_runtime` and `_timestamp`, then a Summary record (those
    /// values and `_wandb.runtime`), each with one `nested_key` item per leaf as wandb-core writes
    /// them (an empty object has no leaf, so it is not recorded); mask and box class labels go to
    /// the config (`_wandb`) when they change.
    /// \throws wandb::ValidationError  for a bad key (empty, not UTF-8, control characters, a
    ///         duplicate in this row, or reserved: _step, _runtime, _timestamp, _wandb), a JSON
    ///         value that is not UTF-8, discarded, binary or nested deeper than 256 levels, a list
    ///         of images that is empty, over 108 or of different sizes, a current step of 2^63 - 1,
    ///         or a finished run; nothing is written then.
    ///         wandb::IoError  if a file or the log cannot be written; the log stays readable and
    ///         the call is not logged at all: its records are not in the log, the media files it
    ///         wrote are removed again, and the open row, the step and the values are as before.
    void log(const Row& row);

    /// `run.log(row, step=step)`: as `log(row, {step, std::nullopt})`: the row joins the open row
    /// of `step` (a greater step first writes the open row) and stays open, as in the SDK.
    /// \throws as log(row, options).
    void log(const Row& row, std::int64_t step);

    /// `run.log(row, step=..., commit=...)` (see LogOptions): with `options.step` greater than
    /// the current step the open row is written first and `step` becomes the current step; the
    /// row's values join the open row (a key logged again in one open row replaces the leaves it
    /// had, as wandb-core merges a step's calls); with `commit` (default: true without a step,
    /// false with one) the row is written and the next step is current.
    /// \throws wandb::ValidationError  as log(row), and for a step less than the current one
    ///         (the SDK drops such a row with a warning; here it is an error, so the loss of data
    ///         is seen), a negative step, or the largest int64 (steps go up to 2^63 - 2).
    void log(const Row& row, const LogOptions& options);

    /// Sets config values (top-level keys replace earlier ones) and records them.
    /// \throws wandb::ValidationError  if `values` is not an object, uses the reserved key
    ///         `_wandb`, or holds a key or value refused as `log` refuses them; wandb::IoError as
    ///         for log (the values are then not set).
    void update_config(const Json& values);

    /// Sets summary values (the numbers a run's table shows), replacing logged ones per key.
    /// \throws as update_config; the keys `_step`, `_runtime` and `_timestamp` are reserved too.
    void update_summary(const Json& values);

    /// `run.define_metric(name, ...)`: writes the SDK's MetricRecord now (wandb_metric.py
    /// `Metric._commit`), and from now on, as wandb-core's handler does for every row (the sync of
    /// an offline run derives nothing): a name ending in `*` is a glob that defines every key it
    /// matches as a prefix (a MetricRecord of its own before the first row holding it); a dotted
    /// name is a nested key (`\.` a literal dot); with `step_sync`, a row holding the metric but
    /// not its step metric gets the step metric's latest value; the row's Summary record holds the
    /// metric's summary, `{"min": ..., "max": ..., "mean": ..., "last": ..., "first": ...,
    /// "best": ...}` with the kinds asked for, computed over the numbers logged from now on (none:
    /// no summary; no kinds, or no number yet: the last value). A definition merges into an
    /// earlier one of the name unless `overwrite`. An update_summary of the key sets its summary
    /// to that value from then on, as in wandb-core.
    /// \throws wandb::ValidationError  for an empty name, a `*` before the end, a name of dots
    ///         only, text that is not UTF-8, a summary kind or goal the SDK does not know (named),
    ///         or a finished run; wandb::IoError  if the log cannot be written.
    void define_metric(const std::string& name, const MetricOptions& options = {});

    /// Stops the system-metrics sampler (its last Stats record lands before the Exit record), writes
    /// `files/config.yaml` and `files/wandb-summary.json`, then the open row (if any), a Summary record with the
    /// runtime (`_wandb.runtime`, `_runtime`, as wandb-core's handler writes it at exit), the Exit
    /// and Final records (in one write), fsyncs the log, and prints the `wandb sync` command (unless quiet). Each
    /// call is all or nothing: if any of it fails, the files it wrote are removed and the records
    /// are not in the log, so `finish` can be called again (the destructor tries once more).
    /// After the first call that succeeds, waits for the live sync (at most `live_sync_timeout`,
    /// outside the lock: the child reads the Exit record and ends). Later calls do nothing.
    /// \throws wandb::IoError  if the records or files cannot be written.
    void finish(int exit_code = 0);

    /// The run id.
    const std::string& id() const noexcept;
    /// The run directory, absolute.
    const std::filesystem::path& dir() const noexcept;
    /// The run's `files/` directory.
    std::filesystem::path files_dir() const;
    /// The transaction log, `run-<id>.wandb`.
    std::filesystem::path log_path() const;
    /// The command that uploads the run: `wandb sync <dir>`.
    std::string sync_command() const;
    /// The current step: the open row's, or the one the next `log(row)` will use.
    std::int64_t next_step() const;
    /// Threads encoding one log call's media (the calling thread included).
    std::size_t media_threads() const noexcept;

private:
    std::unique_ptr<detail::RunCore> core_;
};

WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "offline_run-inl.hpp"
#endif
