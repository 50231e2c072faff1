// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// History and summary items as wandb-core writes them: one item per leaf of the row, its
/// `nested_key` the path of labels to the leaf and its `value_json` the leaf's JSON text
/// (`core/internal/runhistory/runhistory.go` ToRecords; `runsummary.go` UpdateSummaries).
///
/// Facts, from wandb-core's source:
/// - a leaf is any value that is not a JSON object: numbers, strings, bools, null, and arrays
///   (an array of objects is one leaf);
/// - an object is walked key by key (`setFromUnmarshalledJSON`), so an empty object has no leaf
///   and leaves no item at all;
/// - every item has `nested_key`, one label per level, also at the top level (`["loss"]`); a key
///   such as `val/examples` is one label (nothing splits on `/` or `.`).

#include <string>
#include <vector>

#include "../json.hpp"
#include "../version.hpp"
#include "json_text.hpp"
#include "records.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// Appends one item per leaf of `value` to `out`, each named `path` + the labels below it.
/// `path` is restored before returning.
inline void append_leaf_items(const Json& value, std::vector<std::string>& path, std::vector<RecordItem>& out) {
    if (!value.is_object()) {
        out.push_back({std::string(), path, json_text(value)});
        return;
    }
    for (auto it = value.begin(); it != value.end(); ++it) {
        path.push_back(it.key());
        append_leaf_items(it.value(), path, out);
        path.pop_back();
    }
}

/// Appends one item per leaf of the object `row` to `out`, in the row's key order, depth first.
inline void append_leaf_items(const Json& row, std::vector<RecordItem>& out) {
    std::vector<std::string> path;
    append_leaf_items(row, path, out);
}

/// Whether `value` has a leaf: it is not an object, or one of its values has a leaf.
inline bool has_leaf(const Json& value) {
    if (!value.is_object()) return true;
    for (const Json& v : value)
        if (has_leaf(v)) return true;
    return false;
}

/// Sets every leaf of the object `values` at its path in `target`, as wandb-core's run summary
/// takes a row's leaves: a nested object adds to the object already there (making one where
/// there is none, or where a non-object was), a leaf replaces what was at its path, and an empty
/// object changes nothing.
inline void merge_leaves(Json& target, const Json& values) {
    if (!target.is_object()) target = Json::object();
    for (auto it = values.begin(); it != values.end(); ++it) {
        const Json& v = it.value();
        if (!v.is_object()) {
            target[it.key()] = v;
        } else if (has_leaf(v)) {
            merge_leaves(target[it.key()], v);
        }
    }
}

}  // namespace detail
WANDB_NAMESPACE_END
