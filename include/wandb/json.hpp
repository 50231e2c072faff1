// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The JSON type of every payload the library produces.

#include <nlohmann/json.hpp>

#include "version.hpp"

WANDB_NAMESPACE_BEGIN

/// A JSON value that keeps keys in insertion order, as the W&B Python SDK's dicts do, so that a
/// payload's text matches the SDK's key for key. Converts to and from `nlohmann::json`.
using Json = nlohmann::ordered_json;

WANDB_NAMESPACE_END
