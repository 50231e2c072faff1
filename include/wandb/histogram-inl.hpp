// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of histogram.hpp: numpy's binning and the checks of counts and edges.

#include "histogram.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "detail/text.hpp"
#include "error.hpp"

WANDB_NAMESPACE_BEGIN

WANDB_IMAGEMASK_INLINE Histogram::Histogram(const std::vector<double>& values, std::size_t num_bins) {
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

WANDB_IMAGEMASK_INLINE Histogram::Histogram(std::vector<std::int64_t> counts, std::vector<double> bin_edges) {
    check_counts_and_edges(counts.size(), bin_edges);
    values_ = Json(counts);
    bins_ = std::move(bin_edges);
}

WANDB_IMAGEMASK_INLINE Histogram::Histogram(const std::vector<double>& counts, std::vector<double> bin_edges) {
    check_counts_and_edges(counts.size(), bin_edges);
    for (std::size_t i = 0; i < counts.size(); ++i)
        if (!std::isfinite(counts[i]))
            throw ValidationError(std::string(who) + ": count " + detail::number_text(counts[i]) + " at index " +
                                  std::to_string(i) + " is not finite");
    values_ = Json(counts);
    bins_ = std::move(bin_edges);
}

WANDB_IMAGEMASK_INLINE Json Histogram::to_json() const {
    Json j = Json::object();
    j["_type"] = "histogram";
    j["values"] = values_;
    j["bins"] = bins_;
    return j;
}

WANDB_IMAGEMASK_INLINE void Histogram::check_bin_count(std::size_t bins) {
    if (bins == 0 || bins > max_bins)
        throw ValidationError(std::string(who) + ": " + std::to_string(bins) + " bins; W&B takes 1.." +
                              std::to_string(max_bins));
}

WANDB_IMAGEMASK_INLINE void Histogram::check_counts_and_edges(std::size_t counts, const std::vector<double>& edges) {
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

WANDB_IMAGEMASK_INLINE std::vector<double> Histogram::linspace(double start, double stop, std::size_t bins) {
    std::vector<double> edges(bins + 1);
    const double delta = stop - start;
    const double step = delta / static_cast<double>(bins);
    for (std::size_t i = 0; i <= bins; ++i)
        edges[i] = step == 0 ? static_cast<double>(i) / static_cast<double>(bins) * delta + start
                             : static_cast<double>(i) * step + start;
    edges[bins] = stop;
    return edges;
}

WANDB_IMAGEMASK_INLINE void to_json(Json& j, const Histogram& h) { j = h.to_json(); }

WANDB_NAMESPACE_END
