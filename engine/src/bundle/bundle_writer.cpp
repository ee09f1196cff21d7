#include <system_error>

#include "bundle_format.h"
#include "egmf/app/analysis_bundle.h"
#include "float16.h"
#include "sqlite_file.h"

namespace egmf::bundle {
namespace {

std::string shapeText(const Matrix& m) {
    return nlohmann::json(m.shape).dump();
}

std::vector<std::uint16_t> halves(const Matrix& m) {
    std::vector<std::uint16_t> out(m.values.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = toHalf(m.values[i]);
    return out;
}

}  // namespace

struct Writer::Db {
    SqliteFile file;
};

Writer::Writer(std::unique_ptr<Db> db) : m_db(std::move(db)) {}
Writer::Writer(Writer&&) noexcept = default;
Writer& Writer::operator=(Writer&&) noexcept = default;
Writer::~Writer() = default;

Result<Writer> Writer::create(const std::filesystem::path& file, const Identity& identity) {
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) {
        return makeError(ErrorCode::InvalidArgument, file.string() + ": exists already; choose another name for the bundle, or remove it");
    }
    auto opened = SqliteFile::open(file, true);
    if (!opened.ok()) return opened.error();
    auto db = std::make_unique<Db>(Db{std::move(*opened)});
    // Each dialogue is durable when add() returns, in the file itself (a rollback journal, not a
    // write-ahead log beside it): a run killed after it keeps it, and the file alone can be copied.
    if (auto made = db->file.exec(std::string("PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;") + kSchema); !made.ok())
        return made.error();
    const std::pair<const char*, std::string> meta[] = {
        {"format_version", std::to_string(kFormatVersion)},
        {"manifest_json", identity.manifestJson},
        {"manifest_sha256", identity.manifestSha256},
        {"checkpoint", identity.checkpoint},
        {"loader", identity.loader},
        {"device", identity.device},
        {"dtype", identity.dtype},
        {"dataset", identity.dataset},
        {"rank", std::to_string(identity.rank)},
        {"ranks", std::to_string(identity.ranks)},
        {"created_by", identity.createdBy},
    };
    Statement insert(db->file, "INSERT INTO meta (key, value) VALUES (?, ?)");
    for (const auto& [key, value] : meta) {
        insert.bind(1, std::string(key)).bind(2, value);
        if (insert.step() != SQLITE_DONE) return db->file.error("cannot write the bundle's identity");
        insert.reset();
    }
    return Writer(std::move(db));
}

Result<void> Writer::add(const Dialogue& dialogue, const DialogueResult& result) {
    std::vector<ClipStamp> clips;
    for (const auto& utterance : dialogue.utterances)
        if (!utterance.clipPath.empty()) clips.push_back(stampOf(utterance.clipPath));
    return add(result, clips);
}

Result<void> Writer::add(const DialogueResult& result, const std::vector<ClipStamp>& clips) {
    auto& file = m_db->file;
    if (auto begun = file.exec("BEGIN IMMEDIATE"); !begun.ok()) return begun.error();
    auto fail = [&](const std::string& what) {
        (void)file.exec("ROLLBACK");
        return file.error(what + " of dialogue " + result.dialogueId);
    };
    Statement dialogue(file, "INSERT INTO dialogues (position, id) VALUES ((SELECT COUNT(*) FROM dialogues), ?)");
    if (dialogue.bind(1, result.dialogueId).step() != SQLITE_DONE) return fail("cannot write (written twice?) the row");
    Statement utterance(file,
                        "INSERT INTO utterances (dialogue, idx, fields, text_to_av, text_to_av_shape, av_to_text, av_to_text_shape) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    Statement gate(file, "INSERT INTO gates (dialogue, idx, name, shape, vals) VALUES (?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < result.utterances.size(); ++i) {
        const auto& u = result.utterances[i];
        const auto textToAv = halves(u.attention.textToAv), avToText = halves(u.attention.avToText);
        utterance.bind(1, result.dialogueId).bind(2, static_cast<std::int64_t>(i)).bind(3, fieldsOf(u).dump());
        utterance.bindBlob(4, textToAv.data(), textToAv.size() * 2).bind(5, shapeText(u.attention.textToAv));
        utterance.bindBlob(6, avToText.data(), avToText.size() * 2).bind(7, shapeText(u.attention.avToText));
        if (utterance.step() != SQLITE_DONE) return fail("cannot write utterance " + u.utteranceId);
        utterance.reset();
        const Matrix alpha{u.gates.alpha, {static_cast<std::int64_t>(u.gates.alpha.size())}};
        const Matrix modality{u.gates.modalityGates, {static_cast<std::int64_t>(u.gates.modalityGates.size())}};
        std::vector<std::pair<const char*, const Matrix*>> series{
            {"feature", &u.gates.featureGates}, {"context", &u.gates.contextGates}, {"gate", &u.gates.gates}, {"alpha", &alpha}};
        if (!modality.values.empty()) series.emplace_back("modality", &modality);  // a model with a modality gate
        for (const auto& [name, series] : series) {
            gate.bind(1, result.dialogueId).bind(2, static_cast<std::int64_t>(i)).bind(3, std::string(name)).bind(4, shapeText(*series));
            gate.bindBlob(5, series->values.data(), series->values.size() * sizeof(float));
            if (gate.step() != SQLITE_DONE) return fail("cannot write the gates of utterance " + u.utteranceId);
            gate.reset();
        }
    }
    Statement clip(file, "INSERT OR REPLACE INTO clips (path, size, modified_ns) VALUES (?, ?, ?)");
    for (const auto& c : clips) {
        if (clip.bind(1, c.path).bind(2, c.size).bind(3, c.modifiedNs).step() != SQLITE_DONE) return fail("cannot write clip " + c.path);
        clip.reset();
    }
    if (auto committed = file.exec("COMMIT"); !committed.ok()) return fail("cannot commit");
    return {};
}

Result<void> Writer::finish(int dialogues) {
    Statement done(m_db->file, "INSERT INTO completion (dialogues) VALUES (?)");
    if (done.bind(1, static_cast<std::int64_t>(dialogues)).step() != SQLITE_DONE)
        return m_db->file.error("cannot write the completion record");
    return {};
}

ClipStamp stampOf(const std::string& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return {path, -1, 0};
    const auto modified = std::filesystem::last_write_time(path, ec);
    return {path, static_cast<std::int64_t>(size),
            ec ? 0 : static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(modified.time_since_epoch()).count())};
}

}  // namespace egmf::bundle
