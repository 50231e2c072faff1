// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Definitions of run_options.hpp: OfflineRunOptions' special members, out of line so that a
/// user's file in compiled mode does not compile them.

#include "run_options.hpp"

WANDB_NAMESPACE_BEGIN

WANDB_IMAGEMASK_INLINE OfflineRunOptions::OfflineRunOptions() = default;
WANDB_IMAGEMASK_INLINE OfflineRunOptions::OfflineRunOptions(const OfflineRunOptions& other) = default;
WANDB_IMAGEMASK_INLINE OfflineRunOptions::OfflineRunOptions(OfflineRunOptions&& other) noexcept = default;
WANDB_IMAGEMASK_INLINE OfflineRunOptions& OfflineRunOptions::operator=(const OfflineRunOptions& other) = default;
WANDB_IMAGEMASK_INLINE OfflineRunOptions& OfflineRunOptions::operator=(OfflineRunOptions&& other) noexcept = default;
WANDB_IMAGEMASK_INLINE OfflineRunOptions::~OfflineRunOptions() = default;

WANDB_NAMESPACE_END
