// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::Table`: rows of numbers, strings, booleans, nulls, JSON values and images with their
/// masks and boxes, the C++ `wandb.Table(columns=[...])` + `table.add_data(...)`. Column types are
/// inferred and checked row by row exactly as the SDK's `_dtypes` do (see detail/dtypes.hpp), so a
/// row the SDK would reject is rejected here, with a message naming the row, column and types.
/// Logging a table to a run is detail/table_artifact.hpp's `stage_table_for_run`.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "internal/dtypes.hpp"
#include "detail/json_check.hpp"
#include "detail/text.hpp"
#include "detail/utf8.hpp"
#include "error.hpp"
#include "histogram.hpp"
#include "image.hpp"
#include "json.hpp"

WANDB_NAMESPACE_BEGIN

/// One cell of a Table: null, a boolean, a number (integer or floating point), a string, any JSON
/// value (object, array, ...), an Image or a Histogram. Built implicitly, so a row reads like Python's:
/// `table.add_data({1, "cat", 0.5, masked_image, nullptr});`. A NaN float counts as null for the
/// column type, as in the SDK, and is written as `NaN`.
class TableCell {
public:
    /// A null cell (Python's None).
    TableCell(std::nullptr_t) : value_(Json(nullptr)) {}
    /// A boolean cell.
    TableCell(bool b) : value_(Json(b)) {}
    /// An integer cell (any integral type but bool).
    template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
    TableCell(T n) : value_(Json(n)) {}
    /// A floating-point cell; written as Python writes floats ("0.5", "100.0", "1e-05").
    template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
    TableCell(T x) : value_(Json(static_cast<double>(x))) {}
    /// A string cell (UTF-8; checked when the row is added).
    TableCell(const char* text) : value_(Json(std::string(text))) {}
    /// \copydoc TableCell(const char*)
    TableCell(std::string text) : value_(Json(std::move(text))) {}
    /// \copydoc TableCell(const char*)
    TableCell(std::string_view text) : value_(Json(std::string(text))) {}
    /// A JSON value cell: an object becomes a typedDict column, an array a list column, a scalar
    /// the matching simple type.
    TableCell(Json value) : value_(std::move(value)) {}
    /// \copydoc TableCell(Json)
    TableCell(const nlohmann::json& value) : value_(Json(value)) {}
    /// An image cell, with its masks, boxes, classes and caption; copies share the pixels.
    TableCell(Image image) : value_(std::move(image)) {}
    /// A histogram cell (its column type is the SDK's `pythonObject` of class "Histogram").
    TableCell(Histogram histogram) : value_(std::move(histogram)) {}

    /// What a cell holds, for std::visit.
    using Variant = std::variant<Json, Image, Histogram>;

    /// True for an image cell.
    bool is_image() const noexcept { return std::holds_alternative<Image>(value_); }
    /// The image of an image cell, or null.
    const Image* image() const noexcept { return std::get_if<Image>(&value_); }
    /// The JSON value of a JSON cell, or null for a media cell (image, histogram).
    const Json* json() const noexcept { return std::get_if<Json>(&value_); }
    /// The held alternative, for visitors.
    const Variant& get() const noexcept { return value_; }

private:
    Variant value_;
};

/// A table to log: named columns and rows of cells. Column types are tracked as the SDK's
/// `_dtypes` do: every column is optional (null always fits) and takes the type of its first
/// non-null cell; later cells must have that type (numbers with numbers, JSON objects with the
/// same keys, ...); image columns merge their mask and box layers, class ids and names row by row.
class Table {
public:
    /// The longest table the SDK writes to the run's media file (`Table.MAX_ROWS`); more rows go
    /// to the artifact only.
    static constexpr std::size_t max_run_rows = 10000;
    /// The most rows a table may have: the SDK's `Table.MAX_ARTIFACT_ROWS`, the most it writes to
    /// the artifact (table.py). The SDK drops later rows with a logged warning while the history
    /// value still counts them (`nrows`), or raises with `table_raise_on_max_row_limit_exceeded`;
    /// here `add_data` refuses the next row, so nothing is dropped unseen.
    static constexpr std::size_t max_artifact_rows = 200000;
    /// A table cell.
    using Cell = TableCell;

    /// A table with these columns (`wandb.Table(columns=[...])`), all of them optional.
    /// \param columns  distinct, non-empty UTF-8 names, in display order.
    /// \throws wandb::ValidationError  for an empty, non-UTF-8 or duplicate name.
    explicit Table(std::vector<std::string> columns) : columns_(std::move(columns)) {
        std::unordered_set<std::string_view> seen;
        for (std::size_t i = 0; i < columns_.size(); ++i) {
            detail::require_name(columns_[i], who, "column " + std::to_string(i) + " name");
            if (!seen.insert(columns_[i]).second) {
                std::size_t first = 0;
                while (columns_[first] != columns_[i]) ++first;
                throw ValidationError(std::string(who) + ": duplicate column name " + detail::quoted(columns_[i]) +
                                      " (columns " + std::to_string(first) + " and " + std::to_string(i) + ")");
            }
        }
        types_.assign(columns_.size(), detail::optional_unknown());
    }

    /// Adds a row (`table.add_data(...)`): one cell per column, in column order.
    /// \throws wandb::ValidationError  if the row has the wrong number of cells, a string (or JSON
    ///         key) is not UTF-8, a JSON cell is discarded, binary or nested deeper than 256 levels,
    ///         a cell's type contradicts its column's type so far (the message names the row, its
    ///         0-based index, the column and both types), or the table has max_artifact_rows rows
    ///         already. The table is unchanged then.
    void add_data(std::vector<TableCell> row) {
        const std::string at = std::string(who) + ": row " + std::to_string(rows_.size());
        if (row.size() != columns_.size())
            throw ValidationError(at + " has " + std::to_string(row.size()) + " cell" + (row.size() == 1 ? "" : "s") +
                                  " but the table has " + std::to_string(columns_.size()) + " column" +
                                  (columns_.size() == 1 ? "" : "s"));
        if (rows_.size() == max_artifact_rows)
            throw ValidationError(at + " would exceed the " + std::to_string(max_artifact_rows) +
                                  " rows W&B stores of a table (the SDK's Table.MAX_ARTIFACT_ROWS); log the rest in "
                                  "another table");
        std::vector<detail::WbTypePtr> next(columns_.size());
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            const std::string where = "row " + std::to_string(rows_.size()) + ", column " + detail::quoted(columns_[c]);
            const detail::WbValue value = value_of(row[c]);
            if (const Json* json = row[c].json()) detail::check_json_value(*json, who, where);
            next[c] = detail::assign(types_[c], value);
            if (next[c]->kind == detail::WbKind::invalid)
                throw ValidationError(std::string(who) + ": " + where + ": " + mismatch(types_[c], value));
        }
        types_ = std::move(next);
        rows_.push_back(std::move(row));
    }

    /// The column names.
    const std::vector<std::string>& columns() const noexcept { return columns_; }
    /// The rows, in the order added.
    const std::vector<std::vector<TableCell>>& data() const noexcept { return rows_; }
    /// Number of columns (`ncols`).
    std::size_t ncols() const noexcept { return columns_.size(); }
    /// Number of rows (`nrows` of the run's history value).
    std::size_t nrows() const noexcept { return rows_.size(); }
    /// The SDK's log mode; this port logs tables the default way, "IMMUTABLE".
    const char* log_mode() const noexcept { return "IMMUTABLE"; }

    /// The `column_types` JSON the artifact's table file carries:
    /// `{"wb_type": "typedDict", "params": {"type_map": {column: <type>, ...}}}`.
    Json column_types() const {
        Json type_map = Json::object();
        for (std::size_t c = 0; c < columns_.size(); ++c) type_map[columns_[c]] = detail::wb_type_json(*types_[c]);
        Json j = Json::object();
        j["wb_type"] = "typedDict";
        j["params"] = Json::object();
        j["params"]["type_map"] = std::move(type_map);
        return j;
    }

private:
    static constexpr const char* who = "wandb::Table";

    static detail::WbValue value_of(const TableCell& cell) {
        return std::visit([](const auto& v) { return detail::WbValue(&v); }, cell.get());
    }

    /// "a string cell, but the column holds image-file values", or the first place inside a JSON
    /// value that does not fit.
    static std::string mismatch(const detail::WbTypePtr& type, const detail::WbValue& value) {
        const detail::WbKind kind = detail::kind_of(value);
        const detail::WbTypePtr target = detail::concrete_member(type);
        const std::string cell = detail::kind_article(kind) + " cell";
        if (kind != target->kind)
            return cell + ", but the column holds " + detail::kind_plural(target->kind) + " values";
        return cell + " that does not fit the column: " + *detail::explain_mismatch(type, value, "");
    }

    std::vector<std::string> columns_;
    std::vector<std::vector<TableCell>> rows_;
    std::vector<detail::WbTypePtr> types_;
};

WANDB_NAMESPACE_END
