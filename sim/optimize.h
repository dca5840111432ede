// `lvsim optimize DB`: the architect's question, answered from a sweep's results.
//
// A sweep's keys are knobs or conditions. Knobs are what an architect
// chooses (voltage, mitigation, detector, refresh, format, array, ...);
// conditions are what a choice must hold across: the keys of the config's
// [conditions] section, and the chip (fault.chip_seed), its age and its
// temperature always (sim/config.h). A knob setting is the set of runs alike
// in every knob; it meets the target when each of its runs does, under every
// condition: a run of one chip when no trial's windowed accuracy fell more
// than report.target_drop below fault-free, a population (sim.chips > 1) when
// its yield reaches report.target_yield. Its cost is its worst energy per
// inference over the conditions, and the condition closest to failing (or
// failing) is its binding one.
//
// 1. Refresh limits: per group of knob settings alike but for the refresh
//    interval, the largest interval that meets the target (never counts as
//    the largest).
// 2. The operating point: the knob setting meeting the target at the least
//    worst-case energy, with its binding condition.
// 3. The lowest supply per setting of the other knobs (per mitigation, say)
//    that meets the target, with the yield's interval and the chips needed
//    to show the target yield.
// 4. The operating-point table, where runs report the fault-free Vmin:
//    nominal, fault-free Vmin, the operating point at age 0 and the one held
//    under every condition (to end of life at the worst temperature), each
//    with its energy and the saving from the row before.
// 5. The Pareto front of worst-case energy versus worst-case accuracy.
// Printed as tables and stored in the database (tables refresh_limits,
// operating_point, lowest_voltage, pareto), replacing an earlier optimize's.
#pragma once

#include <ostream>

#include "sim/results_db.h"

namespace lvsim {

void optimize(ResultsDb& db, std::ostream& out);

}  // namespace lvsim
