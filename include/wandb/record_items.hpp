// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Reading the items of History, Summary and Config records back into the values they hold.
///
/// A record's items name their value either by `key` (the whole value as JSON, as the Python SDK
/// writes config and explicit summary updates) or by `nested_key` (one item per leaf, as
/// wandb-core writes history and summary rows: `["val", "iou"]` -> `{"val": {"iou": ...}}`).
/// `value_json` is JSON extended with the bare tokens `NaN`, `Infinity` and `-Infinity`, which
/// both W&B writers emit for non-finite numbers.

#include <string_view>

#include "error.hpp"
#include "json.hpp"
#include "version.hpp"

WANDB_NAMESPACE_BEGIN

/// Parses a `value_json` text: JSON plus the bare tokens NaN, Infinity and -Infinity (read as the
/// double values they name; nlohmann::json dumps those as null, detail::json_text writes them back).
/// Objects keep their key order; a repeated key keeps its last value.
/// \throws wandb::FormatError  naming the byte offset, e.g.
///   "wandb::parse_value_json: expected ',' or '}' at byte 7 of 9".
Json parse_value_json(std::string_view text);

/// Reassembles the items of one History, Summary or Config record, as `decode_record` gives them
/// (an array of `{"key" | "nested_key", "value_json"}` objects), into the one object they describe:
/// `[{"nested_key":["val","iou"],"value_json":"0.5"},{"nested_key":["loss"],"value_json":"1"}]`
/// -> `{"val":{"iou":0.5},"loss":1}`. Items are applied in order, each value placed at its path
/// (missing objects on the way are made, and a non-object in the way is replaced by one); a later
/// item replaces what an earlier one placed at the same path.
/// \throws wandb::FormatError  if `items` is not an array of objects, an item has neither `key`
///   nor `nested_key`, or a `value_json` does not parse, e.g.
///   "wandb::items_to_object: item 2 has neither key nor nested_key".
Json items_to_object(const Json& items);

WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "record_items-inl.hpp"
#endif
