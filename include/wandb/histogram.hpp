// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::Histogram`: a histogram to log, the C++ `wandb.Histogram(sequence, num_bins=64)` and
/// `wandb.Histogram(np_histogram=(counts, bin_edges))` (the SDK's `data_types/histogram.py`).
/// Its payload is `{"_type": "histogram", "values": [counts], "bins": [edges]}` in a run's
/// history and in a table alike; it has no files.

#include <cstddef>
#include <cstdint>
#include <vector>

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
    explicit Histogram(const std::vector<double>& values, std::size_t num_bins = default_bins);

    /// A histogram from counts and bin edges, as `np.histogram` returns them
    /// (`wandb.Histogram(np_histogram=(counts, bin_edges))`).
    /// \throws wandb::ValidationError  if there are no counts or more than 512, the edges are not
    ///         one more than the counts, an edge is not finite, or the edges do not increase.
    Histogram(std::vector<std::int64_t> counts, std::vector<double> bin_edges);

    /// \copydoc Histogram(std::vector<std::int64_t>, std::vector<double>)
    /// Counts may be fractional (weighted or density histograms); each must be finite.
    Histogram(const std::vector<double>& counts, std::vector<double> bin_edges);

    /// The counts, one per bin (integers, or the numbers given).
    const Json& values() const noexcept { return values_; }
    /// The bin edges, one more than the counts, increasing.
    const std::vector<double>& bins() const noexcept { return bins_; }

    /// The payload W&B reads, in the SDK's key order: `{"_type": "histogram", "values", "bins"}`.
    Json to_json() const;

private:
    static constexpr const char* who = "wandb::Histogram";

    static void check_bin_count(std::size_t bins);
    static void check_counts_and_edges(std::size_t counts, const std::vector<double>& edges);

    /// numpy's `linspace(start, stop, bins + 1)`: edge i is i * step + start, the last one stop.
    static std::vector<double> linspace(double start, double stop, std::size_t bins);

    Json values_;
    std::vector<double> bins_;
};

/// `json j = histogram;`: the payload, as Histogram::to_json (a histogram is the same in a run's
/// history and in a table, so lists and nested values may hold it as JSON).
void to_json(Json& j, const Histogram& h);

WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "histogram-inl.hpp"
#endif
