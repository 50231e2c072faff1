// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::Histogram`: a histogram to log, the C++ `wandb.Histogram(sequence, num_bins=64)` and
/// `wandb.Histogram(np_histogram=(counts, bin_edges))` (the SDK's `data_types/histogram.py`).
/// Its payload is `{"_type": "histogram", "values": [counts], "bins": [edges]}` in a run's
/// history and in a table alike; it has no files.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "detail/text.hpp"
#include "error.hpp"
#include "json.hpp"

WANDB_NAMESPACE_BEGIN

/// Counts of values in consecutive bins, with the bins' edges. Validated on construction;
/// immutable afterwards.
class Histogram {
public:
    /// The most bins the SDK accepts (`Histogram.MAX_LENGTH`).
    static constexpr std::size_t max_bins = 512;
    /// The SDK's default number of bins.
    static constexpr std::size_t default_bins = 64;

    /// The histogram of `values` in `num_bins` equal bins over [min, max], computed as numpy's
    /// `np.histogram(values, bins=num_bins)` computes it (the last bin includes its right edge;
    /// no values: bins over [0, 1]; all values equal to v: over [v - 0.5, v + 0.5]).
    /// \throws wandb::ValidationError  if num_bins is 0 or over 512, or a value is NaN or infinite
    ///         (its index named).
    explicit Histogram(const std::vector<double>& values, std::size_t num_bins = default_bins) {
        check_bin_count(num_bins);
        for (std::size_t i = 0; i < values.size(); ++i)
            if (!std::isfinite(values[i]))
                throw ValidationError(std::string(who) + ": value " + detail::number_text(values[i]) + " at index " +
                                      std::to_string(i) + " is not finite");
        double first = 0, last = 1;
        if (!values.empty()) {
            first = last = values.front();
            for (const double v : values) {
                first = std::min(first, v);
                last = std::max(last, v);
            }
        }
        if (first == last) {
            first -= 0.5;
            last += 0.5;
        }
        bins_ = linspace(first, last, num_bins);
        std::vector<std::int64_t> counts(num_bins, 0);
        // numpy's fast path for equal bins: an index from the scaled distance, then corrected by
        // comparing with the edges themselves (the scaling can be one ULP off at an edge).
        const double norm = static_cast<double>(num_bins) / (last - first);
        const auto n = static_cast<std::ptrdiff_t>(num_bins);
        for (const double v : values) {
            auto i = static_cast<std::ptrdiff_t>((v - first) * norm);
            if (i == n) --i;
            if (v < bins_[static_cast<std::size_t>(i)]) --i;
            if (v >= bins_[static_cast<std::size_t>(i) + 1] && i != n - 1) ++i;
            ++counts[static_cast<std::size_t>(i)];
        }
        values_ = Json(counts);
    }

    /// A histogram from counts and bin edges, as `np.histogram` returns them
    /// (`wandb.Histogram(np_histogram=(counts, bin_edges))`).
    /// \throws wandb::ValidationError  if there are no counts or more than 512, the edges are not
    ///         one more than the counts, an edge is not finite, or the edges do not increase.
    Histogram(std::vector<std::int64_t> counts, std::vector<double> bin_edges) {
        check_counts_and_edges(counts.size(), bin_edges);
        values_ = Json(counts);
        bins_ = std::move(bin_edges);
    }

    /// \copydoc Histogram(std::vector<std::int64_t>, std::vector<double>)
    /// Counts may be fractional (weighted or density histograms); each must be finite.
    Histogram(const std::vector<double>& counts, std::vector<double> bin_edges) {
        check_counts_and_edges(counts.size(), bin_edges);
        for (std::size_t i = 0; i < counts.size(); ++i)
            if (!std::isfinite(counts[i]))
                throw ValidationError(std::string(who) + ": count " + detail::number_text(counts[i]) + " at index " +
                                      std::to_string(i) + " is not finite");
        values_ = Json(counts);
        bins_ = std::move(bin_edges);
    }

    /// The counts, one per bin (integers, or the numbers given).
    const Json& values() const noexcept { return values_; }
    /// The bin edges, one more than the counts, increasing.
    const std::vector<double>& bins() const noexcept { return bins_; }

    /// The payload W&B reads, in the SDK's key order: `{"_type": "histogram", "values", "bins"}`.
    Json to_json() const {
        Json j = Json::object();
        j["_type"] = "histogram";
        j["values"] = values_;
        j["bins"] = bins_;
        return j;
    }

private:
    static constexpr const char* who = "wandb::Histogram";

    static void check_bin_count(std::size_t bins) {
        if (bins == 0 || bins > max_bins)
            throw ValidationError(std::string(who) + ": " + std::to_string(bins) + " bins; W&B takes 1.." +
                                  std::to_string(max_bins));
    }

    static void check_counts_and_edges(std::size_t counts, const std::vector<double>& edges) {
        check_bin_count(counts);
        if (edges.size() != counts + 1)
            throw ValidationError(std::string(who) + ": " + std::to_string(edges.size()) + " bin edges for " +
                                  std::to_string(counts) + " counts; there must be one edge more than counts");
        for (std::size_t i = 0; i < edges.size(); ++i) {
            if (!std::isfinite(edges[i]))
                throw ValidationError(std::string(who) + ": bin edge " + detail::number_text(edges[i]) + " at index " +
                                      std::to_string(i) + " is not finite");
            if (i > 0 && !(edges[i] > edges[i - 1]))
                throw ValidationError(std::string(who) + ": bin edge " + detail::number_text(edges[i]) + " at index " +
                                      std::to_string(i) + " is not greater than the one before, " +
                                      detail::number_text(edges[i - 1]) + "; edges must increase");
        }
    }

    /// numpy's `linspace(start, stop, bins + 1)`: edge i is i * step + start, the last one stop.
    static std::vector<double> linspace(double start, double stop, std::size_t bins) {
        std::vector<double> edges(bins + 1);
        const double delta = stop - start;
        const double step = delta / static_cast<double>(bins);
        for (std::size_t i = 0; i <= bins; ++i)
            edges[i] = step == 0 ? static_cast<double>(i) / static_cast<double>(bins) * delta + start
                                 : static_cast<double>(i) * step + start;
        edges[bins] = stop;
        return edges;
    }

    Json values_;
    std::vector<double> bins_;
};

/// `json j = histogram;`: the payload, as Histogram::to_json (a histogram is the same in a run's
/// history and in a table, so lists and nested values may hold it as JSON).
inline void to_json(Json& j, const Histogram& h) { j = h.to_json(); }

WANDB_NAMESPACE_END
