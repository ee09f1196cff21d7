#pragma once
// The bundle's tables and how an utterance's result is laid out in them (format version 1):
//   meta(key, value)                  format_version, identity fields
//   dialogues(position, id)           in the order written
//   utterances(dialogue, idx, fields, text_to_av, text_to_av_shape, av_to_text, av_to_text_shape)
//                                     fields: JSON of everything but the matrices; attention float16
//   gates(dialogue, idx, name, shape, vals)   named series per position, float32: feature, context,
//                                     gate ([T, 3]) and alpha ([T]); later issues add more names
//   clips(path, size, modified_ns)    each clip as it was when analysed
//   completion(dialogues)             written last, by finish()

#include <nlohmann/json.hpp>

#include "egmf/analysis.h"

namespace egmf::bundle {

inline constexpr const char* kSchema =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE dialogues (position INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL);"
    "CREATE TABLE utterances (dialogue TEXT NOT NULL, idx INTEGER NOT NULL, fields TEXT NOT NULL,"
    " text_to_av BLOB, text_to_av_shape TEXT, av_to_text BLOB, av_to_text_shape TEXT, PRIMARY KEY (dialogue, idx));"
    "CREATE TABLE gates (dialogue TEXT NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL, shape TEXT NOT NULL,"
    " vals BLOB NOT NULL, PRIMARY KEY (dialogue, idx, name));"
    "CREATE TABLE clips (path TEXT PRIMARY KEY, size INTEGER NOT NULL, modified_ns INTEGER NOT NULL);"
    "CREATE TABLE completion (dialogues INTEGER NOT NULL);";

/// Everything of a result but its attention and gate matrices.
nlohmann::json fieldsOf(const UtteranceResult& result);
/// Back; false when a field has the wrong type (a damaged or foreign file).
bool readFields(const nlohmann::json& fields, UtteranceResult& result);

}  // namespace egmf::bundle
