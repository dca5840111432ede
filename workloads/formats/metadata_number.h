// Numbers that weight files keep as text in their metadata: safetensors'
// __metadata__ (input_scale, test_accuracy) and ONNX's metadata_props
// (lvsim.input_scale, lvsim.input_mean, lvsim.input_std, lvsim.test_accuracy)
// are string maps. Both readers parse them with this one rule.
#pragma once

#include <string>

namespace lvsim {

// `text` as a number: all of it must parse (std::strtod) and the value must be
// finite (not NaN, not an infinity, no overflow to one). Otherwise an Error of
// one line, naming the file, the field as its format spells it
// ("__metadata__.input_scale", "metadata_props lvsim.input_scale") and the form
// expected:
//   "<file>: <field> = '<text>': expected a number"          (no number at all)
//   "<file>: <field> = '<text>': expected <finite_form>"     ("nan", "inf", "1e999")
// A caller that also checks a range passes the form it accepts ("a fraction in
// [0, 1]") and words its own range error the same way.
double metadata_number(const std::string& text, const std::string& file, const std::string& field,
                       const std::string& finite_form = "a finite number");

// The same for a field lvsim keeps as a float (the input preprocessing): a
// value beyond float's range ("1e39") would become an infinity, so it is
// refused as one.
float metadata_float(const std::string& text, const std::string& file, const std::string& field,
                     const std::string& finite_form = "a finite number");

}  // namespace lvsim
