#pragma once
// Annotator edits as QUndoCommands: each redo/undo writes through the StudioSession to the
// annotations store before it returns (autosave: nothing waits for a "save"). An edit the store
// refuses marks its command obsolete, so the stack never holds an edit that is not on disk, and
// the failure is reported through the session's errorOccurred.

#include <QUndoCommand>
#include <optional>
#include <string>

#include "studio_session.h"

namespace egmf::ui {

struct GoldValue {
    std::optional<std::string> label;
    std::optional<double> score;
    friend bool operator==(const GoldValue&, const GoldValue&) = default;
};

/// The utterance's gold as it stands (label for ERC, score for MSA).
GoldValue currentGold(const StudioSession& session, UtteranceRef ref);

class SetGoldCommand : public QUndoCommand {
public:
    SetGoldCommand(StudioSession* session, UtteranceRef ref, GoldValue value);
    void redo() override;
    void undo() override;

private:
    bool apply(const GoldValue& value);
    StudioSession* m_session;
    UtteranceRef m_ref;
    GoldValue m_before, m_after;
};

class SetNoteCommand : public QUndoCommand {
public:
    SetNoteCommand(StudioSession* session, UtteranceRef ref, QString note);
    void redo() override;
    void undo() override;

private:
    StudioSession* m_session;
    UtteranceRef m_ref;
    QString m_before, m_after;
};

class SetReviewedCommand : public QUndoCommand {
public:
    SetReviewedCommand(StudioSession* session, UtteranceRef ref, bool reviewed);
    void redo() override;
    void undo() override;

private:
    StudioSession* m_session;
    UtteranceRef m_ref;
    bool m_after;
};

}  // namespace egmf::ui
