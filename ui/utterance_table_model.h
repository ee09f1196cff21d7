#pragma once
// The utterances of the dialogue on screen: speaker, text, gold, prediction (shaded by its
// confidence), correct or not, and the raw generation. The playing utterance is highlighted;
// gold an annotator changed is shown in bold italics. Reads everything from the StudioSession.

#include <QAbstractTableModel>

#include "studio_session.h"

namespace egmf::ui {

class UtteranceTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Index, Speaker, Text, Gold, Prediction, Confidence, Correct, Generated, ColumnCount };
    /// Roles for filters and tests: the gold and predicted label (or score) as plain strings.
    enum Role { GoldRole = Qt::UserRole + 1, PredictionRole, ConfidenceRole, CorrectRole };

    explicit UtteranceTableModel(StudioSession* session, QObject* parent = nullptr);

    void setDialogue(int dialogue);
    int dialogue() const { return m_dialogue; }
    void setPlaying(int utterance);
    int playing() const { return m_playing; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void refreshRows(int first, int last);
    StudioSession* m_session;
    int m_dialogue = -1;
    int m_playing = -1;
};

/// The prediction's confidence: the probability of the best-scoring label (classification), none
/// for regression or without label scores.
std::optional<double> predictionConfidence(const UtteranceResult& result);
/// Whether the prediction matches the gold: the label, or a score within 0.5 (none without gold).
std::optional<bool> predictionCorrect(const Utterance& utterance, const UtteranceResult& result);
/// The gold as text: the label or the score with one decimal, "" when none.
QString goldText(const Utterance& utterance);

}  // namespace egmf::ui
