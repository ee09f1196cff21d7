#include "annotation_session.h"

#include "egmf/app/annotations.h"

namespace egmf::ui {

AnnotationSession::AnnotationSession(const QString& storeFile, QObject* parent) : QObject(parent) {
    qRegisterMetaType<UtteranceRef>();
    m_annotator = qEnvironmentVariable("USER", QStringLiteral("annotator")).toStdString();
    auto store = data::AnnotationStore::open(storeFile.toStdString());
    if (store) {
        m_store = std::make_unique<data::AnnotationStore>(std::move(*store));
    } else {
        // Reported when the first edit is tried; viewing works without a store.
        m_storeError = QString::fromStdString(store.error().message);
    }
}

AnnotationSession::~AnnotationSession() = default;

void AnnotationSession::open(Dataset dataset, const QString& path, const std::string& key) {
    m_dataset = std::move(dataset);
    m_datasetPath = path;
    m_datasetKey = key;
    m_originalLabels.clear();
    m_originalScores.clear();
    m_firstUtterance.clear();
    m_notes.clear();
    m_reviewed.clear();
    for (const auto& dialogue : m_dataset.dialogues) {
        m_firstUtterance.push_back(static_cast<int>(m_originalLabels.size()));
        for (const auto& u : dialogue.utterances) {
            m_originalLabels.push_back(u.goldLabel);
            m_originalScores.push_back(u.goldScore);
        }
    }
    // This annotator's edits over the dataset's gold (the originals above tell them apart).
    if (m_store) {
        (void)m_store->applyTo(m_dataset, m_datasetKey, m_annotator);
        if (auto edits = m_store->edits(m_datasetKey, m_annotator)) {
            for (const auto& edit : *edits) {
                if (!edit.note.empty()) m_notes[edit.utterance] = QString::fromStdString(edit.note);
                if (edit.reviewed) m_reviewed.insert(edit.utterance);
            }
        }
    }
    Q_EMIT datasetOpened();
}

const Utterance* AnnotationSession::utterance(UtteranceRef ref) const {
    if (ref.dialogue < 0 || ref.dialogue >= static_cast<int>(m_dataset.dialogues.size())) return nullptr;
    const auto& utterances = m_dataset.dialogues[static_cast<std::size_t>(ref.dialogue)].utterances;
    if (ref.utterance < 0 || ref.utterance >= static_cast<int>(utterances.size())) return nullptr;
    return &utterances[static_cast<std::size_t>(ref.utterance)];
}

bool AnnotationSession::goldEdited(UtteranceRef ref) const {
    const auto* u = utterance(ref);
    if (!u) return false;
    const auto flat = static_cast<std::size_t>(m_firstUtterance[static_cast<std::size_t>(ref.dialogue)] + ref.utterance);
    return u->goldLabel != m_originalLabels[flat] || u->goldScore != m_originalScores[flat];
}

QString AnnotationSession::note(UtteranceRef ref) const {
    const auto* u = utterance(ref);
    if (!u) return {};
    const auto found = m_notes.find(u->id);
    return found == m_notes.end() ? QString() : found->second;
}

Result<void> AnnotationSession::storeEdit(UtteranceRef ref) {
    if (!m_store) {
        return makeError(ErrorCode::Io, m_storeError.toStdString());
    }
    const auto* u = utterance(ref);
    const auto noteText = note(ref);
    Result<void> stored;
    if (!goldEdited(ref) && noteText.isEmpty() && !reviewed(ref)) {
        stored = m_store->remove(m_datasetKey, u->id, m_annotator);
    } else {
        data::Annotation a;
        a.dataset = m_datasetKey;
        a.utterance = u->id;
        a.annotator = m_annotator;
        if (goldEdited(ref)) {
            a.label = u->goldLabel;
            a.score = u->goldScore;
        }
        a.note = noteText.toStdString();
        a.reviewed = reviewed(ref);
        stored = m_store->put(a);
    }
    if (stored) Q_EMIT goldChanged(ref);
    return stored;
}

Result<void> AnnotationSession::setGoldLabel(UtteranceRef ref, const std::optional<std::string>& label) {
    if (!utterance(ref)) return makeError(ErrorCode::InvalidArgument, "no such utterance");
    auto& u = m_dataset.dialogues[static_cast<std::size_t>(ref.dialogue)].utterances[static_cast<std::size_t>(ref.utterance)];
    const auto before = u.goldLabel;
    u.goldLabel = label;
    auto stored = storeEdit(ref);
    if (!stored) u.goldLabel = before;  // nothing shown that is not saved
    return stored;
}

Result<void> AnnotationSession::setGoldScore(UtteranceRef ref, const std::optional<double>& score) {
    if (!utterance(ref)) return makeError(ErrorCode::InvalidArgument, "no such utterance");
    auto& u = m_dataset.dialogues[static_cast<std::size_t>(ref.dialogue)].utterances[static_cast<std::size_t>(ref.utterance)];
    const auto before = u.goldScore;
    u.goldScore = score;
    auto stored = storeEdit(ref);
    if (!stored) u.goldScore = before;
    return stored;
}

Result<void> AnnotationSession::setNote(UtteranceRef ref, const QString& text) {
    const auto* u = utterance(ref);
    if (!u) return makeError(ErrorCode::InvalidArgument, "no such utterance");
    const auto before = note(ref);
    m_notes[u->id] = text;
    auto stored = storeEdit(ref);
    if (!stored) m_notes[u->id] = before;
    return stored;
}

bool AnnotationSession::reviewed(UtteranceRef ref) const {
    const auto* u = utterance(ref);
    return u && m_reviewed.count(u->id) > 0;
}

Result<void> AnnotationSession::setReviewed(UtteranceRef ref, bool value) {
    const auto* u = utterance(ref);
    if (!u) return makeError(ErrorCode::InvalidArgument, "no such utterance");
    const bool before = reviewed(ref);
    value ? (void)m_reviewed.insert(u->id) : (void)m_reviewed.erase(u->id);
    auto stored = storeEdit(ref);
    if (!stored) before ? (void)m_reviewed.insert(u->id) : (void)m_reviewed.erase(u->id);
    return stored;
}

}  // namespace egmf::ui
