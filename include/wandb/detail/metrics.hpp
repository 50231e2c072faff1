// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// define_metric's machinery, as wandb-core's handler runs it for every row it writes
/// (`core/internal/runmetric`, `core/internal/runsummary`): metric definitions merged from
/// MetricRecords, globs expanded into metrics of their own, step metrics synced into rows, and the
/// summary of each defined metric computed from the values it takes. The offline run must do this
/// itself: wandb-core's sync has no handler, so a synced run's summary is what its log holds.
///
/// Facts, from wandb-core's source (and, for "best", the Python SDK's legacy handler, since
/// wandb-core keeps no best value):
/// - a definition with a name merges into the earlier one of that name unless `_control.overwrite`
///   (`definedMetric.With`): step_sync and hidden once true stay true, a step metric replaces the
///   earlier one, a summary sets `none` and adds its kinds, a goal replaces the earlier one;
/// - a metric's summary lives at its name split on dots not preceded by a backslash
///   (`splitEscapedDottedMetricName`): `val.iou` is `{"val": {"iou": ...}}`, `a\.b` the key `a.b`;
///   a row's leaf is matched to a definition by its labels joined with dots;
/// - a glob is a name ending in `*`, matched as a prefix (`matchGlobMetric`) against each leaf of a
///   row not starting with `_` and not defined yet; a match defines the leaf's metric and writes
///   its MetricRecord (`ToRecord`, `_control.overwrite`, `expanded_from_glob`) before the row;
/// - a summary with kinds is an object of those kinds (`metricSummary.ToMarshallableValue`): `min`,
///   `max` and `mean` (the sum over the count) over the numbers logged, `last`, `first`; without
///   kinds it is the last value; `none` writes no summary at all;
/// - with step_sync, a row holding the metric but not its step metric gets the step metric's latest
///   value (`InsertStepMetrics`), a float, 0 before the step metric was ever logged.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../json.hpp"
#include "../version.hpp"
#include "records.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// A metric's name as the path of its summary: split on dots, `\.` a literal dot
/// (wandb-core `splitEscapedDottedMetricName`; a backslash before another character stays).
inline std::vector<std::string> metric_path(const std::string& name) {
    std::vector<std::string> parts;
    std::string part;
    bool escaped = false;
    for (const char c : name) {
        if (!escaped) {
            if (c == '.') {
                parts.push_back(part);
                part.clear();
            } else if (c == '\\') {
                escaped = true;
            } else {
                part += c;
            }
        } else {
            if (c != '.') part += '\\';
            part += c;
            escaped = false;
        }
    }
    if (!part.empty()) parts.push_back(part);
    return parts;
}

/// A step metric's name as a path: split on every dot (wandb-core `strings.Split(key, ".")`).
inline std::vector<std::string> dotted_path(const std::string& name) {
    std::vector<std::string> parts(1);
    for (const char c : name) {
        if (c == '.')
            parts.emplace_back();
        else
            parts.back() += c;
    }
    return parts;
}

/// A row's leaf path as the key that names its metric: the labels joined with dots.
inline std::string metric_key(const std::vector<std::string>& path) {
    std::string key;
    for (std::size_t i = 0; i < path.size(); ++i) key += (i ? "." : "") + path[i];
    return key;
}

/// The summary kinds a metric keeps (wandb-core `runsummary.SummaryTypeFlags`, plus best).
enum SummaryKind : unsigned { kind_last = 1, kind_min = 2, kind_max = 4, kind_mean = 8, kind_first = 16, kind_best = 32 };

/// One metric's definition (wandb-core `runmetric.definedMetric`), with `best` and its goal.
struct MetricDefinition {
    bool step_sync = false;
    std::string step;  ///< the step metric's name
    bool hidden = false;
    bool is_explicit = false;  ///< defined by name, not by a glob
    bool no_summary = false;
    unsigned kinds = 0;  ///< SummaryKind bits
    MetricGoal goal = MetricGoal::unset;

    /// This definition updated by `record` (`definedMetric.With`; best kept as the SDK records it).
    MetricDefinition with(const MetricRecord& record) const {
        MetricDefinition m = *this;
        m.step_sync = m.step_sync || (record.options && record.options->step_sync);
        m.hidden = m.hidden || (record.options && record.options->hidden);
        if (!record.step_metric.empty()) m.step = record.step_metric;
        if (record.summary) {
            const MetricSummary& s = *record.summary;
            m.no_summary = s.none;
            m.kinds |= (s.min ? kind_min : 0u) | (s.max ? kind_max : 0u) | (s.mean ? kind_mean : 0u) |
                       (s.last ? kind_last : 0u) | (s.first ? kind_first : 0u) | (s.best ? kind_best : 0u);
        }
        if (record.goal != MetricGoal::unset) m.goal = record.goal;
        if (!record.name.empty()) m.is_explicit = true;
        return m;
    }

    /// The MetricRecord wandb-core writes for a metric a glob defined (`definedMetric.ToRecord`):
    /// the whole definition, `_control.overwrite`, `expanded_from_glob`; no best (wandb-core has none).
    MetricRecord expanded_record(const std::string& name) const {
        MetricRecord r;
        r.name = name;
        r.step_metric = step;
        r.options = MetricOptions{step_sync, hidden, is_explicit};
        r.control = MetricControl{true};
        MetricSummary s;
        s.none = no_summary;
        s.min = kinds & kind_min;
        s.max = kinds & kind_max;
        s.mean = kinds & kind_mean;
        s.last = kinds & kind_last;
        s.first = kinds & kind_first;
        r.summary = s;
        r.goal = goal;
        r.expanded_from_glob = true;
        return r;
    }
};

/// The summary of one defined metric (wandb-core `runsummary.metricSummary`, and best as the
/// Python SDK's legacy handler keeps it: the least value, or the greatest with goal maximize,
/// NaN skipped).
struct MetricSummaryState {
    unsigned kinds = 0;
    bool no_summary = false;
    bool maximize = false;
    Json latest, first, best;
    double min = 0, max = 0, total = 0;
    std::int64_t count = 0;
    bool has_data = false, has_best = false;

    /// Takes the definition's kinds (`RunSummary.ConfigureMetric`); the values so far stay.
    void configure(const MetricDefinition& d) {
        kinds = d.kinds;
        no_summary = d.no_summary;
        maximize = d.goal == MetricGoal::maximize;
    }

    /// A logged value of the metric (`UpdateFloat`, `UpdateInt`, `UpdateOther`).
    void update(const Json& value) {
        latest = value;
        if (!has_data) first = value;
        has_data = true;
        if (!value.is_number()) return;
        const double v = value.get<double>();
        // Go's min and max: NaN if either is NaN.
        min = count == 0 ? v : (std::isnan(min) || std::isnan(v) ? std::nan("") : std::min(min, v));
        max = count == 0 ? v : (std::isnan(max) || std::isnan(v) ? std::nan("") : std::max(max, v));
        total += v;
        ++count;
        if (!std::isnan(v) && (!has_best || (maximize ? v > best.get<double>() : v < best.get<double>()))) {
            best = value;
            has_best = true;
        }
    }

    /// A value set by update_summary: the summary is that value from now on (`SetExplicit`).
    void set_explicit(const Json& value) {
        latest = value;
        kinds = 0;
        has_data = true;
    }

    /// The summary value, or nothing (`ToMarshallableValue`): `none` or no data gives nothing; no
    /// kinds, or a value that is not a number, the last value; else an object of the kinds, in
    /// alphabetical order (as Go writes a map), min, max and mean over the numbers; only best
    /// asked for and every number NaN: the last value.
    std::optional<Json> value() const {
        if (no_summary || !has_data) return std::nullopt;
        if (kinds == 0 || count == 0 || (kinds == kind_best && !has_best)) return latest;
        Json s = Json::object();
        if ((kinds & kind_best) && has_best) s["best"] = best;
        if (kinds & kind_first) s["first"] = first;
        if (kinds & kind_last) s["last"] = latest;
        if (kinds & kind_max) s["max"] = max;
        if (kinds & kind_mean) s["mean"] = total / static_cast<double>(count);
        if (kinds & kind_min) s["min"] = min;
        return s;
    }
};

}  // namespace detail
WANDB_NAMESPACE_END
