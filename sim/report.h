// What a run reports: a short readable summary on stdout and report.json for
// scripts. Both are built from the same RunResult.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "sim/config.h"
#include "sim/curve.h"
#include "sim/run.h"

namespace lvsim {

nlohmann::json report_json(const RunResult& result, const AccuracyCurve& curve,
                           const Config& config);
void print_summary(std::ostream& out, const RunResult& result, const AccuracyCurve& curve,
                   const std::string& report_path);
// The accuracy curve as CSV, one row per window (what seed 004's figures plot).
std::string curve_csv(const AccuracyCurve& curve);

double peak_rss_mib();

}  // namespace lvsim
