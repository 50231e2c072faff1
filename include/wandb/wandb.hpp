// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The umbrella header: everything a program needs to log masks, images, boxes and tables to W&B.

#include "detail/crc32.hpp"
#include "detail/hash.hpp"
#include "error.hpp"
#include "json.hpp"
#include "png.hpp"
#include "version.hpp"
