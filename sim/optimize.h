// `lvsim optimize DB`: the architect's question, answered from a sweep's results.
//
// 1. Refresh limits: runs are grouped by their swept values other than
//    refresh.interval_images (voltage, mitigation, format, array, ...); in each
//    group the largest refresh interval whose run kept the windowed accuracy
//    within report.target_drop of fault-free in every trial (0, never
//    refreshing, counts as the largest).
// 2. The operating point: of all runs that kept the target in every trial, the
//    one with the least energy per inference.
// 3. The Pareto front of energy per inference versus accuracy over all runs:
//    each run on it is more accurate than every cheaper run.
// Printed as tables and stored in the database (tables refresh_limits,
// operating_point, pareto), replacing an earlier optimize's.
#pragma once

#include <ostream>

#include "sim/results_db.h"

namespace lvsim {

void optimize(ResultsDb& db, std::ostream& out);

}  // namespace lvsim
