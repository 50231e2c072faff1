// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::LogOptions` (the `step` and `commit` arguments of the SDK's `run.log`).

#include <cstdint>
#include <optional>

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

WANDB_NAMESPACE_END
