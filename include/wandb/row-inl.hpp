// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of row.hpp: Value's constructors and special members, out of line so that a
/// source file in compiled mode does not instantiate what every alternative needs.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "row.hpp"

WANDB_NAMESPACE_BEGIN

WANDB_IMAGEMASK_INLINE Value::Value(const char* text) : value_(Json(text)) {}
WANDB_IMAGEMASK_INLINE Value::Value(std::string text) : value_(Json(std::move(text))) {}
WANDB_IMAGEMASK_INLINE Value::Value(std::nullptr_t) : value_(Json(nullptr)) {}
WANDB_IMAGEMASK_INLINE Value::Value(Json json) : value_(std::move(json)) {}
WANDB_IMAGEMASK_INLINE Value::Value(const nlohmann::json& json) : value_(Json(json)) {}
WANDB_IMAGEMASK_INLINE Value::Value(Image image) : value_(std::move(image)) {}
WANDB_IMAGEMASK_INLINE Value::Value(std::vector<Image> images) : value_(std::move(images)) {}
WANDB_IMAGEMASK_INLINE Value::Value(Table table) : value_(std::make_shared<const Table>(std::move(table))) {}
WANDB_IMAGEMASK_INLINE Value::Value(Histogram histogram) : value_(std::move(histogram)) {}
WANDB_IMAGEMASK_INLINE Value::Value(Row row) : value_(std::move(row)) {}
WANDB_IMAGEMASK_INLINE Value::Value(const Value& other) = default;
WANDB_IMAGEMASK_INLINE Value::Value(Value&& other) noexcept = default;
WANDB_IMAGEMASK_INLINE Value& Value::operator=(const Value& other) = default;
WANDB_IMAGEMASK_INLINE Value& Value::operator=(Value&& other) noexcept = default;
WANDB_IMAGEMASK_INLINE Value::~Value() = default;

WANDB_NAMESPACE_END
