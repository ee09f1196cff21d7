#include "utterance_table_model.h"

#include <QFont>
#include <algorithm>
#include <cmath>

#include "label_palette.h"

namespace egmf::ui {

std::optional<double> predictionConfidence(const UtteranceResult& result) {
    if (result.probabilities.empty()) return std::nullopt;
    return *std::max_element(result.probabilities.begin(), result.probabilities.end());
}

std::optional<bool> predictionCorrect(const Utterance& utterance, const UtteranceResult& result) {
    if (utterance.goldLabel) return result.prediction == *utterance.goldLabel;
    if (utterance.goldScore && result.predictedScore) return std::abs(*result.predictedScore - *utterance.goldScore) <= 0.5;
    return std::nullopt;
}

QString goldText(const Utterance& utterance) {
    if (utterance.goldLabel) return QString::fromStdString(*utterance.goldLabel);
    if (utterance.goldScore) return QString::number(*utterance.goldScore, 'f', 1);
    return {};
}

UtteranceTableModel::UtteranceTableModel(StudioSession* session, QObject* parent) : QAbstractTableModel(parent), m_session(session) {
    connect(session->annotations(), &AnnotationSession::datasetOpened, this, [this] {
        beginResetModel();
        m_dialogue = -1;
        m_playing = -1;
        endResetModel();
    });
    connect(session->analysis(), &AnalysisQueue::dialogueAnalysed, this, [this](int dialogue) {
        if (dialogue == m_dialogue) refreshRows(0, rowCount() - 1);
    });
    connect(session->model(), &ModelSlot::loaded, this, [this] { refreshRows(0, rowCount() - 1); });
    connect(session->annotations(), &AnnotationSession::goldChanged, this, [this](UtteranceRef ref) {
        if (ref.dialogue == m_dialogue) refreshRows(ref.utterance, ref.utterance);
    });
}

void UtteranceTableModel::setDialogue(int dialogue) {
    if (dialogue == m_dialogue) return;
    beginResetModel();
    m_dialogue = dialogue;
    m_playing = -1;
    endResetModel();
}

void UtteranceTableModel::setPlaying(int utterance) {
    if (utterance == m_playing) return;
    const int before = m_playing;
    m_playing = utterance;
    if (before >= 0 && before < rowCount()) refreshRows(before, before);
    if (utterance >= 0 && utterance < rowCount()) refreshRows(utterance, utterance);
}

void UtteranceTableModel::refreshRows(int first, int last) {
    if (first > last || first < 0) return;
    Q_EMIT dataChanged(index(first, 0), index(last, ColumnCount - 1));
}

int UtteranceTableModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() || m_dialogue < 0 || m_dialogue >= static_cast<int>(m_session->dataset().dialogues.size())) return 0;
    return static_cast<int>(m_session->dataset().dialogues[static_cast<std::size_t>(m_dialogue)].utterances.size());
}

int UtteranceTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UtteranceTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    static const char* kTitles[] = {"#", "Speaker", "Text", "Gold", "Prediction", "Conf.", "", "Generated"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(kTitles[section]) : QVariant();
}

QVariant UtteranceTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const UtteranceRef ref{m_dialogue, index.row()};
    const auto* u = m_session->annotations()->utterance(ref);
    const auto* r = m_session->analysis()->result(ref);
    const auto state = m_session->analysis()->dialogueState(m_dialogue);
    const bool pending = !r && (state == AnalysisScheduler::State::Waiting || state == AnalysisScheduler::State::Running);
    const auto* manifest = m_session->model()->manifest();
    const auto& labels = manifest ? manifest->labels : m_session->dataset().labels;
    switch (role) {
        case GoldRole:
            return goldText(*u);
        case PredictionRole:
            return r ? QString::fromStdString(r->prediction) : QString();
        case ConfidenceRole:
            return r && predictionConfidence(*r) ? QVariant(*predictionConfidence(*r)) : QVariant();
        case CorrectRole:
            return r && predictionCorrect(*u, *r) ? QVariant(*predictionCorrect(*u, *r)) : QVariant();
        default:
            break;
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
            case Index:
                return index.row() + 1;
            case Speaker:
                return QString::fromStdString(u->speaker);
            case Text:
                return QString::fromStdString(u->text);
            case Gold:
                return goldText(*u);
            case Prediction:
                if (pending) return QStringLiteral("analysing...");
                return r ? QString::fromStdString(r->prediction) : QStringLiteral("-");
            case Confidence: {
                const auto c = r ? predictionConfidence(*r) : std::nullopt;
                return c ? QString::number(*c, 'f', 2) : QString();
            }
            case Correct: {
                const auto ok = r ? predictionCorrect(*u, *r) : std::nullopt;
                return ok ? (*ok ? QStringLiteral("\u2713") : QStringLiteral("\u2717")) : QString();
            }
            case Generated:
                return r ? QString::fromStdString(r->generated).trimmed() : QString();
            default:
                return {};
        }
    }
    if (role == Qt::BackgroundRole) {
        if (index.column() == Prediction && r && !r->prediction.empty()) {
            QColor c = r->predictedScore ? scoreColor(*r->predictedScore) : labelColor(r->prediction, labels);
            c.setAlphaF(static_cast<float>(0.25 + 0.6 * predictionConfidence(*r).value_or(1.0)));
            return c;
        }
        if (index.column() == Gold && (u->goldLabel || u->goldScore)) {
            QColor c = u->goldScore && !u->goldLabel ? scoreColor(*u->goldScore) : labelColor(u->goldLabel.value_or(""), labels);
            c.setAlphaF(0.35f);
            return c;
        }
        if (index.row() == m_playing) return QColor(255, 236, 170);
        return {};
    }
    if (role == Qt::ForegroundRole && index.column() == Correct && r) {
        const auto ok = predictionCorrect(*u, *r);
        if (ok) return *ok ? QColor(30, 140, 60) : QColor(200, 40, 40);
    }
    if (role == Qt::FontRole) {
        QFont font;
        if (index.row() == m_playing) font.setBold(true);
        if (index.column() == Gold && m_session->annotations()->goldEdited(ref)) {
            font.setBold(true);
            font.setItalic(true);
        }
        return font;
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == Gold && m_session->annotations()->goldEdited(ref))
            return QStringLiteral("Changed by %1").arg(m_session->annotations()->annotator());
        if (r && !r->error.empty()) return QString::fromStdString(r->error);
        if (index.column() == Text) return QString::fromStdString(u->text);
    }
    if (role == Qt::TextAlignmentRole && (index.column() == Index || index.column() == Confidence || index.column() == Correct)) {
        return int(Qt::AlignCenter);
    }
    return {};
}

}  // namespace egmf::ui
