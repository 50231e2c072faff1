// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::Table`: rows of numbers, strings, booleans, nulls, JSON values and images with their
/// masks and boxes, the C++ `wandb.Table(columns=[...])` + `table.add_data(...)`. Column types are
/// inferred and checked row by row exactly as the SDK's `_dtypes` do (see internal/dtypes.hpp), so a
/// row the SDK would reject is rejected here, with a message naming the row, column and types.
/// Logging a table to a run is internal/table_artifact.hpp's `stage_table_for_run`; the
/// definitions are in table-inl.hpp.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <memory>
#include <utility>
#include <variant>
#include <vector>

#include "error.hpp"
#include "histogram.hpp"
#include "image.hpp"
#include "json.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {
struct WbType;  // a column type (internal/dtypes.hpp)
using WbTypePtr = std::shared_ptr<const WbType>;
/// A cell as the column types see it (internal/dtypes.hpp).
using WbValue = std::variant<const Json*, const Image*, const Histogram*>;
}  // namespace detail

/// One cell of a Table: null, a boolean, a number (integer or floating point), a string, any JSON
/// value (object, array, ...), an Image or a Histogram. Built implicitly, so a row reads like Python's:
/// `table.add_data({1, "cat", 0.5, masked_image, nullptr});`. A NaN float counts as null for the
/// column type, as in the SDK, and is written as `NaN`.
class TableCell {
public:
    /// A null cell (Python's None).
    TableCell(std::nullptr_t);
    /// A boolean cell.
    TableCell(bool b);
    /// An integer cell (any integral type but bool).
    template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
    TableCell(T n) : TableCell(Json(n)) {}
    /// A floating-point cell; written as Python writes floats ("0.5", "100.0", "1e-05").
    template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
    TableCell(T x) : TableCell(Json(static_cast<double>(x))) {}
    /// A string cell (UTF-8; checked when the row is added).
    TableCell(const char* text);
    /// \copydoc TableCell(const char*)
    TableCell(std::string text);
    /// \copydoc TableCell(const char*)
    TableCell(std::string_view text);
    /// A JSON value cell: an object becomes a typedDict column, an array a list column, a scalar
    /// the matching simple type.
    TableCell(Json value);
    /// \copydoc TableCell(Json)
    TableCell(const nlohmann::json& value);
    /// An image cell, with its masks, boxes, classes and caption; copies share the pixels.
    TableCell(Image image);
    /// A histogram cell (its column type is the SDK's `pythonObject` of class "Histogram").
    TableCell(Histogram histogram);

    /// Cells copy and move as what they hold (images share their pixels).
    TableCell(const TableCell& other);
    /// \copydoc TableCell(const TableCell&)
    TableCell(TableCell&& other) noexcept;
    /// \copydoc TableCell(const TableCell&)
    TableCell& operator=(const TableCell& other);
    /// \copydoc TableCell(const TableCell&)
    TableCell& operator=(TableCell&& other) noexcept;
    ~TableCell();

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
    explicit Table(std::vector<std::string> columns);

    /// Tables copy and move as their columns, rows and column types.
    Table(const Table& other);
    /// \copydoc Table(const Table&)
    Table(Table&& other) noexcept;
    /// \copydoc Table(const Table&)
    Table& operator=(const Table& other);
    /// \copydoc Table(const Table&)
    Table& operator=(Table&& other) noexcept;
    ~Table();

    /// Adds a row (`table.add_data(...)`): one cell per column, in column order.
    /// \throws wandb::ValidationError  if the row has the wrong number of cells, a string (or JSON
    ///         key) is not UTF-8, a JSON cell is discarded, binary or nested deeper than 256 levels,
    ///         a cell's type contradicts its column's type so far (the message names the row, its
    ///         0-based index, the column and both types), or the table has max_artifact_rows rows
    ///         already. The table is unchanged then.
    void add_data(std::vector<TableCell> row);

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
    Json column_types() const;

private:
    static constexpr const char* who = "wandb::Table";

    /// The cell as the column types see it.
    static detail::WbValue value_of(const TableCell& cell);
    /// "a string cell, but the column holds image-file values", or the first place inside a JSON
    /// value that does not fit.
    static std::string mismatch(const detail::WbTypePtr& type, const detail::WbValue& value);

    std::vector<std::string> columns_;
    std::vector<std::vector<TableCell>> rows_;
    std::vector<detail::WbTypePtr> types_;
};

WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "table-inl.hpp"
#endif
