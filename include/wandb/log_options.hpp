// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::LogOptions` (the `step` and `commit` arguments of the SDK's `run.log`) and
/// `wandb::MetricOptions` (the arguments of `run.define_metric`).

#include <cstdint>
#include <optional>
#include <string>

#include "version.hpp"

WANDB_NAMESPACE_BEGIN

/// The `step` and `commit` arguments of `run.log(data, step=None, commit=None)`, with the SDK's
/// rules (wandb_run.py `Run.log`, wandb-core `handlePartialHistorySync`): the run has one open
/// row, at the current step. A call adds its values to that row (a key logged again replaces the
/// leaves it holds); a `step` greater than the current one first writes the open row and moves to
/// `step`; `commit` then writes the row and moves to the next step. `commit` defaults to true
/// without a step and to false with one. In C++17: `run.log(row, {{}, false})` is
/// `commit=False`, `run.log(row, {7, true})` is `step=7, commit=True`.
struct LogOptions {
    std::optional<std::int64_t> step;  ///< the row's step; unset = the current step
    std::optional<bool> commit;        ///< write the row now; unset = true without a step, false with one
};

/// The arguments of `run.define_metric(name, step_metric=..., step_sync=..., hidden=...,
/// summary=..., goal=..., overwrite=...)`, with the SDK's spelling (wandb_run.py
/// `_define_metric`); see OfflineRun::define_metric.
struct MetricOptions {
    /// Another metric to use as this one's x-axis ("" = none); a dotted name is nested
    /// (`"train.epoch"` is `{"train": {"epoch": ...}}`), `\.` is a literal dot.
    std::string step_metric;
    /// Put the step metric's latest value into rows that hold this metric but not the step
    /// metric; unset = true when step_metric is set.
    std::optional<bool> step_sync;
    bool hidden = false;  ///< hide the metric from the automatic charts
    /// Comma-separated summaries, any case: "min", "max", "mean", "last", "first", "best" (with
    /// `goal`), "copy", "none" (no summary at all); "" = the last value, as without define_metric.
    std::string summary;
    /// For "best": "minimize" or "maximize" (the SDK reads the first three letters, any case);
    /// "" = minimize.
    std::string goal;
    /// Replace an earlier definition of the same name instead of merging with it.
    bool overwrite = false;
};

WANDB_NAMESPACE_END
