#include "annotation_commands.h"

namespace egmf::ui {
namespace {

/// Reports a refused edit and makes the command obsolete (Qt then drops it from the stack).
void check(QUndoCommand* command, StudioSession* session, const Result<void>& stored) {
    if (stored) return;
    command->setObsolete(true);
    Q_EMIT session->errorOccurred(QObject::tr("The edit was not saved: %1").arg(QString::fromStdString(stored.error().message)));
}

QString refText(const StudioSession& session, UtteranceRef ref) {
    const auto* u = session.annotations()->utterance(ref);
    return u ? QString::fromStdString(u->id) : QString();
}

}  // namespace

GoldValue currentGold(const StudioSession& session, UtteranceRef ref) {
    const auto* u = session.annotations()->utterance(ref);
    return u ? GoldValue{u->goldLabel, u->goldScore} : GoldValue{};
}

SetGoldCommand::SetGoldCommand(StudioSession* session, UtteranceRef ref, GoldValue value)
    : m_session(session), m_ref(ref), m_before(currentGold(*session, ref)), m_after(std::move(value)) {
    const auto shown = m_after.label   ? QString::fromStdString(*m_after.label)
                       : m_after.score ? QString::number(*m_after.score, 'f', 1)
                                       : QObject::tr("none");
    setText(QObject::tr("gold of %1 to %2").arg(refText(*session, ref), shown));
}

bool SetGoldCommand::apply(const GoldValue& value) {
    Result<void> stored;
    if (value.label != currentGold(*m_session, m_ref).label) stored = m_session->annotations()->setGoldLabel(m_ref, value.label);
    if (stored && value.score != currentGold(*m_session, m_ref).score) stored = m_session->annotations()->setGoldScore(m_ref, value.score);
    check(this, m_session, stored);
    return stored.ok();
}

void SetGoldCommand::redo() {
    apply(m_after);
}
void SetGoldCommand::undo() {
    apply(m_before);
}

SetNoteCommand::SetNoteCommand(StudioSession* session, UtteranceRef ref, QString note)
    : m_session(session), m_ref(ref), m_before(session->annotations()->note(ref)), m_after(std::move(note)) {
    setText(QObject::tr("note on %1").arg(refText(*session, ref)));
}

void SetNoteCommand::redo() {
    check(this, m_session, m_session->annotations()->setNote(m_ref, m_after));
}
void SetNoteCommand::undo() {
    check(this, m_session, m_session->annotations()->setNote(m_ref, m_before));
}

SetReviewedCommand::SetReviewedCommand(StudioSession* session, UtteranceRef ref, bool reviewed)
    : m_session(session), m_ref(ref), m_after(reviewed) {
    setText((reviewed ? QObject::tr("reviewed %1") : QObject::tr("not reviewed %1")).arg(refText(*session, ref)));
}

void SetReviewedCommand::redo() {
    check(this, m_session, m_session->annotations()->setReviewed(m_ref, m_after));
}
void SetReviewedCommand::undo() {
    check(this, m_session, m_session->annotations()->setReviewed(m_ref, !m_after));
}

}  // namespace egmf::ui
