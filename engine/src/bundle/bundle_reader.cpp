#include <set>
#include <system_error>

#include "bundle_format.h"
#include "egmf/app/analysis_bundle.h"
#include "float16.h"
#include "sqlite_file.h"

namespace egmf::bundle {
namespace {

Error damaged(const std::filesystem::path& file, const std::string& what) {
    return makeError(ErrorCode::Corrupt, file.string() + ": not a readable analysis bundle (" + what + ")");
}

/// A matrix from its stored shape and values (float16 or float32); false when they disagree.
bool matrixOf(const std::string& shapeText, const std::vector<unsigned char>& bytes, bool half, Matrix& out) {
    const auto shape = nlohmann::json::parse(shapeText, nullptr, false);
    if (!shape.is_array()) return false;
    out.shape.clear();
    std::int64_t count = 1;
    for (const auto& n : shape) {
        if (!n.is_number_integer() || n.get<std::int64_t>() < 0) return false;
        out.shape.push_back(n.get<std::int64_t>());
        count *= out.shape.back();
    }
    if (out.shape.empty()) count = 0;
    const std::size_t width = half ? 2 : 4;
    if (bytes.size() != static_cast<std::size_t>(count) * width) return false;
    out.values.resize(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < out.values.size(); ++i) {
        if (half) {
            std::uint16_t h = 0;
            std::memcpy(&h, bytes.data() + i * 2, 2);
            out.values[i] = fromHalf(h);
        } else {
            std::memcpy(&out.values[i], bytes.data() + i * 4, 4);
        }
    }
    return true;
}

}  // namespace

Result<Contents> read(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) return makeError(ErrorCode::NotFound, file.string() + ": no such analysis bundle");
    auto opened = SqliteFile::open(file, false);
    if (!opened.ok()) return opened.error();
    auto& db = *opened;
    Contents contents;
    std::map<std::string, std::string> meta;
    {
        Statement rows(db, "SELECT key, value FROM meta");
        if (!rows.ok()) return damaged(file, "it has no meta table: is it an analysis bundle?");
        while (rows.step() == SQLITE_ROW) meta[rows.text(0)] = rows.text(1);
    }
    try {
        contents.formatVersion = std::stoi(meta.at("format_version"));
        auto& id = contents.identity;
        id.manifestJson = meta.at("manifest_json");
        id.manifestSha256 = meta.at("manifest_sha256");
        id.checkpoint = meta.at("checkpoint");
        id.loader = meta.at("loader");
        id.device = meta.at("device");
        id.dtype = meta.at("dtype");
        id.dataset = meta.at("dataset");
        id.rank = std::stoi(meta.at("rank"));
        id.ranks = std::stoi(meta.at("ranks"));
        id.createdBy = meta.at("created_by");
    } catch (const std::exception&) {
        return damaged(file, "its identity is incomplete");
    }
    if (contents.formatVersion > kFormatVersion) {
        return makeError(ErrorCode::Unsupported, file.string() + ": an analysis bundle of format " +
                                                     std::to_string(contents.formatVersion) + ", newer than this build reads (" +
                                                     std::to_string(kFormatVersion) + "); update EGMF Studio");
    }
    Statement dialogues(db, "SELECT id FROM dialogues ORDER BY position");
    Statement utterances(db,
                         "SELECT idx, fields, text_to_av, text_to_av_shape, av_to_text, av_to_text_shape FROM utterances "
                         "WHERE dialogue = ? ORDER BY idx");
    Statement gates(db, "SELECT idx, name, shape, vals FROM gates WHERE dialogue = ?");
    if (!dialogues.ok() || !utterances.ok() || !gates.ok()) return damaged(file, "a table is missing");
    while (dialogues.step() == SQLITE_ROW) {
        DialogueResult result{dialogues.text(0), {}};
        utterances.bind(1, result.dialogueId);
        while (utterances.step() == SQLITE_ROW) {
            UtteranceResult u;
            const auto fields = nlohmann::json::parse(utterances.text(1), nullptr, false);
            if (utterances.integer(0) != static_cast<std::int64_t>(result.utterances.size()) || !readFields(fields, u) ||
                !matrixOf(utterances.text(3), utterances.blob(2), true, u.attention.textToAv) ||
                !matrixOf(utterances.text(5), utterances.blob(4), true, u.attention.avToText)) {
                return damaged(file, "utterance " + std::to_string(result.utterances.size()) + " of dialogue " + result.dialogueId);
            }
            result.utterances.push_back(std::move(u));
        }
        utterances.reset();
        gates.bind(1, result.dialogueId);
        while (gates.step() == SQLITE_ROW) {
            const auto index = gates.integer(0);
            if (index < 0 || index >= static_cast<std::int64_t>(result.utterances.size()))
                return damaged(file, "a gate row without its utterance");
            auto& g = result.utterances[static_cast<std::size_t>(index)].gates;
            const auto name = gates.text(1);
            Matrix series;
            if (!matrixOf(gates.text(2), gates.blob(3), false, series))
                return damaged(file, "gate series " + name + " of " + result.dialogueId);
            if (name == "feature") g.featureGates = std::move(series);
            if (name == "context") g.contextGates = std::move(series);
            if (name == "gate") g.gates = std::move(series);
            if (name == "alpha") g.alpha = std::move(series.values);
            if (name == "modality") g.modalityGates = std::move(series.values);
            // Other names are series of a later format's gates: kept out of these fields.
        }
        gates.reset();
        contents.dialogueOrder.push_back(result.dialogueId);
        contents.dialogues[result.dialogueId] = std::move(result);
    }
    Statement clips(db, "SELECT path, size, modified_ns FROM clips");
    while (clips.ok() && clips.step() == SQLITE_ROW) contents.clips[clips.text(0)] = {clips.text(0), clips.integer(1), clips.integer(2)};
    Statement completion(db, "SELECT dialogues FROM completion");
    if (completion.ok() && completion.step() == SQLITE_ROW) {
        contents.expected = static_cast<int>(completion.integer(0));
        contents.complete = contents.expected == static_cast<int>(contents.dialogues.size());
    }
    return contents;
}

std::vector<std::string> changedClips(const Contents& contents) {
    std::vector<std::string> changed;
    for (const auto& [path, stamp] : contents.clips) {
        const auto now = stampOf(path);
        if (now.size != stamp.size || now.modifiedNs != stamp.modifiedNs) changed.push_back(path);
    }
    return changed;
}

}  // namespace egmf::bundle
