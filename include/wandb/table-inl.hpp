// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of table.hpp: cells, the column names' checks and the SDK's column types, row
/// by row.

#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "table.hpp"
#include "internal/dtypes.hpp"
#include "detail/json_check.hpp"
#include "detail/text.hpp"

WANDB_NAMESPACE_BEGIN

WANDB_IMAGEMASK_INLINE TableCell::TableCell(std::nullptr_t) : value_(Json(nullptr)) {}
WANDB_IMAGEMASK_INLINE TableCell::TableCell(bool b) : value_(Json(b)) {}
WANDB_IMAGEMASK_INLINE TableCell::TableCell(const char* text) : value_(Json(std::string(text))) {}
WANDB_IMAGEMASK_INLINE TableCell::TableCell(std::string text) : value_(Json(std::move(text))) {}
WANDB_IMAGEMASK_INLINE TableCell::TableCell(std::string_view text) : value_(Json(std::string(text))) {}
WANDB_IMAGEMASK_INLINE TableCell::TableCell(Json value) : value_(std::move(value)) {}
WANDB_IMAGEMASK_INLINE TableCell::TableCell(const nlohmann::json& value) : value_(Json(value)) {}
WANDB_IMAGEMASK_INLINE TableCell::TableCell(Image image) : value_(std::move(image)) {}
WANDB_IMAGEMASK_INLINE TableCell::TableCell(Histogram histogram) : value_(std::move(histogram)) {}
WANDB_IMAGEMASK_INLINE TableCell::TableCell(const TableCell& other) = default;
WANDB_IMAGEMASK_INLINE TableCell::TableCell(TableCell&& other) noexcept = default;
WANDB_IMAGEMASK_INLINE TableCell& TableCell::operator=(const TableCell& other) = default;
WANDB_IMAGEMASK_INLINE TableCell& TableCell::operator=(TableCell&& other) noexcept = default;
WANDB_IMAGEMASK_INLINE TableCell::~TableCell() = default;

WANDB_IMAGEMASK_INLINE Table::Table(const Table& other) = default;
WANDB_IMAGEMASK_INLINE Table::Table(Table&& other) noexcept = default;
WANDB_IMAGEMASK_INLINE Table& Table::operator=(const Table& other) = default;
WANDB_IMAGEMASK_INLINE Table& Table::operator=(Table&& other) noexcept = default;
WANDB_IMAGEMASK_INLINE Table::~Table() = default;

WANDB_IMAGEMASK_INLINE Table::Table(std::vector<std::string> columns) : columns_(std::move(columns)) {
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

WANDB_IMAGEMASK_INLINE void Table::add_data(std::vector<TableCell> row) {
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

WANDB_IMAGEMASK_INLINE Json Table::column_types() const {
    Json type_map = Json::object();
    for (std::size_t c = 0; c < columns_.size(); ++c) type_map[columns_[c]] = detail::wb_type_json(*types_[c]);
    Json j = Json::object();
    j["wb_type"] = "typedDict";
    j["params"] = Json::object();
    j["params"]["type_map"] = std::move(type_map);
    return j;
}

WANDB_IMAGEMASK_INLINE detail::WbValue Table::value_of(const TableCell& cell) {
    return std::visit([](const auto& v) { return detail::WbValue(&v); }, cell.get());
}

WANDB_IMAGEMASK_INLINE std::string Table::mismatch(const detail::WbTypePtr& type, const detail::WbValue& value) {
    const detail::WbKind kind = detail::kind_of(value);
    const detail::WbTypePtr target = detail::concrete_member(type);
    const std::string cell = detail::kind_article(kind) + " cell";
    if (kind != target->kind)
        return cell + ", but the column holds " + detail::kind_plural(target->kind) + " values";
    return cell + " that does not fit the column: " + *detail::explain_mismatch(type, value, "");
}

WANDB_NAMESPACE_END
