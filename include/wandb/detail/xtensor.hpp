// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The only place that includes xtensor. Debian 12 ships xtensor 0.24 with flat headers
/// (<xtensor/xtensor.hpp>); upstream 0.26 moved them into subfolders (<xtensor/containers/...>).

#if __has_include(<xtensor/containers/xtensor.hpp>)
#include <xtensor/containers/xadapt.hpp>
#include <xtensor/containers/xarray.hpp>
#include <xtensor/containers/xtensor.hpp>
#include <xtensor/core/xexpression.hpp>
#include <xtensor/views/xview.hpp>
#else
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xexpression.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>
#endif
