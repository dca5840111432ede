// Declared parameters, in the spirit of gem5's `Param` declarations: every
// configurable value of a model is declared once, beside the model, with its
// configuration key, type, unit, default, allowed range or values, meaning and
// source. Everything else comes from that one declaration: the default of the
// model's Params struct (its constructor applies the declared defaults),
// parsing and range checks of configuration text, the same range checks on a
// struct built in code, `lvsim keys`, configs/default.ini and the README's
// table of keys.
//
//   const ParamTable<MacArrayParams>& MacArrayParams::table() {
//     static const ParamTable<MacArrayParams> table = [] {
//       ParamTable<MacArrayParams> t;
//       t.integer("mac_array.rows", &MacArrayParams::rows, 16, 1, 4096)
//           .help("processing-element rows (R); the reduction dimension in WS");
//       ...
//       return t;
//     }();
//     return table;
//   }
//
// A model reports a bad value in its own terms, naming the struct member
// (`invalid(&WeightSramParams::vdd_v, "weight SRAM supply 0.2 V", "a voltage
// above ...")`); sim/ finds the declaration that owns the member and turns the
// error into "<file or --set>: <key> = '<value>': expected ...".
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "workloads/common/error.h"

namespace lvsim {

// A parameter value a model cannot work with: `subject` says whose value it is
// in the model's terms, `expected` what would do.
class ParameterError : public Error {
 public:
  ParameterError(const std::string& subject, const std::string& expected)
      : Error(subject + ": expected " + expected), expected_(expected) {}
  const std::string& expected() const { return expected_; }

 private:
  std::string expected_;
};

// The same, naming the member of a Params struct the value lives in.
template <typename Struct, typename Field>
class FieldError : public ParameterError {
 public:
  FieldError(Field Struct::*member, const std::string& subject, const std::string& expected)
      : ParameterError(subject, expected), member_(member) {}
  Field Struct::*member() const { return member_; }

 private:
  Field Struct::*member_;
};

template <typename Struct, typename Field>
[[noreturn]] void invalid(Field Struct::*member, const std::string& subject,
                          const std::string& expected) {
  throw FieldError<Struct, Field>(member, subject, expected);
}

// What is shown of a declaration (`lvsim keys`, default.ini, the README).
struct ParamInfo {
  std::string key;           // "section.name"
  std::string type;          // integer, number, boolean, choice, text, path, list, pairs
  std::string unit;          // "V", "KiB", ...; empty for a pure number or a name
  std::string default_text;  // as written in an INI file
  std::string allowed;       // "1 to 4096", "ws, os or is", ...
  std::string help;          // what it means
  std::string source;        // where the default comes from; empty when it is a choice of ours
  std::string preset;        // the key of the preset that sets it when left empty, if any
};

// The shortest text that reads back as exactly `value` ("0.0718", "1e-06").
std::string number_text(double value);
// "a number in [min, max]", as configuration errors say it.
std::string number_range_text(double min, double max);

// "a, b ,c" -> {"a", "b", "c"}; empty items dropped.
std::vector<std::string> split_list(const std::string& text);

template <typename Struct>
class ParamTable {
 public:
  struct Entry {
    ParamInfo info;
    // Sets the member from configuration text; throws ParameterError.
    std::function<void(Struct&, const std::string&)> parse;
    std::function<void(Struct&)> set_default;
    // The member as configuration text (what parse would read back).
    std::function<std::string(const Struct&)> format;
    // Throws a FieldError when the member holds a value the declaration does not allow.
    std::function<void(const Struct&)> check;
    // Whether an error is about this declaration's member.
    std::function<bool(const ParameterError&)> owns;
  };

  // The builder a declaration returns, for its help text, unit and source.
  class Declaration {
   public:
    explicit Declaration(Entry& entry) : entry_(entry) {}
    Declaration& help(const std::string& text) {
      entry_.info.help = text;
      return *this;
    }
    Declaration& unit(const std::string& text) {
      entry_.info.unit = text;
      if (!entry_.info.allowed.empty() && entry_.info.type != "choice")
        entry_.info.allowed += " " + text;
      return *this;
    }
    Declaration& source(const std::string& text) {
      entry_.info.source = text;
      return *this;
    }
    // Left empty (its default), the key keeps what the preset `preset_key`
    // (declared before it) set; any other text overrides the preset.
    Declaration& or_preset(const std::string& preset_key) {
      const auto parse = entry_.parse;
      entry_.parse = [parse](Struct& target, const std::string& text) {
        if (!text.empty()) parse(target, text);
      };
      entry_.set_default = [](Struct&) {};
      entry_.info.default_text = "";
      entry_.info.preset = preset_key;
      entry_.info.allowed = "empty (the preset's), or " + entry_.info.allowed;
      return *this;
    }

   private:
    Entry& entry_;
  };

  // An integer in [min, max]; `scale` converts the text's unit to the
  // member's (capacity_kib -> bytes: 1024).
  template <typename Field>
  Declaration integer(const std::string& key, Field Struct::*member, int64_t default_value,
                      int64_t min, int64_t max, int64_t scale = 1);
  // A finite number in [min, max].
  Declaration number(const std::string& key, double Struct::*member, double default_value,
                     double min, double max);
  Declaration boolean(const std::string& key, bool Struct::*member, bool default_value);
  // One of named values.
  template <typename Field>
  Declaration choice(const std::string& key, Field Struct::*member, const std::string& default_name,
                     std::vector<std::pair<std::string, Field>> values);
  // One of the names `names()` gives when asked (a registry, read at parse time).
  Declaration name(const std::string& key, std::string Struct::*member,
                   const std::string& default_value,
                   const std::function<std::vector<std::string>()>& names);
  // A named preset that sets several members at once (`apply` sets the
  // member too); declare it before the keys that may override its values.
  Declaration preset(const std::string& key, std::string Struct::*member,
                     const std::string& default_name, const std::vector<std::string>& names,
                     std::function<void(Struct&, const std::string&)> apply);
  // Free text, or a file path (resolved by sim/ against the lvsim source tree).
  Declaration text(const std::string& key, std::string Struct::*member,
                   const std::string& default_value);
  Declaration path(const std::string& key, std::string Struct::*member,
                   const std::string& default_value);
  // Any other field: `parse` turns text into a value, or into nothing (the
  // text is then refused with `expected`), or throws a ParameterError whose
  // expectation says more.
  template <typename Field>
  Declaration custom(const std::string& key, Field Struct::*member, const std::string& type,
                     const std::string& default_text, const std::string& expected,
                     std::function<std::optional<Field>(const std::string&)> parse,
                     std::function<std::string(const Field&)> format);

  // Takes in every declaration of `inner` for the member `member`, in order.
  template <typename Inner>
  void include(Inner Struct::*member, const ParamTable<Inner>& inner);

  const std::deque<Entry>& entries() const { return entries_; }
  const Entry* find(const std::string& key) const {
    for (const Entry& entry : entries_)
      if (entry.info.key == key) return &entry;
    return nullptr;
  }
  const Entry* owner(const ParameterError& error) const {
    for (const Entry& entry : entries_)
      if (entry.owns(error)) return &entry;
    return nullptr;
  }
  void apply_defaults(Struct& target) const {
    for (const Entry& entry : entries_) entry.set_default(target);
  }
  // Every member against its declared range or values.
  void check(const Struct& target) const {
    for (const Entry& entry : entries_) entry.check(target);
  }

 private:
  template <typename Field>
  Entry& add(const std::string& key, Field Struct::*member, const std::string& type);

  std::deque<Entry> entries_;  // a deque: Declaration builders keep references
};

// ---------------------------------------------------------------------------
// Implementation.

template <typename Struct>
template <typename Field>
typename ParamTable<Struct>::Entry& ParamTable<Struct>::add(const std::string& key,
                                                            Field Struct::*member,
                                                            const std::string& type) {
  Entry& entry = entries_.emplace_back();
  entry.info.key = key;
  entry.info.type = type;
  entry.owns = [member](const ParameterError& error) {
    const auto* field = dynamic_cast<const FieldError<Struct, Field>*>(&error);
    return field != nullptr && field->member() == member;
  };
  entry.check = [](const Struct&) {};
  return entry;
}

template <typename Struct>
template <typename Field>
typename ParamTable<Struct>::Declaration ParamTable<Struct>::integer(const std::string& key,
                                                                     Field Struct::*member,
                                                                     int64_t default_value,
                                                                     int64_t min, int64_t max,
                                                                     int64_t scale) {
  Entry& entry = add(key, member, "integer");
  entry.info.default_text = std::to_string(default_value);
  entry.info.allowed = std::to_string(min) + " to " + std::to_string(max);
  const std::string expected =
      "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  entry.parse = [=](Struct& target, const std::string& text) {
    size_t used = 0;
    int64_t value = 0;
    try {
      value = std::stoll(text, &used);
    } catch (const std::logic_error&) {
      invalid(member, key, expected);
    }
    if (used != text.size() || value < min || value > max) invalid(member, key, expected);
    target.*member = static_cast<Field>(value * scale);
  };
  entry.set_default = [=](Struct& target) {
    target.*member = static_cast<Field>(default_value * scale);
  };
  entry.format = [=](const Struct& target) {
    return std::to_string(static_cast<int64_t>(target.*member) / scale);
  };
  // A struct built in code may hold what the text cannot say (a 64-byte SRAM
  // for a test), so the lower bound is taken in the member's own unit.
  entry.check = [=](const Struct& target) {
    const auto value = static_cast<int64_t>(target.*member);
    if (value < min || value > max * scale) invalid(member, key, expected);
  };
  return Declaration(entry);
}

template <typename Struct>
template <typename Field>
typename ParamTable<Struct>::Declaration ParamTable<Struct>::choice(
    const std::string& key, Field Struct::*member, const std::string& default_name,
    std::vector<std::pair<std::string, Field>> values) {
  Entry& entry = add(key, member, "choice");
  entry.info.default_text = default_name;
  std::string expected = "one of";
  for (size_t i = 0; i < values.size(); ++i) {
    expected += " " + values[i].first;
    entry.info.allowed += (i == 0 ? "" : i + 1 == values.size() ? " or " : ", ") + values[i].first;
  }
  auto lookup = [values](const std::string& text) -> const Field* {
    for (const auto& [name, value] : values)
      if (name == text) return &value;
    return nullptr;
  };
  entry.parse = [=](Struct& target, const std::string& text) {
    const Field* value = lookup(text);
    if (value == nullptr) invalid(member, key, expected);
    target.*member = *value;
  };
  const Field* fallback = lookup(default_name);
  if (fallback == nullptr) throw std::logic_error(key + ": default is not one of the choices");
  const Field default_value = *fallback;
  entry.set_default = [=](Struct& target) { target.*member = default_value; };
  entry.format = [values, member](const Struct& target) {
    for (const auto& [name, value] : values)
      if (value == target.*member) return name;
    return std::string("?");
  };
  entry.check = [=](const Struct& target) {
    for (const auto& named : values)
      if (named.second == target.*member) return;
    invalid(member, key, expected);
  };
  return Declaration(entry);
}

template <typename Struct>
template <typename Field>
typename ParamTable<Struct>::Declaration ParamTable<Struct>::custom(
    const std::string& key, Field Struct::*member, const std::string& type,
    const std::string& default_text, const std::string& expected,
    std::function<std::optional<Field>(const std::string&)> parse,
    std::function<std::string(const Field&)> format) {
  Entry& entry = add(key, member, type);
  entry.info.default_text = default_text;
  entry.info.allowed = expected;
  const std::optional<Field> default_value = parse(default_text);
  if (!default_value) throw std::logic_error(key + ": the default does not parse");
  entry.parse = [=](Struct& target, const std::string& text) {
    std::optional<Field> value;
    try {
      value = parse(text);
    } catch (const ParameterError& error) {  // a more precise expectation
      invalid(member, key, error.expected());
    }
    if (!value) invalid(member, key, expected);
    target.*member = std::move(*value);
  };
  entry.set_default = [=](Struct& target) { target.*member = *default_value; };
  entry.format = [=](const Struct& target) { return format(target.*member); };
  return Declaration(entry);
}

template <typename Struct>
typename ParamTable<Struct>::Declaration ParamTable<Struct>::number(const std::string& key,
                                                                    double Struct::*member,
                                                                    double default_value,
                                                                    double min, double max) {
  Entry& entry = add(key, member, "number");
  entry.info.default_text = number_text(default_value);
  entry.info.allowed = number_text(min) + " to " + number_text(max);
  const std::string expected = number_range_text(min, max);
  entry.parse = [=](Struct& target, const std::string& text) {
    size_t used = 0;
    double value = 0.0;
    try {
      value = std::stod(text, &used);
    } catch (const std::logic_error&) {
      invalid(member, key, expected);
    }
    if (used != text.size() || !(value >= min && value <= max)) invalid(member, key, expected);
    target.*member = value;
  };
  entry.set_default = [=](Struct& target) { target.*member = default_value; };
  entry.format = [=](const Struct& target) { return number_text(target.*member); };
  entry.check = [=](const Struct& target) {
    if (!(target.*member >= min && target.*member <= max)) invalid(member, key, expected);
  };
  return Declaration(entry);
}

template <typename Struct>
typename ParamTable<Struct>::Declaration ParamTable<Struct>::boolean(const std::string& key,
                                                                     bool Struct::*member,
                                                                     bool default_value) {
  Entry& entry = add(key, member, "boolean");
  entry.info.default_text = default_value ? "true" : "false";
  entry.info.allowed = "true or false";
  entry.parse = [=](Struct& target, const std::string& text) {
    if (text == "true" || text == "1" || text == "yes" || text == "on")
      target.*member = true;
    else if (text == "false" || text == "0" || text == "no" || text == "off")
      target.*member = false;
    else
      invalid(member, key, "true or false");
  };
  entry.set_default = [=](Struct& target) { target.*member = default_value; };
  entry.format = [=](const Struct& target) {
    return std::string(target.*member ? "true" : "false");
  };
  return Declaration(entry);
}

template <typename Struct>
typename ParamTable<Struct>::Declaration ParamTable<Struct>::name(
    const std::string& key, std::string Struct::*member, const std::string& default_value,
    const std::function<std::vector<std::string>()>& names) {
  Entry& entry = add(key, member, "choice");
  entry.info.default_text = default_value;
  auto expected = [names] {
    std::string text = "one of";
    for (const std::string& name : names()) text += " " + name;
    return text;
  };
  auto known = [names](const std::string& text) {
    for (const std::string& name : names())
      if (name == text) return true;
    return false;
  };
  entry.parse = [=](Struct& target, const std::string& text) {
    if (!known(text)) invalid(member, key, expected());
    target.*member = text;
  };
  entry.set_default = [=](Struct& target) { target.*member = default_value; };
  entry.format = [=](const Struct& target) { return target.*member; };
  entry.check = [=](const Struct& target) {
    if (!known(target.*member)) invalid(member, key, expected());
  };
  const std::vector<std::string> listed = names();
  for (size_t i = 0; i < listed.size(); ++i)
    entry.info.allowed += (i == 0 ? "" : i + 1 == listed.size() ? " or " : ", ") + listed[i];
  return Declaration(entry);
}

template <typename Struct>
typename ParamTable<Struct>::Declaration ParamTable<Struct>::preset(
    const std::string& key, std::string Struct::*member, const std::string& default_name,
    const std::vector<std::string>& names, std::function<void(Struct&, const std::string&)> apply) {
  Declaration declaration = name(key, member, default_name, [names] { return names; });
  Entry& entry = entries_.back();
  const auto parse_name = entry.parse;
  entry.parse = [parse_name, apply](Struct& target, const std::string& text) {
    parse_name(target, text);  // refuses an unknown name
    apply(target, text);
  };
  entry.set_default = [apply, default_name](Struct& target) { apply(target, default_name); };
  entry.info.type = "preset";
  return declaration;
}

template <typename Struct>
typename ParamTable<Struct>::Declaration ParamTable<Struct>::text(
    const std::string& key, std::string Struct::*member, const std::string& default_value) {
  Entry& entry = add(key, member, "text");
  entry.info.default_text = default_value;
  entry.parse = [=](Struct& target, const std::string& text) { target.*member = text; };
  entry.set_default = [=](Struct& target) { target.*member = default_value; };
  entry.format = [=](const Struct& target) { return target.*member; };
  return Declaration(entry);
}

template <typename Struct>
typename ParamTable<Struct>::Declaration ParamTable<Struct>::path(
    const std::string& key, std::string Struct::*member, const std::string& default_value) {
  Declaration declaration = text(key, member, default_value);
  entries_.back().info.type = "path";
  return declaration;
}

template <typename Struct>
template <typename Inner>
void ParamTable<Struct>::include(Inner Struct::*member, const ParamTable<Inner>& inner) {
  for (const auto& source : inner.entries()) {
    Entry& entry = entries_.emplace_back();
    entry.info = source.info;
    entry.parse = [member, parse = source.parse](Struct& target, const std::string& text) {
      parse(target.*member, text);
    };
    entry.set_default = [member, set = source.set_default](Struct& target) { set(target.*member); };
    entry.format = [member, format = source.format](const Struct& target) {
      return format(target.*member);
    };
    entry.check = [member, check = source.check](const Struct& target) { check(target.*member); };
    entry.owns = source.owns;
  }
}

}  // namespace lvsim
